package export_test

import (
	"context"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/export"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/testenv"
)

// A bot export leaves a line in the audit trail beside the exports log.
func TestRecordWritesAnAuditLine(t *testing.T) {
	db := testenv.NewDB(t)
	ctx := context.Background()
	if _, err := db.Store.Pool.Exec(ctx, `INSERT INTO users (telegram_id, role, chat_id) VALUES (42, 'coordinator', 42)`); err != nil {
		t.Fatal(err)
	}
	if err := export.Record(ctx, db.Store.Pool, 42, indicators.Departement("59"), indicators.Year(2024), export.FormatCSV); err != nil {
		t.Fatal(err)
	}
	es, err := db.Store.AuditSince(ctx, time.Time{})
	if err != nil || len(es) != 1 {
		t.Fatalf("audit = %+v, %v", es, err)
	}
	e := es[0]
	if *e.Actor != 42 || e.Action != "export" || e.Target != "d:59:0:" || e.Detail["format"] != "csv" || e.Detail["from"] != "2024-01-01" ||
		e.Detail["to"] != "2024-12-31" || e.Detail["source"] != "bot" {
		t.Fatalf("audit line = %+v", e)
	}
}
