package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

// A bot export is logged in exports and, in the same statement, in the audit
// trail, with the days the user chose even when the period was built in
// Paris time (midnight in Paris is the day before in UTC).
func TestRecordExportLogsTheExportAndItsAuditLine(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	st := db.Store
	ctx := context.Background()
	if _, err := db.SQL.Exec(ctx, `INSERT INTO users (telegram_id, role, chat_id) VALUES (42, 'coordinator', 42)`); err != nil {
		t.Fatal(err)
	}
	e := store.Export{UserID: 42, Scope: "d:59:0:", Format: "xlsx",
		From: time.Date(2024, 1, 1, 0, 0, 0, 0, testenv.Paris), To: time.Date(2024, 12, 31, 0, 0, 0, 0, testenv.Paris)}
	if err := st.RecordExport(ctx, e); err != nil {
		t.Fatal(err)
	}
	var row string
	if err := db.SQL.QueryRow(ctx, `SELECT concat_ws('|', id, user_id, scope, period_from, period_to, format) FROM exports`).Scan(&row); err != nil {
		t.Fatal(err)
	}
	if row != "1|42|d:59:0:|2024-01-01|2024-12-31|xlsx" {
		t.Errorf("exports row = %q", row)
	}
	es, err := st.AuditSince(ctx, time.Time{})
	if err != nil || len(es) != 1 {
		t.Fatalf("audit = %+v, %v", es, err)
	}
	a := es[0]
	if a.Actor == nil || *a.Actor != 42 || a.Action != "export" || a.Target != "d:59:0:" || a.Detail["format"] != "xlsx" ||
		a.Detail["from"] != "2024-01-01" || a.Detail["to"] != "2024-12-31" || a.Detail["source"] != "bot" || a.Detail["export"] != 1.0 {
		t.Errorf("audit line = %+v", a)
	}
}

// An export that cannot be logged (here: an unknown user) leaves no audit
// line either, and the caller hears of it.
func TestRecordExportIsAllOrNothing(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	ctx := context.Background()
	err := db.Store.RecordExport(ctx, store.Export{UserID: 7, Scope: "r", Format: "csv",
		From: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)})
	if err == nil {
		t.Fatal("export of an unknown user recorded")
	}
	var n int
	if err := db.SQL.QueryRow(ctx, `SELECT (SELECT count(*) FROM exports) + (SELECT count(*) FROM audit)`).Scan(&n); err != nil || n != 0 {
		t.Errorf("rows left = %d, %v", n, err)
	}
}

// The report read models get a reader that starts transactions, so
// indicators.Compute reads all its queries from one snapshot.
func TestReportsReaderStartsTransactions(t *testing.T) {
	t.Parallel()
	r := testenv.NewDB(t).Store.Reports()
	if _, ok := r.(interface {
		BeginTx(context.Context, pgx.TxOptions) (pgx.Tx, error)
	}); !ok {
		t.Fatalf("Reports() is a %T: Compute would read each table at a different moment", r)
	}
}
