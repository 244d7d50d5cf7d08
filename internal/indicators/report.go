// Package indicators computes the annual report's tables live from the
// sheets, for a period and a territory (scope), with PostgreSQL doing the
// counting. It also says who may see which territory (Allowed, Scopes) and
// renders a report for chat (Text, Chart) and as JSON.
package indicators

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relais-sante/relais/internal/codes"
	"github.com/relais-sante/relais/internal/territory"
)

// Querier is what the report queries need from the database: reads only.
// The store gives one (store.Store.Reports); a pgx.Conn or a pgx.Tx is one
// too. Compute reads one snapshot when the Querier can start transactions.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Report is every indicator of the annual report for one period and scope.
// It marshals to the JSON documented in docs/operator.md (`relais report
// --format json`).
//
// Collective actions, partners and the annual review are pointer sections
// filled by their own queries (actions.go); a nil one (a scope or period
// without them) is left out of the JSON, Text and Tables.
type Report struct {
	Scope  Scope  `json:"scope"`
	Label  string `json:"label"`
	Period Period `json:"period"`
	// Own marks a mediator's own figures (ForTheMediator): the texts say
	// "vos chiffres", not the post's name.
	Own bool `json:"-"`

	Sheets    int `json:"sheets"`
	Mediators int `json:"mediators"` // active: at least one sheet in the period
	Posts     int `json:"posts"`     // posts active during the period (Definitions "posts")
	People    int `json:"people"`    // distinct people accompanied

	PerMediator PerMediator `json:"per_mediator"`

	// ByDepartement holds every département the scope covers (all five for
	// the region), keyed by code; Departements gives them in report order.
	ByDepartement map[string]*Breakdown `json:"by_departement"`
	// Total is the same table for the whole scope.
	Total *Breakdown `json:"total"`

	Rights    Requests  `json:"rights"`
	Care      Requests  `json:"care"`
	FollowUps FollowUps `json:"follow_ups"`

	// Collective actions, partner registries and annual reviews (actions.go).
	Actions  *Actions  `json:"actions,omitempty"`
	Partners *Partners `json:"partners,omitempty"`
	Review   *Review   `json:"review,omitempty"`

	// History puts the figures in time (WithHistory): the same period a
	// year earlier and the last twelve months.
	History *History `json:"history,omitempty"`

	// Definitions are the footnotes of every output (definitions.go).
	Definitions []Definition `json:"definitions"`
}

// PerMediator holds means per active mediator, of distinct people.
type PerMediator struct {
	DistinctPeople    Mean `json:"distinct_people_mean"`
	DistinctPeopleQPV Mean `json:"distinct_people_qpv_mean"`
	RightsPeople      Mean `json:"rights_people_mean"`
	CarePeople        Mean `json:"care_people_mean"`
	SocialProtection  Mean `json:"social_protection_people_mean"`
}

// Breakdown is one row of the by-département tables (or their total): the
// sheets of one département broken down by sex, QPV, age, resources…
// Maps hold every code of the catalogue, zero included, so JSON readers get
// stable keys.
type Breakdown struct {
	Code      string `json:"code,omitempty"`
	Label     string `json:"label"` // "Nord (23)": name and active mediators
	Sheets    int    `json:"sheets"`
	Mediators int    `json:"mediators"`
	People    int    `json:"people"`

	Sex map[string]int `json:"sex"`
	// QPV counts the sheets answered oui and non; the rest (« Ne sait
	// pas », codes.QPVUnknown) is non renseigné: QPVUnknown.
	QPV         map[string]int `json:"qpv"`
	Age         Mean           `json:"age_mean"`
	AgeKnown    int            `json:"age_known"`
	Resources   map[string]int `json:"resources"`
	ContactMode map[string]int `json:"contact_mode"`
	Level       map[string]int `json:"level"`
	// Obstacles counts mentions (a sheet may cite several);
	// ObstacleSheets counts sheets citing at least one.
	Obstacles      map[string]int `json:"obstacles"`
	ObstacleSheets int            `json:"obstacle_sheets"`

	// Requests of the row's sheets and how many are resolved, by kind.
	RightsRequests int `json:"rights_requests"`
	RightsResolved int `json:"rights_resolved"`
	CareRequests   int `json:"care_requests"`
	CareResolved   int `json:"care_resolved"`
}

