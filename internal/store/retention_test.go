package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

func exec(t *testing.T, st *store.Store, sql string, args ...any) {
	t.Helper()
	if _, err := store.DBOf(st).Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// tableCounts counts the rows of every table and the non-empty review answers.
func tableCounts(t *testing.T, st *store.Store) string {
	t.Helper()
	var parts []string
	for _, tb := range []string{"sheets", "requests", "beneficiaries", "actions", "reviews", "job_runs", "job_executions", "exports", "invitations", "users", "mediators", "coordinators", "audit"} {
		parts = append(parts, fmt.Sprintf("%s=%d", tb, count(t, st, tb)))
	}
	var answers int
	if err := store.DBOf(st).QueryRow(context.Background(), `SELECT count(*) FROM reviews WHERE helped <> ''`).Scan(&answers); err != nil {
		t.Fatal(err)
	}
	return strings.Join(parts, " ") + fmt.Sprintf(" answers=%d", answers)
}

func dated(id string, medID ids.MediatorID, ben string, day time.Time) store.Sheet {
	s := sheet(id, medID, ben)
	s.Date = day
	return s
}

// TestPurgeBoundaryAndDryRun: what is dated the cutoff day stays, one day
// older goes; the dry run counts exactly what the purge then removes.
func TestPurgeBoundaryAndDryRun(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	cutoff := time.Date(2021, 11, 29, 0, 0, 0, 0, paris)
	justBefore := cutoff.Add(-time.Second)
	kept, old := date(2021, 11, 29), date(2021, 11, 28)

	m := mediator(t, st, 1, "59")
	med := m.Mediator.ID
	for _, s := range []store.Sheet{
		dated("keep", med, "KEEP01", kept), dated("old", med, "OLD001", old),
		dated("both-old", med, "BOTH01", old), dated("both-new", med, "BOTH01", kept),
	} {
		if _, _, err := st.SaveSheet(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	for i, day := range []time.Time{old, kept} {
		if _, _, err := st.SaveAction(ctx, store.Action{ID: fmt.Sprint("a", i), MediatorID: med, Date: day, Role: "coanimee", Audience: "public"}); err != nil {
			t.Fatal(err)
		}
	}
	exec(t, st, `INSERT INTO reviews (mediator_id, year, helped) VALUES ($1, 2019, ''), ($1, 2020, 'la CPAM'), ($1, 2021, 'le CCAS')`, med)
	exec(t, st, `INSERT INTO job_runs (job, period, telegram_id, ran_at) VALUES ('a', '1', 1, $1), ('a', '2', 1, $2)`, justBefore, cutoff)
	exec(t, st, `INSERT INTO job_executions (job, scheduled, started_at, outcome) VALUES ('a', $1, $1, 'ok'), ('a', $2, $2, 'ok')`, justBefore, cutoff)
	register(t, st, 2, store.Invitation{Role: roles.Coordinator, Level: "region"})
	register(t, st, 3, store.Invitation{Role: roles.Mediator, Departement: "62"})
	register(t, st, 4, store.Invitation{Role: roles.Admin})
	exec(t, st, `INSERT INTO exports (user_id, at, scope, period_from, period_to, format) VALUES
		(2, $1, 'r', '2021-01-01', '2021-12-31', 'xlsx'), (2, $2, 'r', '2021-01-01', '2021-12-31', 'xlsx')`, justBefore, cutoff)
	exec(t, st, `INSERT INTO invitations (code_hash, role, expires_at) VALUES ('x1', 'admin', $1), ('x2', 'admin', $2)`, justBefore, cutoff)
	exec(t, st, `UPDATE users SET disabled_at = $1 WHERE telegram_id IN (2, 3)`, justBefore)
	exec(t, st, `UPDATE users SET disabled_at = $1 WHERE telegram_id = 4`, cutoff)
	exec(t, st, `INSERT INTO audit (at, action) VALUES ($1, 'x'), ($2, 'x')`, justBefore, cutoff)

	before := tableCounts(t, st)
	want := store.PurgeCounts{Sheets: 2, Requests: 4, Beneficiaries: 1, Actions: 1, ReviewAnswers: 1, JobRuns: 1, JobExecutions: 1, Exports: 1, Invitations: 1, Users: 2, Audit: 1}
	dry, err := st.Purge(ctx, cutoff, true)
	if err != nil || dry != want {
		t.Fatalf("dry run = %+v, %v; want %+v", dry, err, want)
	}
	if after := tableCounts(t, st); after != before {
		t.Fatalf("dry run changed rows:\n%s\n%s", before, after)
	}
	got, err := st.Purge(ctx, cutoff, false)
	if err != nil || got != dry {
		t.Fatalf("purge = %+v, %v; dry run said %+v", got, err, dry)
	}
	// One purge audit line added after the old one was deleted.
	wantAfter := "sheets=2 requests=4 beneficiaries=2 actions=1 reviews=3 job_runs=1 job_executions=1 exports=1 invitations=5 users=2 mediators=2 coordinators=0 audit=10 answers=1"
	if after := tableCounts(t, st); after != wantAfter {
		t.Fatalf("after purge:\n%s\nwant\n%s", after, wantAfter)
	}
	var sheets, people, helped string
	var exportUser *int64
	var post3 *int64
	if err := store.DBOf(st).QueryRow(ctx, `SELECT string_agg(id, ',' ORDER BY id) FROM sheets`).Scan(&sheets); err != nil {
		t.Fatal(err)
	}
	if err := store.DBOf(st).QueryRow(ctx, `SELECT string_agg(code, ',' ORDER BY code) FROM beneficiaries`).Scan(&people); err != nil {
		t.Fatal(err)
	}
	if err := store.DBOf(st).QueryRow(ctx, `SELECT string_agg(year || ':' || helped, ',' ORDER BY year) FROM reviews`).Scan(&helped); err != nil {
		t.Fatal(err)
	}
	if err := store.DBOf(st).QueryRow(ctx, `SELECT user_id FROM exports`).Scan(&exportUser); err != nil {
		t.Fatal(err)
	}
	if err := store.DBOf(st).QueryRow(ctx, `SELECT user_id FROM mediators WHERE departement = '62'`).Scan(&post3); err != nil {
		t.Fatal(err)
	}
	if sheets != "both-new,keep" || people != "BOTH01,KEEP01" || helped != "2019:,2020:,2021:le CCAS" || exportUser != nil || post3 != nil {
		t.Fatalf("kept sheets %q, people %q, reviews %q, export user %v, post of user 3 %v", sheets, people, helped, exportUser, post3)
	}
	es, err := st.AuditSince(ctx, cutoff)
	if err != nil {
		t.Fatal(err)
	}
	last := es[len(es)-1]
	if last.Action != store.AuditPurge || last.Actor != nil || last.Target != "before:2021-11-29" || last.Detail["sheets"] != float64(2) || last.Detail["users"] != float64(2) {
		t.Fatalf("purge audit line = %+v", last)
	}
	again, err := st.Purge(ctx, cutoff, false)
	if err != nil || again.Total() != 0 {
		t.Fatalf("second purge = %+v, %v", again, err)
	}
}

// codeTraces counts, over every column of every table, the rows whose text
// form contains code.
func codeTraces(t *testing.T, st *store.Store, code string) map[string]int {
	t.Helper()
	ctx := context.Background()
	rows, err := store.DBOf(st).Query(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	type col struct{ table, column string }
	cols, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (col, error) {
		var c col
		return c, r.Scan(&c.table, &c.column)
	})
	if err != nil || len(cols) < 50 {
		t.Fatalf("columns: %d, %v", len(cols), err)
	}
	out := map[string]int{}
	for _, c := range cols {
		var n int
		q := fmt.Sprintf(`SELECT count(*) FROM %s WHERE strpos(upper(%s::text), $1) > 0`,
			pgx.Identifier{c.table}.Sanitize(), pgx.Identifier{c.column}.Sanitize())
		if err := store.DBOf(st).QueryRow(ctx, q, code).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if n > 0 {
			out[c.table+"."+c.column] = n
		}
	}
	return out
}

func TestForgetLeavesNoTraceOfTheCode(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	m := mediator(t, st, 1, "59")
	med := m.Mediator.ID
	mine := dated("f1", med, "ZQX7K2", date(2026, 3, 2))
	mine.Note = "revu ZQX7K2 au CCAS"
	other := dated("f3", med, "KEEP01", date(2026, 3, 4))
	other.Note = "accompagné avec ZQX7K2"
	for _, s := range []store.Sheet{mine, dated("f2", med, "ZQX7K2", date(2026, 3, 3)), other} {
		if _, _, err := st.SaveSheet(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	exec(t, st, `INSERT INTO reviews (mediator_id, year, helped) VALUES ($1, 2025, 'suivi de ZQX7K2')`, med)
	if _, _, err := st.SaveAction(ctx, store.Action{ID: "a1", MediatorID: med, Date: date(2026, 3, 2), Role: "coanimee", Audience: "public", Title: "atelier ZQX7K2"}); err != nil {
		t.Fatal(err)
	}
	if traces := codeTraces(t, st, "ZQX7K2"); len(traces) != 4 || traces["sheets.note"] != 2 {
		t.Fatalf("before: traces %v, want 4 columns, 2 notes (the scan must see the code)", traces)
	}
	admin := ids.TelegramID(9)
	c, err := st.Forget(ctx, " zqx7k2 ", &admin, 0)
	if err != nil || c != (store.ForgetCounts{Sheets: 2, Requests: 4, Mentions: 3}) {
		t.Fatalf("forget = %+v, %v", c, err)
	}
	if traces := codeTraces(t, st, "ZQX7K2"); len(traces) != 0 {
		t.Fatalf("the code is still in %v", traces)
	}
	var note string
	if err := store.DBOf(st).QueryRow(ctx, `SELECT note FROM sheets WHERE id = 'f3'`).Scan(&note); err != nil || note != "accompagné avec [effacé]" {
		t.Fatalf("other sheet note = %q, %v", note, err)
	}
	if n := count(t, st, "sheets"); n != 1 {
		t.Fatalf("sheets left = %d, want 1 (the other person's)", n)
	}
	es, err := st.AuditSince(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	last := es[len(es)-1]
	if last.Action != store.AuditForget || *last.Actor != 9 || last.Target != st.BeneficiaryTarget("ZQX7K2") || last.Detail["sheets"] != float64(2) {
		t.Fatalf("forget audit = %+v", last)
	}
	if _, err := st.Forget(ctx, "ZQX7K2", &admin, 0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("forget twice: %v", err)
	}
	es, err = st.AuditSince(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if last := es[len(es)-1]; last.Action != store.AuditForget || last.Detail["found"] != false {
		t.Fatalf("forget of an unknown code not audited: %+v", last)
	}
}

func TestBeneficiaryDataForAnAccessRequest(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	m := mediator(t, st, 1, "59")
	first := dated("f1", m.Mediator.ID, "ZQX7K2", date(2026, 3, 2))
	first.Note = "orientée CPAM"
	for _, s := range []store.Sheet{dated("f2", m.Mediator.ID, "ZQX7K2", date(2026, 3, 3)), first, dated("f3", m.Mediator.ID, "KEEP01", date(2026, 3, 4))} {
		if _, _, err := st.SaveSheet(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	d, err := st.Beneficiary(ctx, "zqx7k2", nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.Person.Code != "ZQX7K2" || d.Departement != "59" || d.Structure != "CCAS Roubaix" || len(d.Sheets) != 2 ||
		d.Sheets[0].ID != "f1" || d.Sheets[0].Note != "orientée CPAM" || len(d.Sheets[0].Requests) != 2 || d.Sheets[0].Requests[0].Type != "css" ||
		d.Sheets[1].ID != "f2" || d.Sheets[1].Number != 1 {
		t.Fatalf("beneficiary data = %+v", d)
	}
	es, err := st.AuditSince(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if last := es[len(es)-1]; last.Action != store.AuditAccess || last.Target != st.BeneficiaryTarget("ZQX7K2") || last.Actor != nil {
		t.Fatalf("access audit = %+v", last)
	}
	if _, err := st.Beneficiary(ctx, "NOPE01", nil); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown code: %v", err)
	}
}

// A person without a sheet is kept while last seen on the cutoff day, and
// purged the day before.
func TestPurgeKeepsPeopleSeenOnTheCutoffDay(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	ctx := context.Background()
	cutoff := time.Date(2021, 11, 29, 0, 0, 0, 0, time.UTC)
	for _, q := range []string{
		`INSERT INTO mediators (identifier, departement) VALUES ('M1', '59')`,
		`INSERT INTO beneficiaries (code, mediator_id, last_seen) VALUES ('KEEP01', 1, '2021-11-29'), ('GONE01', 1, '2021-11-28')`,
	} {
		if _, err := db.SQL.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	c, err := db.Store.Purge(ctx, cutoff, false)
	if err != nil || c.Beneficiaries != 1 {
		t.Fatalf("purged %d people (%v), want 1", c.Beneficiaries, err)
	}
	var left string
	if err := db.SQL.QueryRow(ctx, `SELECT string_agg(code, ',') FROM beneficiaries`).Scan(&left); err != nil || left != "KEEP01" {
		t.Fatalf("people left %q (%v), want KEEP01", left, err)
	}
}

// The audit names an erased person by one hash whatever the case typed, so
// the DPO finds the same line for "abc123" and "ABC123".
func TestBeneficiaryTargetReadsTheCodeAsTheBot(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	if st.BeneficiaryTarget(" abc123 ") != st.BeneficiaryTarget("ABC123") {
		t.Fatal("the same code typed in lower case hashes differently")
	}
	if st.BeneficiaryTarget("ABC123") == st.BeneficiaryTarget("ABC124") {
		t.Fatal("two codes hash alike")
	}
}
