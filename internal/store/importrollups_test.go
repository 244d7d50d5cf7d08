package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

// rollupSnapshot is every rollup row, formatted and sorted (the sums
// without their zero rows, which only a refresh leaves).
func rollupSnapshot(t *testing.T, db *pgxpool.Pool) string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT format('%s %s %s %s %s %s %s %s', grain, day, mediator_id, dim, code, n, resolved, open) FROM report_counts`,
		`SELECT format('fu %s %s %s %s %s', mediator_id, sheet_day, what, day, n) FROM report_follow_ups`,
		`SELECT format('fud %s %s %s %s', what, day, mediator_id, n) FROM report_follow_up_days WHERE n <> 0`,
		`SELECT format('p %s %s %s %s %s %s %s %s %s %s', span, start, mediator_id, beneficiary_id, first_visit,
		        first_qpv, first_sp, first_rights, first_care, shared) FROM report_people`,
		`SELECT format('pd %s %s %s %s %s %s %s %s %s %s', span, start, mediator_id, day, visit, alone, qpv, sp, rights, care)
		 FROM report_people_days WHERE (visit, alone, qpv, sp, rights, care) <> (0, 0, 0, 0, 0, 0)`,
	} {
		rows, err := db.Query(context.Background(), q+` ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		got, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, got...)
	}
	return strings.Join(out, "\n") + "\n"
}