// Requests is the rights (droits) or care (soins) table.
type Requests struct {
	Total          int            `json:"total"`
	Resolved       int            `json:"resolved"`
	Open           int            `json:"open"`
	ByType         map[string]int `json:"by_type"`
	ResolvedByType map[string]int `json:"resolved_by_type"`
	// OpenByType: the requests still « en cours » today, by type, so a
	// question on one type's open requests reads the report's figure.
	OpenByType map[string]int `json:"open_by_type"`

	kind string
}

// FollowUps is what the weekly digest reports about requests.
type FollowUps struct {
	Opened   int    `json:"opened"`   // requests of the period's sheets
	Resolved int    `json:"resolved"` // requests marked resolved during the period
	Overdue  int    `json:"overdue"`  // open requests whose follow-up date is before AsOf
	AsOf     string `json:"as_of"`
}

// Mean is a ratio of integer totals, kept exact until it is displayed.
type Mean struct {
	Sum, N int64
}

// Round is the mean as a whole number, half rounded up.
func (m Mean) Round() int {
	if m.N == 0 {
		return 0
	}
	return int((2*m.Sum + m.N) / (2 * m.N))
}

// Tenths is the mean with one decimal, half rounded up.
func (m Mean) Tenths() float64 {
	if m.N == 0 {
		return 0
	}
	return float64((20*m.Sum+m.N)/(2*m.N)) / 10
}

// MarshalJSON writes the mean with one decimal, or null when undefined.
func (m Mean) MarshalJSON() ([]byte, error) {
	if m.N == 0 {
		return []byte("null"), nil
	}
	return []byte(strconv.FormatFloat(m.Tenths(), 'f', -1, 64)), nil
}

// Pct is count as a whole percentage of total, half rounded up, as the
// report prints it; integer arithmetic so 12.5 is always 13.
func Pct(count, total int) int {
	if total <= 0 {
		return 0
	}
	return (200*count + total) / (2 * total)
}

// Departements returns the rows of ByDepartement in report order (the
// reference's, by code).
func (r *Report) Departements() []*Breakdown {
	var out []*Breakdown
	for _, d := range territory.Departements() {
		c := d.Code
		if d := r.ByDepartement[c]; d != nil {
			out = append(out, d)
		}
	}
	return out
}

// ResolvedPct is the share of the requests that are resolved.
func (q Requests) ResolvedPct() int { return Pct(q.Resolved, q.Total) }

// TypeCount is one request type with its count.
type TypeCount struct {
	Code, Label     string
	Count, Resolved int
}

// Types lists the request types in catalogue order (unknown codes last).
func (q Requests) Types() []TypeCount {
	return typeCounts(codes.RequestTypes(q.kind), q.ByType, q.ResolvedByType)
}

func typeCounts(list codes.List, counts, resolved map[string]int) []TypeCount {
	var out []TypeCount
	for _, c := range list {
		out = append(out, TypeCount{Code: c.Code, Label: c.Label, Count: counts[c.Code], Resolved: resolved[c.Code]})
	}
	var extra []string
	for code := range counts {
		if !list.Has(code) {
			extra = append(extra, code)
		}
	}
	slices.Sort(extra)
	for _, code := range extra {
		out = append(out, TypeCount{Code: code, Label: code, Count: counts[code], Resolved: resolved[code]})
	}
	return out
}

type options struct {
	asOf    time.Time
	loc     *time.Location
	own     bool
	base    bool // FromBaseTables
	history bool
}

// WithHistory adds the same period a year earlier and a twelve-month trend
// (Report.History), for the figures a coordinator reads in chat.
func WithHistory() Option { return func(o *options) { o.history = true } }

// Option adjusts Compute.
type Option func(*options)

// AsOf sets the day overdue follow-ups are counted against (default today).
func AsOf(day time.Time) Option { return func(o *options) { o.asOf = day } }

// ForTheMediator says the report is read by the mediator of its scope
// (/monbilan, their weekly digest).
func ForTheMediator() Option { return func(o *options) { o.own = true } }

