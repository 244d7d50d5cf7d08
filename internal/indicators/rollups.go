package indicators

import (
	"context"
	"fmt"
	"time"
)

// The rollups (migration 00014) answer a report in milliseconds over a
// million requests: report_counts holds the additive counts per mediator
// and day or month, report_follow_up_days the follow-ups per day,
// report_people each person's first days per year and month and
// report_people_days how many people have their first days on each day. Triggers on
// sheets and requests keep them exact, so these queries give the same
// figures as the ones over the base tables (computeSheets and the others),
// which remain for the periods the rollups cannot answer.

// rollupZone is the zone report_follow_ups turns resolution times into days in.
const rollupZone = "Europe/Paris"

// FromBaseTables makes Compute read the sheets and requests themselves,
// not the rollups: the reference the rollups are checked against.
func FromBaseTables() Option { return func(o *options) { o.base = true } }

// rollupSpan says whether the rollups can answer period p: distinct people
// are kept per calendar year and month, so the period must start on the
// first day of a year and end within it (a year, year to date), or start on
// the first of a month and end within it (a month, month to date).
func rollupSpan(p Period) (span string, start time.Time, ok bool) {
	from, to := Day(p.From), Day(p.To)
	switch {
	case from.Month() == time.January && from.Day() == 1 && to.Year() == from.Year():
		return "y", from, true
	case from.Day() == 1 && to.Year() == from.Year() && to.Month() == from.Month():
		return "m", from, true
	}
	return "", time.Time{}, false
}

// fullMonths is the range [mfrom, mto) of the whole months inside [from,
// to], empty (mfrom = mto) when there is none: the rollups' month rows
// cover them, day rows the days around.
func fullMonths(from, to time.Time) (mfrom, mto time.Time) {
	mfrom = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	if from.Day() != 1 {
		mfrom = mfrom.AddDate(0, 1, 0)
	}
	next := to.AddDate(0, 0, 1)
	mto = time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, time.UTC)
	if next.Day() == 1 {
		mto = next
	}
	if mto.Before(mfrom) {
		mto = mfrom
	}
	return mfrom, mto
}

// fullYears is the range [yfrom, yto) of the whole years inside the months
// [mfrom, mto), empty when there is none: report_counts' year rows cover
// them, month rows the months around.
func fullYears(mfrom, mto time.Time) (yfrom, yto time.Time) {
	yfrom = time.Date(mfrom.Year(), time.January, 1, 0, 0, 0, 0, time.UTC)
	if !yfrom.Equal(mfrom) {
		yfrom = yfrom.AddDate(1, 0, 0)
	}
	yto = time.Date(mto.Year(), time.January, 1, 0, 0, 0, 0, time.UTC)
	if yto.Before(yfrom) {
		yto = yfrom
	}
	return yfrom, yto
}

// wholeYear says whether the period is one calendar year, which the year
// rows of report_people_years and report_follow_up_years answer.
func wholeYear(p Period) bool {
	from, to := Day(p.From), Day(p.To)
	return from.Month() == time.January && from.Day() == 1 && to.Equal(from.AddDate(1, 0, -1))
}

// countGrains is the condition on report_counts c (with its arguments,
// $1 to $6) reading the days [from, to]: the year rows of its whole years,
// the month rows of its other whole months, the day rows of the rest.
func countGrains(from, to time.Time) (string, []any) {
	mfrom, mto := fullMonths(from, to)
	yfrom, yto := fullYears(mfrom, mto)
	return `((c.grain = 'y' AND c.day >= $5 AND c.day < $6)
       OR (c.grain = 'm' AND c.day >= $3 AND c.day < $4 AND (c.day < $5 OR c.day >= $6))
       OR (c.grain = 'd' AND c.day BETWEEN $1 AND $2 AND (c.day < $3 OR c.day >= $4)))`,
		[]any{from, to, mfrom, mto, yfrom, yto}
}