// insertImported writes the base rows of the file's sheets that are not
// known, as the import's writer would (resolved at the line's midnight in
// zone), with the rollup triggers off.
func insertImported(ctx context.Context, tx pgx.Tx, rows []store.ImportRow, ids map[string]store.ImportSheetIDs, zone *time.Location) error {
	position, seen := map[string]int{}, map[string]bool{}
	for _, r := range rows {
		id := ids[r.SheetID]
		if id.Known {
			continue
		}
		if !seen[r.SheetID] {
			seen[r.SheetID] = true
			if _, err := tx.Exec(ctx, `
				INSERT INTO sheets (id, mediator_id, beneficiary_id, date, sex, age, qpv, resources, contact_mode, level,
				                    social_protection, obstacles, source)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'import')`,
				r.SheetID, id.MediatorID, id.BeneficiaryID, r.Date, r.Sex, r.Age, r.QPV, r.Resources, r.ContactMode, r.Level,
				r.SocialProtection, append([]string{}, r.Obstacles...)); err != nil {
				return err
			}
		}
		if r.RequestKind == "" {
			continue
		}
		position[r.SheetID]++
		y, m, d := r.Date.Date()
		at := time.Date(y, m, d, 0, 0, 0, 0, zone)
		var resolved *time.Time
		if r.Status == "resolue" {
			resolved = &at
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO requests (sheet_id, position, kind, type, status, follow_up, status_changed_at, resolved_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			r.SheetID, position[r.SheetID], r.RequestKind, r.RequestType, r.Status, r.FollowUp, at, resolved); err != nil {
			return err
		}
	}
	return nil
}

// The rollups writeImportRollups writes for the fresh days and the new
// people, with rollup_refresh for the rest as refreshRollups does, are
// those a rebuild from the base tables gives, row for row. Before the
// import, mediator 1 has a sheet on 4 March 2024 (person 1, a follow-up on
// 2 April) and a stale day row on 5 March; the file's zone is Tokyo's, so
// a request resolved at its midnight falls on the day before in Paris.
func TestWriteImportRollupsEqualARebuild(t *testing.T) {
	db := testenv.NewDB(t).SQL
	ctx := context.Background()
	date := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if _, err := db.Exec(ctx, `
		INSERT INTO mediators (identifier, departement) VALUES ('M1', '59'), ('M2', '62');
		INSERT INTO beneficiaries (code, mediator_id) VALUES ('P0', 1);
		INSERT INTO sheets (id, mediator_id, beneficiary_id, date, sex, age, qpv, resources, contact_mode, level, social_protection)
		VALUES ('OLD1', 1, 1, '2024-03-04', 'F', 50, 'oui', 'rsa', 'aller_vers', 'oriente', 'oui');
		INSERT INTO requests (sheet_id, position, kind, type, status, follow_up)
		VALUES ('OLD1', 1, 'droits', 'css', 'en_cours', '2024-04-02');
		INSERT INTO report_counts (grain, day, mediator_id, dim, code, n) VALUES ('d', '2024-03-05', 1, 'sheets', '', 99)`); err != nil {
		t.Fatal(err)
	}
	row := func(line int, sheet, day, kind, typ, status string, f func(*store.ImportRow)) store.ImportRow {
		age := 30
		r := store.ImportRow{Line: line, SheetID: sheet, Date: date(day), Sex: "F", Age: &age, QPV: "oui",
			Resources: "rsa", ContactMode: "aller_vers", Level: "oriente", SocialProtection: "oui",
			RequestKind: kind, RequestType: typ, Status: status}
		if f != nil {
			f(&r)
		}
		return r
	}
	follow := func(day string) *time.Time { d := date(day); return &d }
	a2 := func(r *store.ImportRow) { r.Sex, r.Age, r.QPV, r.Obstacles = "M", nil, "non", nil }
	b2 := func(r *store.ImportRow) { r.Sex, r.Age, r.QPV = "M", nil, "non" }
	rows := []store.ImportRow{
		row(2, "B3", "2025-02-03", "droits", "css", "en_cours", func(r *store.ImportRow) { r.FollowUp = follow("2025-02-10") }),
		row(3, "B1", "2025-01-01", "soins", "autre", "resolue", func(r *store.ImportRow) { r.SocialProtection = "non" }),
		row(4, "B2", "2025-01-01", "droits", "css", "en_cours", func(r *store.ImportRow) { b2(r); r.FollowUp = follow("2025-02-10") }),
		row(5, "B2", "2025-01-01", "soins", "rdv", "en_cours", b2), // no follow-up day
		row(6, "A2", "2024-03-05", "droits", "css", "resolue", a2),
		row(7, "A2", "2024-03-05", "droits", "autre", "en_cours", func(r *store.ImportRow) { a2(r); r.FollowUp = follow("2024-04-02") }),
		row(8, "A2", "2024-03-05", "soins", "rdv", "non_resolue", a2),
		row(9, "A2", "2024-03-05", "droits", "css", "resolue", a2),
		row(10, "A1", "2024-03-04", "soins", "rdv", "en_cours", nil), // a day with a sheet before
		row(11, "A3", "2024-03-05", "", "", "", func(r *store.ImportRow) {
			r.Sex, r.Obstacles, r.SocialProtection = "X", []string{"langue", "langue", "mobilite"}, "non"
			r.Resources, r.ContactMode, r.Level = "salaire", "demarche_usager", "accompagne"
		}),
		row(12, "A4", "2024-12-31", "droits", "css", "resolue", nil),                                                               // person 1, known
		row(13, "OLD1", "2024-03-04", "droits", "css", "en_cours", func(r *store.ImportRow) { r.FollowUp = follow("2024-04-02") }), // imported before
	}
	ids := map[string]store.ImportSheetIDs{
		"B3": {MediatorID: 2, BeneficiaryID: 4, NewPerson: true}, "B1": {MediatorID: 2, BeneficiaryID: 4, NewPerson: true},
		"B2": {MediatorID: 2, BeneficiaryID: 5, NewPerson: true},
		"A2": {MediatorID: 1, BeneficiaryID: 2, NewPerson: true}, "A1": {MediatorID: 1, BeneficiaryID: 2, NewPerson: true},
		"A3": {MediatorID: 1, BeneficiaryID: 3, NewPerson: true},
		"A4": {MediatorID: 1, BeneficiaryID: 1}, "OLD1": {Known: true, MediatorID: 1, BeneficiaryID: 1},
	}
	fresh := map[store.ImportDayKey]bool{
		{MediatorID: 1, Day: date("2024-03-04")}: false,
		{MediatorID: 1, Day: date("2024-03-05")}: true, {MediatorID: 1, Day: date("2024-12-31")}: true,
		{MediatorID: 2, Day: date("2025-01-01")}: true, {MediatorID: 2, Day: date("2025-02-03")}: true,
	}
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	if err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL relais.rollup = 'off';
			INSERT INTO beneficiaries (code, mediator_id) VALUES ('P2', 1), ('P3', 1), ('P4', 2), ('P5', 2)`); err != nil {
			return err
		}
		if err := insertImported(ctx, tx, rows, ids, tokyo); err != nil {
			return err
		}
		if err := store.WriteImportRollups(ctx, tx, rows, ids, fresh, tokyo); err != nil {
			return err
		}
		// What refreshRollups leaves to SQL: the other day, the known
		// person, the fresh days' months.
		if _, err := tx.Exec(ctx, `SELECT rollup_refresh(ARRAY[1]::bigint[], ARRAY['2024-03-04']::date[], ARRAY[1]::bigint[])`); err != nil {
			return err
		}
		months := `SELECT DISTINCT k.m, date_trunc('month', k.d::timestamp)::date AS month
			FROM unnest(ARRAY[1, 1, 2, 2]::bigint[], ARRAY['2024-03-05', '2024-12-31', '2025-01-01', '2025-02-03']::date[]) AS k(m, d)`
		if _, err := tx.Exec(ctx, `DELETE FROM report_counts c USING (`+months+`) k
			WHERE c.grain = 'm' AND c.day = k.month AND c.mediator_id = k.m`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `
			INSERT INTO report_counts (grain, day, mediator_id, dim, code, n, resolved, open)
			SELECT 'm', k.month, c.mediator_id, c.dim, c.code, sum(c.n), sum(c.resolved), sum(c.open)
			FROM (`+months+`) k
			JOIN report_counts c ON c.grain = 'd' AND c.mediator_id = k.m
			     AND c.day >= k.month AND c.day < (k.month + INTERVAL '1 month')::date
			GROUP BY k.month, c.mediator_id, c.dim, c.code`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var codes string
	if err := db.QueryRow(ctx, `SELECT string_agg(code || '=' || id, ' ' ORDER BY id) FROM beneficiaries`).Scan(&codes); err != nil {
		t.Fatal(err)
	}
	if codes != "P0=1 P2=2 P3=3 P4=4 P5=5" {
		t.Fatalf("beneficiary ids %s, the ids given to the file", codes)
	}
	// report_people is written person by person (its index grows at its end).
	var order string
	if err := db.QueryRow(ctx, `SELECT string_agg(beneficiary_id::text, ' ' ORDER BY ctid) FROM report_people WHERE beneficiary_id <> 1`).Scan(&order); err != nil {
		t.Fatal(err)
	}
	if order != "2 2 3 3 4 4 4 5 5" {
		t.Errorf("report_people written in the order %s, want by person", order)
	}
	imported := rollupSnapshot(t, db)
	if _, err := db.Exec(ctx, `SELECT rollup_rebuild()`); err != nil {
		t.Fatal(err)
	}
	if rebuilt := rollupSnapshot(t, db); imported != rebuilt {
		t.Errorf("rollups after the import:\n%s\nrebuilt from the base tables:\n%s", imported, rebuilt)
	}
	for _, want := range []string{
		"d 2024-03-05 1 sheets  2 0 0", // the stale 99 is gone
		"d 2024-03-05 1 obstacle langue 2 0 0",
		"d 2024-03-05 1 droits css 2 2 0",
		"fu 1 2024-03-05 r 2024-03-04 2", // Tokyo's midnight: the day before in Paris
		"fu 1 2024-12-31 r 2024-12-30 1",
		"fud o 2024-04-02 1 2", // OLD1's and A2's
		"fud o 2025-02-10 2 2", // B2's and B3's days summed
		"p m 2024-03-01 1 2 2024-03-04 2024-03-04 2024-03-04 2024-03-05 2024-03-04 f",
		"p y 2025-01-01 2 4 2025-01-01 2025-01-01 2025-02-03 2025-02-03 2025-01-01 f",
		"pd m 2024-03-01 1 2024-03-04 2 2 2 2 1 1", // person 1's (before) and 2's (added)
	} {
		if !strings.Contains(imported, want+"\n") {
			t.Errorf("no %q in the rollups:\n%s", want, imported)
		}
	}
}