// InZone sets the time zone of the period's days for timestamps such as
// the resolution time (default Europe/Paris, as RELAIS_TZ).
func InZone(loc *time.Location) Option { return func(o *options) { o.loc = loc } }

func newBreakdown(code, label string) *Breakdown {
	zero := func(l codes.List) map[string]int {
		m := make(map[string]int, len(l))
		for _, c := range l {
			m[c.Code] = 0
		}
		return m
	}
	return &Breakdown{
		Code: code, Label: label,
		Sex: zero(codes.Sex), QPV: zero(codes.YesNo),
		Resources: zero(codes.Resources), ContactMode: zero(codes.ContactModes),
		Level: zero(codes.Levels), Obstacles: zero(codes.Obstacles),
	}
}

// QPVUnknown counts the sheets whose QPV residence is non renseigné: the
// person did not know (codes.QPVUnknown), neither oui nor non.
func (d *Breakdown) QPVUnknown() int {
	return max(d.Sheets-d.QPV["oui"]-d.QPV["non"], 0)
}

func newRequests(kind string) Requests {
	q := Requests{kind: kind, ByType: map[string]int{}, ResolvedByType: map[string]int{}, OpenByType: map[string]int{}}
	for _, c := range codes.RequestTypes(kind) {
		q.ByType[c.Code], q.ResolvedByType[c.Code], q.OpenByType[c.Code] = 0, 0, 0
	}
	return q
}

// txStarter is a pool or a connection: Compute then reads in one
// read-only snapshot, with memory enough to aggregate without spilling.
type txStarter interface {
	BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error)
}

// Compute builds the report for period p and scope s. It does not check
// access: call Allowed first. Given a pool (or connection), every query
// reads the same snapshot; given a transaction, it runs inside it.
func Compute(ctx context.Context, db Querier, p Period, s Scope, opts ...Option) (*Report, error) {
	if _, ok := db.(txStarter); !ok {
		return compute(ctx, db, p, s, opts...)
	}
	var r *Report
	err := Snapshot(ctx, db, func(tx pgx.Tx) error {
		var err error
		r, err = compute(ctx, tx, p, s, opts...)
		return err
	})
	return r, err
}

// Snapshot runs fn in one read-only, repeatable-read transaction of db (a
// pool or a connection) set for reports, so that several reports computed
// in it (a digest's week, last week and year) read the same state and are
// planned for their own values.
func Snapshot(ctx context.Context, db Querier, fn func(tx pgx.Tx) error) error {
	starter, ok := db.(txStarter)
	if !ok {
		return errors.New("indicators snapshot: needs a pool or a connection, not a transaction")
	}
	return pgx.BeginTxFunc(ctx, starter, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) error {
			// JIT compilation costs more than it saves on these queries.
			// Plans are made for each report's values: pgx prepares the
			// statements, and the generic plan PostgreSQL switches to after
			// five runs cannot tell which grains of report_counts a period
			// reads (BenchmarkReport10M: a département's counts in 1 s
			// instead of 20 ms, reading every post's month rows).
			if _, err := tx.Exec(ctx, `SET LOCAL work_mem = '64MB'; SET LOCAL jit = off;
				SET LOCAL plan_cache_mode = force_custom_plan`); err != nil {
				return fmt.Errorf("report snapshot: %w", err)
			}
			return fn(tx)
		})
}

