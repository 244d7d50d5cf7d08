package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

// seedYears writes 60 mediators' sheets over six years, a region's volume
// (about 4 200 sheets a year, two requests each).
func seedYears(b *testing.B, st *store.Store) {
	b.Helper()
	ctx := context.Background()
	for i := range 60 {
		code, err := st.CreateInvitation(ctx, store.Invitation{Role: roles.Mediator, Departement: "59", ExpiresAt: now.Add(time.Hour)})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := st.RedeemInvitation(ctx, code, ids.TelegramID(int64(1000+i)), ids.ChatID(int64(1000+i)), "M", now); err != nil {
			b.Fatal(err)
		}
	}
	_, err := store.DBOf(st).Exec(ctx, `
		INSERT INTO beneficiaries (code, mediator_id, last_seen)
		SELECT 'P' || g, (SELECT min(id) FROM mediators) + g % 60, DATE '2020-01-01' + (g % 2190)
		FROM generate_series(1, 12000) g;
		INSERT INTO sheets (id, mediator_id, beneficiary_id, date, sex, qpv, resources, contact_mode, level, social_protection)
		SELECT 's' || g, b.mediator_id, b.id, DATE '2020-01-01' + (g % 2190), 'F', 'oui', 'rsa', 'aller_vers', 'informe', 'non'
		FROM generate_series(1, 25000) g JOIN beneficiaries b ON b.code = 'P' || (1 + g % 12000);
		INSERT INTO requests (sheet_id, position, kind, type, status)
		SELECT id, p, 'droits', 'css', 'resolue' FROM sheets CROSS JOIN generate_series(1, 2) p;
		ANALYZE`)
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPurgeDryRun: the daily purge's cost on six years of a region,
// one year past the cutoff (the dry run does the same work, rolled back).
func BenchmarkPurgeDryRun(b *testing.B) {
	st := testenv.NewDB(b).Store
	seedYears(b, st)
	ctx := context.Background()
	cutoff := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		c, err := st.Purge(ctx, cutoff, true)
		if err != nil || c.Sheets == 0 {
			b.Fatalf("%+v %v", c, err)
		}
	}
}

// BenchmarkListUsersRegion: /equipe for a regional coordinator, last
// activity computed from six years of sheets.
func BenchmarkListUsersRegion(b *testing.B) {
	st := testenv.NewDB(b).Store
	seedYears(b, st)
	ctx := context.Background()
	for b.Loop() {
		ms, err := st.ListUsers(ctx, store.Coordinator{Level: "region"})
		if err != nil || len(ms) != 60 {
			b.Fatalf("%d %v", len(ms), err)
		}
	}
}