// rollupHistory fills what computeHistory fills, from the rollups: the
// year before's people and active posts as rollupPeople counts them, its
// sheets and requests (resolved today, as computeHistory counts them) and
// the twelve months' sheets from report_counts.
func rollupHistory(ctx context.Context, db Querier, r *Report, s Scope, span string, start time.Time) error {
	prev := &Report{Period: YearBefore(r.Period), ByDepartement: map[string]*Breakdown{}, Total: newBreakdown("", "")}
	if err := rollupPeople(ctx, db, prev, s, span, start); err != nil {
		return fmt.Errorf("compute history: %w", err)
	}
	h := &History{PreviousPeriod: prev.Period}
	k := &h.Previous
	k.Mediators, k.People = prev.Total.Mediators, prev.Total.People
	grains, args := countGrains(prev.Period.From, prev.Period.To)
	cond, fargs := s.Filter("m", len(args)+1)
	err := db.QueryRow(ctx, `
SELECT coalesce(sum(c.n) FILTER (WHERE c.dim = 'sheets'), 0),
       coalesce(sum(c.n) FILTER (WHERE c.dim = 'droits'), 0), coalesce(sum(c.resolved) FILTER (WHERE c.dim = 'droits'), 0),
       coalesce(sum(c.n) FILTER (WHERE c.dim = 'soins'), 0), coalesce(sum(c.resolved) FILTER (WHERE c.dim = 'soins'), 0)
FROM report_counts c JOIN mediators m ON m.id = c.mediator_id
WHERE c.dim IN ('sheets', 'droits', 'soins') AND `+grains+` AND `+cond, append(args, fargs...)...).Scan(
		&k.Sheets, &k.RightsRequests, &k.RightsResolved, &k.CareRequests, &k.CareResolved)
	if err != nil {
		return fmt.Errorf("compute history: year before: %w", err)
	}
	if h.Months, err = twelveMonths(ctx, db, r, s, func(cond string) string {
		return `
SELECT to_char(c.day, 'YYYY-MM'), sum(c.n)::int
FROM report_counts c JOIN mediators m ON m.id = c.mediator_id
WHERE c.grain = 'm' AND c.dim = 'sheets' AND c.day BETWEEN $1 AND $2 AND ` + cond + `
GROUP BY c.day`
	}); err != nil {
		return err
	}
	r.History = h
	return nil
}