func compute(ctx context.Context, db Querier, p Period, s Scope, opts ...Option) (*Report, error) {
	o := options{}
	for _, f := range opts {
		f(&o)
	}
	if o.loc == nil {
		o.loc = paris()
	}
	if o.asOf.IsZero() {
		o.asOf = time.Now().In(o.loc)
	}
	if err := s.Validate(everywhere()); err != nil {
		return nil, fmt.Errorf("compute indicators: %w", err)
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("compute indicators: %w", err)
	}
	from, to := Day(p.From), Day(p.To)
	r := &Report{
		Period: Period{From: from, To: to}, Scope: s,
		ByDepartement: map[string]*Breakdown{},
		Rights:        newRequests("droits"), Care: newRequests("soins"),
	}
	if s.Kind == KindMediator {
		var dep string
		err := db.QueryRow(ctx, `SELECT `+postName+`, m.departement FROM mediators m
			LEFT JOIN users u ON u.telegram_id = m.user_id WHERE m.id = $1`, s.MediatorID).Scan(&r.Scope.Name, &dep)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return nil, fmt.Errorf("compute indicators: mediator: %w", err)
		}
	}
	for _, d := range s.Departements() {
		r.ByDepartement[d] = newBreakdown(d, "")
	}
	r.Total = newBreakdown("", "")

	cond, fargs := s.Filter("m", 3)
	args := append([]any{from, to}, fargs...)
	rollups := !o.base && o.loc.String() == rollupZone
	if span, start, ok := rollupSpan(r.Period); ok && rollups {
		if err := computeRollups(ctx, db, r, s, span, start, o); err != nil {
			return nil, err
		}
	} else {
		if err := computeSheets(ctx, db, r, cond, args); err != nil {
			return nil, err
		}
		if err := computeDimensions(ctx, db, r, cond, args); err != nil {
			return nil, err
		}
		if err := computeRequests(ctx, db, r, cond, args, periodEnd(r.Period, o.loc)); err != nil {
			return nil, err
		}
		if err := computeFollowUps(ctx, db, r, s, o); err != nil {
			return nil, err
		}
	}
	if err := computeActivities(ctx, db, r, s); err != nil {
		return nil, err
	}
	if o.history {
		if err := computeHistory(ctx, db, r, s, rollups); err != nil {
			return nil, err
		}
	}
	pcond, pargs := s.Filter("m", 3)
	if err := db.QueryRow(ctx, `SELECT count(*) FROM mediators m WHERE `+postActiveSQL("m", "$1", "$2")+` AND `+pcond,
		append([]any{from, to}, pargs...)...).Scan(&r.Posts); err != nil {
		return nil, fmt.Errorf("compute indicators: posts: %w", err)
	}

	r.Label = r.Scope.Label()
	r.Own = o.own && s.Kind == KindMediator
	for _, d := range r.ByDepartement {
		d.Label = fmt.Sprintf("%s (%d)", codes.DepartementLabel(d.Code), d.Mediators)
	}
	r.Total.Label = fmt.Sprintf("%s (%d)", r.Label, r.Total.Mediators)
	r.Sheets, r.Mediators, r.People = r.Total.Sheets, r.Total.Mediators, r.Total.People
	r.FollowUps.Opened = r.Rights.Total + r.Care.Total
	r.Definitions = Definitions(r.Period)
	return r, nil
}

// row is the by-département row for code, the total for "".
func (r *Report) row(code string) *Breakdown {
	if code == "" {
		return r.Total
	}
	if r.ByDepartement[code] == nil {
		r.ByDepartement[code] = newBreakdown(code, "")
	}
	return r.ByDepartement[code]
}

