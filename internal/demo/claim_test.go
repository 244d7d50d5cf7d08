package demo_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/bulkimport"
	"github.com/relais-sante/relais/internal/demo"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
	"github.com/relais-sante/relais/internal/trackingcsv"
)

const trackingHeader = "sheet_id,date,mediator,departement,beneficiary,sex,age,qpv,resources,contact_mode,level,social_protection,request_kind,request_type,status,follow_up,obstacles\n"

// importTracking runs `relais import` on file.
func importTracking(t *testing.T, st *store.Store, file string) {
	t.Helper()
	var out bytes.Buffer
	if err := trackingcsv.RunImport(context.Background(), bulkimport.New(st), bytes.NewReader([]byte(trackingHeader+file)), testenv.Served("32"), false, &out); err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
}

// marks counts the demo's mark in db (what the next start reads).
func marks(t *testing.T, db *testenv.DB) int {
	t.Helper()
	var n int
	if err := db.SQL.QueryRow(context.Background(), `SELECT count(*) FROM demo_state WHERE key = 'database'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// wantRefused checks that claiming db is refused with exactly want, ending
// with what to do, and that it left no mark.
func wantRefused(t *testing.T, db *testenv.DB, want string) {
	t.Helper()
	before := marks(t, db)
	err := demo.ClaimDatabase(context.Background(), db.Store, demo.Personas())
	full := want + " : la démo n'a pas de connexion, elle ne doit jamais ouvrir une base réelle. " +
		"Donnez-lui sa propre base (RELAIS_DEMO_DATABASE_URL, par défaut relais_demo, créée si elle n'existe pas)"
	if err == nil || err.Error() != full || !errors.Is(err, demo.ErrNotDemoDatabase) {
		t.Fatalf("claim = %v\nwant %s", err, full)
	}
	if after := marks(t, db); after != before {
		t.Fatalf("a refused claim changed the mark: %d, then %d", before, after)
	}
}

func wantAccepted(t *testing.T, db *testenv.DB) {
	t.Helper()
	if err := demo.ClaimDatabase(context.Background(), db.Store, demo.Personas()); err != nil {
		t.Fatalf("claim: %v", err)
	}
	if n := marks(t, db); n != 1 {
		t.Fatalf("%d marks after an accepted claim, want 1", n)
	}
}

// A database the demo did not mark is refused as soon as it holds a
// sheet, a person, a post, an action or a review, naming each.
func TestDemoRefusesAnUnmarkedDatabaseWithRecords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.NewDB(t)
	ids, err := db.Store.EnsurePosts(ctx, []store.Mediator{{Identifier: "CCAS-LILLE-1", Departement: "59"}})
	if err != nil {
		t.Fatal(err)
	}
	wantRefused(t, db, "cette base n'a pas été créée par la démo et contient déjà des données (1 poste de médiateur)")

	yes := true
	if err := db.Store.SaveHistory(ctx,
		[]store.Action{{ID: "a-1", MediatorID: ids["CCAS-LILLE-1"], Date: time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC), Role: "coanimee", Audience: "public"}},
		[]store.Review{{MediatorID: ids["CCAS-LILLE-1"], Year: 2025, Identified: &yes}}); err != nil {
		t.Fatal(err)
	}
	importTracking(t, db.Store, "R1,2025-03-04,CCAS-LILLE-1,59,PR1,F,30,oui,rsa,aller_vers,oriente,oui,droits,css,resolue,,\n"+
		"R2,2025-03-05,CCAS-LILLE-1,59,PR2,M,50,non,salaire,contact_direct,informe,non,soins,rdv,en_cours,,\n")
	wantRefused(t, db, "cette base n'a pas été créée par la démo et contient déjà des données "+
		"(2 fiches, 2 personnes accompagnées, 1 poste de médiateur, 1 action collective, 1 bilan annuel)")

	// A synthetic-looking identifier alone proves nothing.
	other := testenv.NewDB(t)
	if _, err := other.Store.EnsurePosts(ctx, []store.Mediator{{Identifier: "DEMO-59-01", Departement: "59"}}); err != nil {
		t.Fatal(err)
	}
	wantRefused(t, other, "cette base n'a pas été créée par la démo et contient déjà des données (1 poste de médiateur)")
}

// The demo marks the empty database it starts on; marked, it keeps being
// accepted with its personas' and synthetic records, until anything else
// is imported or registered there.
func TestDemoMarksItsDatabaseAndRefusesRecordsAddedSince(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.NewDB(t)
	wantAccepted(t, db)
	register(t, db.Store, time.Now())
	importTracking(t, db.Store, "D1,2025-03-04,DEMO-59-01,59,PD1,F,30,oui,rsa,aller_vers,oriente,oui,droits,css,resolue,,\n")
	wantAccepted(t, db) // marked: its personas and synthetic posts are the demo's own

	importTracking(t, db.Store, "R1,2025-03-04,CCAS-LILLE-1,59,PR1,F,30,oui,rsa,aller_vers,oriente,oui,droits,css,resolue,,\n")
	wantRefused(t, db, "cette base contient des postes de médiateur qui ne sont pas ceux de la démo (1 poste)")
	if _, err := db.SQL.Exec(ctx, `DELETE FROM requests; DELETE FROM sheets; DELETE FROM beneficiaries WHERE code = 'PR1';
		DELETE FROM mediators WHERE identifier = 'CCAS-LILLE-1'`); err != nil {
		t.Fatal(err)
	}
	wantAccepted(t, db)

	code, err := db.Store.CreateInvitation(ctx, store.Invitation{Role: roles.Coordinator, Level: "region", ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Store.RedeemInvitation(ctx, code, 777001, 777001, "Réelle", time.Now()); err != nil {
		t.Fatal(err)
	}
	wantRefused(t, db, "cette base contient des utilisateurs qui ne sont pas ceux de la démo (1 utilisateur)")
}

// A database an older demo used (its chats are kept there, no mark yet)
// holding only the personas, their posts and synthetic ones is adopted
// and marked; one where a real post shows up is refused.
func TestDemoAdoptsAnOlderDemoDatabaseOnlyWithDemoRecords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	older := func() *testenv.DB {
		db := testenv.NewDB(t)
		register(t, db.Store, time.Now())
		importTracking(t, db.Store, "D1,2025-03-04,DEMO-59-01,59,PD1,F,30,oui,rsa,aller_vers,oriente,oui,droits,css,resolue,,\n")
		if err := db.Store.SaveDemoState(ctx, "telegram_chats", []byte(`{"clean":true,"telegram":{}}`)); err != nil {
			t.Fatal(err)
		}
		return db
	}
	wantAccepted(t, older())

	mixed := older()
	importTracking(t, mixed.Store, "R1,2025-03-04,CCAS-LILLE-1,59,PR1,F,30,oui,rsa,aller_vers,oriente,oui,droits,css,resolue,,\n")
	wantRefused(t, mixed, "cette base contient des postes de médiateur qui ne sont pas ceux de la démo (1 poste)")
}

// A real deployment's first hours hold no sheet nor post yet: invitations
// sent with relais invite, the audit's lines, codes erased on request.
// Such a database is not the demo's: the demo would write its synthetic
// year into the real reports and its personas among the real accounts.
func TestDemoRefusesAnUnmarkedDatabaseOfARealDeployment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	invited := testenv.NewDB(t)
	if _, err := invited.Store.CreateInvitation(ctx, store.Invitation{Role: roles.Coordinator, Level: "region", ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	wantRefused(t, invited, "cette base n'a pas été créée par la démo et contient déjà des données (1 invitation, 1 ligne du journal d'audit)")

	audited := testenv.NewDB(t)
	if err := audited.Store.Audit(ctx, store.AuditEntry{Action: "user.disabled", Target: "user:42"}); err != nil {
		t.Fatal(err)
	}
	if _, err := audited.SQL.Exec(ctx, `INSERT INTO forgotten_codes (fingerprint) VALUES ('hmac-sha256:ab12')`); err != nil {
		t.Fatal(err)
	}
	wantRefused(t, audited, "cette base n'a pas été créée par la démo et contient déjà des données "+
		"(1 ligne du journal d'audit, 1 code effacé à la demande d'une personne)")
}