// computeRollups fills what computeSheets, computeDimensions,
// computeRequests and computeFollowUps fill, from the rollups.
func computeRollups(ctx context.Context, db Querier, r *Report, s Scope, span string, start time.Time, o options) error {
	from, to := r.Period.From, r.Period.To
	if err := rollupPeople(ctx, db, r, s, span, start); err != nil {
		return err
	}
	grains, args := countGrains(from, to)
	cond, fargs := s.Filter("m", len(args)+1)
	rows, err := db.Query(ctx, `
SELECT m.departement, c.dim, c.code, sum(c.n), sum(c.resolved), sum(c.open)
FROM report_counts c JOIN mediators m ON m.id = c.mediator_id
WHERE `+grains+` AND `+cond+`
GROUP BY m.departement, c.dim, c.code`, append(args, fargs...)...)
	if err != nil {
		return fmt.Errorf("compute indicators: counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var dep, dim, code string
		var n, resolved, open int64
		if err := rows.Scan(&dep, &dim, &code, &n, &resolved, &open); err != nil {
			return fmt.Errorf("compute indicators: counts: %w", err)
		}
		if dim == "droits_late" || dim == "soins_late" { // year rows: resolved after the year
			q, care := &r.Rights, dim == "soins_late"
			if care {
				q = &r.Care
			}
			q.Resolved -= int(n)
			q.ResolvedByType[code] -= int(n)
			for _, d := range []*Breakdown{r.row(dep), r.Total} {
				if care {
					d.CareResolved -= int(n)
				} else {
					d.RightsResolved -= int(n)
				}
			}
			continue
		}
		if dim == "droits" || dim == "soins" {
			q := &r.Rights
			if dim == "soins" {
				q = &r.Care
			}
			q.Total += int(n)
			q.Resolved += int(resolved)
			q.Open += int(open)
			q.ByType[code] += int(n)
			q.ResolvedByType[code] += int(resolved)
			q.OpenByType[code] += int(open)
			for _, d := range []*Breakdown{r.row(dep), r.Total} {
				if dim == "soins" {
					d.CareRequests += int(n)
					d.CareResolved += int(resolved)
				} else {
					d.RightsRequests += int(n)
					d.RightsResolved += int(resolved)
				}
			}
			continue
		}
		for _, d := range []*Breakdown{r.row(dep), r.Total} {
			switch dim {
			case "sheets":
				d.Sheets += int(n)
			case "sex":
				d.Sex[code] += int(n)
			case "qpv":
				d.QPV[code] += int(n)
			case "age_known":
				d.Age.N += n
				d.AgeKnown += int(n)
			case "age_sum":
				d.Age.Sum += n
			case "obstacle_sheets":
				d.ObstacleSheets += int(n)
			case "resources":
				d.Resources[code] += int(n)
			case "contact_mode":
				d.ContactMode[code] += int(n)
			case "level":
				d.Level[code] += int(n)
			case "obstacle":
				d.Obstacles[code] += int(n)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("compute indicators: counts: %w", err)
	}

	// A whole year reads its late resolutions from its year rows (the only
	// ones a period within a year reads).
	if !wholeYear(r.Period) {
		if err := rollupLateResolutions(ctx, db, r, s, periodEnd(r.Period, o.loc)); err != nil {
			return err
		}
	}

	asOf := Day(o.asOf.In(o.loc))
	cond, fargs = s.Filter("m", 4)
	// Resolved: the period's days, or its year row. Overdue: every year's
	// requests in progress but those followed up today or later (few).
	resolved := `SELECT coalesce(sum(f.n), 0) FROM report_follow_up_days f JOIN mediators m ON m.id = f.mediator_id
		WHERE f.what = 'r' AND f.day BETWEEN $1 AND $2 AND ` + cond
	if wholeYear(r.Period) {
		resolved = `SELECT coalesce(sum(f.n), 0) FROM report_follow_up_years f JOIN mediators m ON m.id = f.mediator_id
		WHERE f.what = 'r' AND f.start BETWEEN $1 AND $2 AND ` + cond
	}
	err = db.QueryRow(ctx, `
SELECT (`+resolved+`),
       (SELECT coalesce(sum(f.n), 0) FROM report_follow_up_years f JOIN mediators m ON m.id = f.mediator_id
        WHERE f.what = 'o' AND `+cond+`)
     - (SELECT coalesce(sum(f.n), 0) FROM report_follow_up_days f JOIN mediators m ON m.id = f.mediator_id
        WHERE f.what = 'o' AND f.day >= $3 AND `+cond+`)`,
		append([]any{from, to, asOf}, fargs...)...).Scan(&r.FollowUps.Resolved, &r.FollowUps.Overdue)
	if err != nil {
		return fmt.Errorf("compute indicators: follow-ups: %w", err)
	}
	r.FollowUps.AsOf = asOf.Format(time.DateOnly)
	return nil
}

// rollupPeople counts distinct people per mediator, département and in
// total. A person seen by one mediator in the span counts once in their
// mediator's row; the few seen by several (shared) are counted with
// DISTINCT per département and in total.
func rollupPeople(ctx context.Context, db Querier, r *Report, s Scope, span string, start time.Time) error {
	to := r.Period.To
	cond, fargs := s.Filter("m", 4)
	args := append([]any{span, start, to}, fargs...)
	days, dargs := `FROM report_people_days h JOIN mediators m ON m.id = h.mediator_id
WHERE h.span = $1 AND h.start = $2 AND h.day <= $3 AND `+cond, args
	if wholeYear(r.Period) { // the year's days summed
		ycond, yargs := s.Filter("m", 2)
		days, dargs = `FROM report_people_years h JOIN mediators m ON m.id = h.mediator_id
WHERE h.start = $1 AND `+ycond, append([]any{start}, yargs...)
	}
	rows, err := db.Query(ctx, `
SELECT m.departement, h.mediator_id, sum(h.visit), sum(h.alone), sum(h.qpv), sum(h.rights), sum(h.care), sum(h.sp)
`+days+`
GROUP BY m.departement, h.mediator_id
HAVING sum(h.visit) > 0 -- active: seen someone
`, dargs...)
	if err != nil {
		return fmt.Errorf("compute indicators: people: %w", err)
	}
	defer rows.Close()
	pm := &r.PerMediator
	for rows.Next() {
		var dep string
		var mediator, people, alone, qpv, rights, care, sp int64
		if err := rows.Scan(&dep, &mediator, &people, &alone, &qpv, &rights, &care, &sp); err != nil {
			return fmt.Errorf("compute indicators: people: %w", err)
		}
		for _, pair := range []struct {
			mean *Mean
			n    int64
		}{{&pm.DistinctPeople, people}, {&pm.DistinctPeopleQPV, qpv}, {&pm.RightsPeople, rights},
			{&pm.CarePeople, care}, {&pm.SocialProtection, sp}} {
			pair.mean.Sum += pair.n
			pair.mean.N++
		}
		for _, d := range []*Breakdown{r.row(dep), r.Total} {
			d.Mediators++
			d.People += int(alone)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("compute indicators: people: %w", err)
	}
	rows, err = db.Query(ctx, `
SELECT coalesce(m.departement, ''), count(DISTINCT p.beneficiary_id)
FROM report_people p JOIN mediators m ON m.id = p.mediator_id
WHERE p.shared AND p.span = $1 AND p.start = $2 AND p.first_visit <= $3 AND `+cond+`
GROUP BY ROLLUP (m.departement)`, args...)
	if err != nil {
		return fmt.Errorf("compute indicators: shared people: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var dep string
		var n int
		if err := rows.Scan(&dep, &n); err != nil {
			return fmt.Errorf("compute indicators: shared people: %w", err)
		}
		r.row(dep).People += n
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("compute indicators: shared people: %w", err)
	}
	return nil
}

// rollupLateResolutions takes out of the rollups' resolved counts the
// requests of the period's sheets resolved after its end (DefResolution):
// report_counts holds today's status. Few requests are resolved after a
// period's end, found by the partial index requests_resolved_at (00016).
// A whole year does not ask: its year rows count them (dims droits_late
// and soins_late, migration 00100).
//
// The report of one département or one post finds them from its posts'
// sheets of the period. Over several départements (a grouping, a region,
// their rural or QPV posts, every region served) PostgreSQL would do the
// same, hashing all their sheets of the period (650 000 a year
// nationally), so those reports look each late request's sheet up by its
// key instead: the same rows either way. BenchmarkReport10M (loaded
// machine): national 8.0 s → 2.4 s with the indexes of 00095, the
// Hauts-de-France 3.9 s → 1.7 s; this query alone over 2024 on that
// dataset, by key against hashed: the Picardie 0.25 s against 0.5 s, the
// Nord 0.2 s against 0.05 s.
func rollupLateResolutions(ctx context.Context, db Querier, r *Report, s Scope, end time.Time) error {
	cond, fargs := s.Filter("m", 4)
	sheets := `JOIN sheets s ON s.id = q.sheet_id AND s.date BETWEEN $1 AND $2`
	if s.Departement == "" && s.Kind != KindMediator {
		sheets = `CROSS JOIN LATERAL (SELECT s.mediator_id FROM sheets s
		                           WHERE s.id = q.sheet_id AND s.date BETWEEN $1 AND $2 OFFSET 0) s`
	}
	rows, err := db.Query(ctx, `
SELECT m.departement, q.kind, q.type, count(*)
FROM requests q `+sheets+` JOIN mediators m ON m.id = s.mediator_id
WHERE q.status = 'resolue' AND q.resolved_at >= $3 AND `+cond+`
GROUP BY m.departement, q.kind, q.type`, append([]any{r.Period.From, r.Period.To, end}, fargs...)...)
	if err != nil {
		return fmt.Errorf("compute indicators: late resolutions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var dep, kind, typ string
		var n int
		if err := rows.Scan(&dep, &kind, &typ, &n); err != nil {
			return fmt.Errorf("compute indicators: late resolutions: %w", err)
		}
		q := &r.Rights
		if kind == "soins" {
			q = &r.Care
		}
		q.Resolved -= n
		q.ResolvedByType[typ] -= n
		for _, d := range []*Breakdown{r.row(dep), r.Total} {
			if kind == "soins" {
				d.CareResolved -= n
			} else {
				d.RightsResolved -= n
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("compute indicators: late resolutions: %w", err)
	}
	return nil
}