// computeSheets counts sheets, sexes, QPV, ages and distinct people. People
// are first grouped per (mediator, person) with what they asked for; the
// per-mediator rows give the means and the additive counts, a rollup gives
// the distinct people per département and in total.
func computeSheets(ctx context.Context, db Querier, r *Report, cond string, args []any) error {
	rows, err := db.Query(ctx, `
WITH people AS (
	SELECT m.departement, m.id AS mediator_id, s.beneficiary_id,
	       count(*) AS sheets,
	       count(*) FILTER (WHERE s.sex = 'F') AS f,
	       count(*) FILTER (WHERE s.sex = 'M') AS m,
	       count(*) FILTER (WHERE s.sex = 'X') AS x,
	       count(*) FILTER (WHERE s.qpv = 'oui') AS qpv,
	       count(*) FILTER (WHERE s.qpv = 'non') AS not_qpv,
	       coalesce(sum(s.age), 0) AS age_sum,
	       count(s.age) AS age_known,
	       count(*) FILTER (WHERE s.obstacles <> '{}') AS obstacle_sheets,
	       bool_or(s.qpv = 'oui') AS in_qpv,
	       bool_or(s.social_protection = 'oui') AS social_protection
	FROM sheets s JOIN mediators m ON m.id = s.mediator_id
	WHERE s.date BETWEEN $1 AND $2 AND `+cond+`
	GROUP BY m.id, s.beneficiary_id
), kinds AS (
	SELECT m.id AS mediator_id, s.beneficiary_id,
	       bool_or(q.kind = 'droits') AS rights, bool_or(q.kind = 'soins') AS care
	FROM requests q JOIN sheets s ON s.id = q.sheet_id JOIN mediators m ON m.id = s.mediator_id
	WHERE s.date BETWEEN $1 AND $2 AND `+cond+`
	GROUP BY m.id, s.beneficiary_id
)
SELECT p.departement, p.mediator_id,
       sum(p.sheets), sum(p.f), sum(p.m), sum(p.x), sum(p.qpv), sum(p.not_qpv), sum(p.age_sum),
       sum(p.age_known), sum(p.obstacle_sheets),
       count(*), count(*) FILTER (WHERE p.in_qpv), count(*) FILTER (WHERE k.rights),
       count(*) FILTER (WHERE k.care), count(*) FILTER (WHERE p.social_protection)
FROM people p LEFT JOIN kinds k USING (mediator_id, beneficiary_id)
GROUP BY p.departement, p.mediator_id
UNION ALL
SELECT coalesce(departement, ''), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, count(DISTINCT beneficiary_id), 0, 0, 0, 0
FROM people GROUP BY ROLLUP (departement)`, args...)
	if err != nil {
		return fmt.Errorf("compute indicators: sheets: %w", err)
	}
	defer rows.Close()
	pm := &r.PerMediator
	for rows.Next() {
		var dep string
		var mediator int64
		var sheets, f, m, x, qpv, notQPV, ageSum, ageKnown, obst int64
		var people, peopleQPV, rights, care, sp int64
		if err := rows.Scan(&dep, &mediator, &sheets, &f, &m, &x, &qpv, &notQPV, &ageSum, &ageKnown,
			&obst, &people, &peopleQPV, &rights, &care, &sp); err != nil {
			return fmt.Errorf("compute indicators: sheets: %w", err)
		}
		if mediator == 0 { // distinct people of a département ("" for the total)
			r.row(dep).People = int(people)
			continue
		}
		for _, pair := range []struct {
			mean *Mean
			n    int64
		}{{&pm.DistinctPeople, people}, {&pm.DistinctPeopleQPV, peopleQPV}, {&pm.RightsPeople, rights},
			{&pm.CarePeople, care}, {&pm.SocialProtection, sp}} {
			pair.mean.Sum += pair.n
			pair.mean.N++
		}
		for _, d := range []*Breakdown{r.row(dep), r.Total} {
			d.Mediators++
			d.Sheets += int(sheets)
			d.Sex["F"] += int(f)
			d.Sex["M"] += int(m)
			d.Sex["X"] += int(x)
			d.QPV["oui"] += int(qpv)
			d.QPV["non"] += int(notQPV)
			d.Age.Sum += ageSum
			d.Age.N += ageKnown
			d.AgeKnown += int(ageKnown)
			d.ObstacleSheets += int(obst)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("compute indicators: sheets: %w", err)
	}
	return nil
}

// computeDimensions counts sheets by resources, contact mode and level, and
// obstacle mentions, per département.
func computeDimensions(ctx context.Context, db Querier, r *Report, cond string, args []any) error {
	rows, err := db.Query(ctx, `
SELECT m.departement, d.dim, d.code, count(*)
FROM sheets s JOIN mediators m ON m.id = s.mediator_id
CROSS JOIN LATERAL (VALUES ('resources', s.resources), ('contact_mode', s.contact_mode), ('level', s.level)) AS d(dim, code)
WHERE s.date BETWEEN $1 AND $2 AND `+cond+`
GROUP BY m.departement, d.dim, d.code
UNION ALL
SELECT m.departement, 'obstacle', o.code, count(*)
FROM sheets s JOIN mediators m ON m.id = s.mediator_id CROSS JOIN LATERAL unnest(s.obstacles) AS o(code)
WHERE s.date BETWEEN $1 AND $2 AND `+cond+`
GROUP BY m.departement, o.code`, args...)
	if err != nil {
		return fmt.Errorf("compute indicators: categories: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var dep, dim, code string
		var n int
		if err := rows.Scan(&dep, &dim, &code, &n); err != nil {
			return fmt.Errorf("compute indicators: categories: %w", err)
		}
		d := r.row(dep)
		for _, t := range []*Breakdown{d, r.Total} {
			switch dim {
			case "resources":
				t.Resources[code] += n
			case "contact_mode":
				t.ContactMode[code] += n
			case "level":
				t.Level[code] += n
			case "obstacle":
				t.Obstacles[code] += n
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("compute indicators: categories: %w", err)
	}
	return nil
}

// computeRequests counts the requests of the period's sheets by kind and
// type, resolved as of the period end (DefResolution): a request resolved
// after end counts as not resolved.
func computeRequests(ctx context.Context, db Querier, r *Report, cond string, args []any, end time.Time) error {
	endArg := "$" + strconv.Itoa(len(args)+1)
	rows, err := db.Query(ctx, `
SELECT q.kind, q.type, count(*),
       count(*) FILTER (WHERE q.status = 'resolue' AND (q.resolved_at IS NULL OR q.resolved_at < `+endArg+`)),
       count(*) FILTER (WHERE q.status = 'en_cours'),
       m.departement
FROM requests q JOIN sheets s ON s.id = q.sheet_id JOIN mediators m ON m.id = s.mediator_id
WHERE s.date BETWEEN $1 AND $2 AND `+cond+`
GROUP BY m.departement, 1, 2`, append(slices.Clip(args), end)...)
	if err != nil {
		return fmt.Errorf("compute indicators: requests: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, typ, dep string
		var n, resolved, open int
		if err := rows.Scan(&kind, &typ, &n, &resolved, &open, &dep); err != nil {
			return fmt.Errorf("compute indicators: requests: %w", err)
		}
		for _, d := range []*Breakdown{r.row(dep), r.Total} {
			if kind == "soins" {
				d.CareRequests += n
				d.CareResolved += resolved
			} else {
				d.RightsRequests += n
				d.RightsResolved += resolved
			}
		}
		q := &r.Rights
		if kind == "soins" {
			q = &r.Care
		}
		q.Total += n
		q.Resolved += resolved
		q.Open += open
		q.ByType[typ] += n
		q.ResolvedByType[typ] += resolved
		q.OpenByType[typ] += open
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("compute indicators: requests: %w", err)
	}
	return nil
}

// computeFollowUps counts requests resolved during the period (whatever the
// sheet's date) and open requests past their follow-up date.
func computeFollowUps(ctx context.Context, db Querier, r *Report, s Scope, o options) error {
	from := time.Date(r.Period.From.Year(), r.Period.From.Month(), r.Period.From.Day(), 0, 0, 0, 0, o.loc)
	to := time.Date(r.Period.To.Year(), r.Period.To.Month(), r.Period.To.Day()+1, 0, 0, 0, 0, o.loc)
	asOf := Day(o.asOf.In(o.loc))
	cond, fargs := s.Filter("m", 4)
	join := ` JOIN sheets s ON s.id = q.sheet_id JOIN mediators m ON m.id = s.mediator_id`
	if cond == "TRUE" { // the whole region: no need to look at sheets
		join = ""
	}
	err := db.QueryRow(ctx, `
SELECT count(*) FILTER (WHERE q.status = 'resolue' AND q.resolved_at >= $1 AND q.resolved_at < $2),
       count(*) FILTER (WHERE q.status = 'en_cours' AND q.follow_up < $3)
FROM requests q`+join+`
WHERE (q.status = 'en_cours' OR q.resolved_at >= $1) AND `+cond,
		append([]any{from, to, asOf}, fargs...)...).Scan(&r.FollowUps.Resolved, &r.FollowUps.Overdue)
	if err != nil {
		return fmt.Errorf("compute indicators: follow-ups: %w", err)
	}
	r.FollowUps.AsOf = asOf.Format(time.DateOnly)
	return nil
}

// periodEnd is the first instant after period p in loc: a status "at the
// period end" is the status before it.
func periodEnd(p Period, loc *time.Location) time.Time {
	to := Day(p.To)
	return time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, loc)
}

func paris() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return loc
}

// JSON is the report as indented JSON, the `relais report --format json`
// output.
func (r *Report) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("report as JSON: %w", err)
	}
	return b, nil
}
