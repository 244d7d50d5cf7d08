package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

// The bot takes codes typed in lower case, and mediators write them so in
// notes: an erasure finds every mention whatever its case, in every free
// text (sheet notes, action titles, partner names, review answers), as a
// whole word only.
func TestForgetErasesEveryMentionInAnyCase(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	med := mediator(t, st, 1, "59").Mediator.ID
	other := dated("f2", med, "KEEP01", date(2026, 3, 4))
	other.Note = "revu zqx7k2 hier, puis Zqx7K2 (tél.)"
	substring := dated("f3", med, "KEEP02", date(2026, 3, 5))
	substring.Note = "dossier XZQX7K2 et ZQX7K2B à part"
	for _, s := range []store.Sheet{dated("f1", med, "ZQX7K2", date(2026, 3, 2)), other, substring} {
		if _, _, err := st.SaveSheet(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := st.SaveAction(ctx, store.Action{ID: "a1", MediatorID: med, Date: date(2026, 3, 2), Role: "coanimee", Audience: "public", Title: "atelier avec zqx7k2"}); err != nil {
		t.Fatal(err)
	}
	exec(t, st, `INSERT INTO partners (mediator_id, name, category, type) VALUES ($1, 'Famille zQx7k2', 'social', 'association'), ($1, 'CCAS', 'social', 'ccas'),
		($1, 'Asso ZQX7K2', 'social', 'association'), ($1, 'Asso [effacé]', 'social', 'association')`, med)
	exec(t, st, `INSERT INTO reviews (mediator_id, year, helped, hindered, improve) VALUES ($1, 2025, 'suivi de zqx7k2', 'Zqx7k2.', 'rien')`, med)

	c, err := st.Forget(ctx, "ZQX7K2", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if c.Sheets != 1 || c.Mentions != 5 {
		t.Fatalf("forget = %+v, want 1 sheet and 5 rows mentioning the code (a note, an action, 2 partners, a review)", c)
	}
	for _, q := range []struct{ sql, want string }{
		{`SELECT note FROM sheets WHERE id = 'f2'`, "revu [effacé] hier, puis [effacé] (tél.)"},
		{`SELECT note FROM sheets WHERE id = 'f3'`, "dossier XZQX7K2 et ZQX7K2B à part"},
		{`SELECT title FROM actions WHERE id = 'a1'`, "atelier avec [effacé]"},
		{`SELECT string_agg(name, '|' ORDER BY name) FROM partners`, "Asso [effacé]|Asso [effacé] (3)|CCAS|Famille [effacé]"},
		{`SELECT helped || '|' || hindered || '|' || improve FROM reviews`, "suivi de [effacé]|[effacé].|rien"},
	} {
		var got string
		if err := store.DBOf(st).QueryRow(ctx, q.sql).Scan(&got); err != nil || got != q.want {
			t.Errorf("%s = %q (%v), want %q", q.sql, got, err, q.want)
		}
	}
}

// sha256Hex is the unkeyed fingerprint an attacker can compute for each of
// the 31^6 codes.
func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// lastForgetTarget forgets code (saved first) and returns the audit target.
func lastForgetTarget(t *testing.T, st *store.Store, code string) string {
	t.Helper()
	ctx := context.Background()
	med := mediator(t, st, 1, "59").Mediator.ID
	if _, _, err := st.SaveSheet(ctx, dated("f-"+code, med, code, date(2026, 3, 2))); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Forget(ctx, code, nil, 0); err != nil {
		t.Fatal(err)
	}
	es, err := st.AuditSince(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	last := es[len(es)-1]
	if last.Action != store.AuditForget {
		t.Fatalf("last audit line = %+v, want the erasure", last)
	}
	return last.Target
}

// The audit names an erased code by a keyed fingerprint: without the
// database's key (or RELAIS_AUDIT_KEY), no one can try the 31^6 codes.
func TestForgetAuditFingerprintIsKeyed(t *testing.T) {
	t.Parallel()
	a, b := testenv.NewDB(t), testenv.NewDB(t)
	ta, tb := lastForgetTarget(t, a.Store, "ZQX7K2"), lastForgetTarget(t, b.Store, "ZQX7K2")
	for _, plain := range []string{sha256Hex("ZQX7K2"), sha256Hex("relais-forget:ZQX7K2"), sha256Hex("zqx7k2")} {
		if strings.Contains(ta, plain) {
			t.Fatalf("audit target %s is a plain SHA-256 of the code", ta)
		}
	}
	if !strings.HasPrefix(ta, "beneficiary:") || len(ta) < len("beneficiary:")+64 {
		t.Fatalf("audit target %q does not name a beneficiary by a fingerprint", ta)
	}
	if ta == tb {
		t.Fatalf("two databases with their own keys give the same fingerprint %s", ta)
	}
	ctx := context.Background()
	// The generated key is the database's: a restart (or another replica) reads it again.
	again, err := store.Open(ctx, a.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if got := again.BeneficiaryTarget("zqx7k2"); got != ta {
		t.Fatalf("after a restart the fingerprint is %s, want %s", got, ta)
	}
	// RELAIS_AUDIT_KEY: the same key gives the same fingerprint in two
	// databases (new ones: a and b hold codes erased under their own key,
	// TestAnotherAuditKeyDoesNotBringErasedPeopleBack).
	const key = "une clé d'audit d'au moins trente-deux caractères"
	var keyed []string
	for _, db := range []*testenv.DB{testenv.NewDB(t), testenv.NewDB(t)} {
		st, err := store.Open(ctx, db.URL, store.WithAuditKey(key))
		if err != nil {
			t.Fatal(err)
		}
		keyed = append(keyed, st.BeneficiaryTarget("ZQX7K2"))
		st.Close()
	}
	if keyed[0] != keyed[1] || keyed[0] == ta || keyed[0] == tb {
		t.Fatalf("fingerprints with RELAIS_AUDIT_KEY: %v (generated keys: %s, %s)", keyed, ta, tb)
	}
}

// Replicas starting together on a new database agree on one generated key.
func TestAuditKeyGeneratedOnceAcrossReplicas(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	ctx := context.Background()
	if _, err := db.SQL.Exec(ctx, `DELETE FROM audit_key`); err != nil {
		t.Fatal(err)
	}
	const replicas = 6
	targets := make(chan string, replicas)
	errs := make(chan error, replicas)
	for range replicas {
		go func() {
			st, err := store.Open(ctx, db.URL)
			if err != nil {
				errs <- err
				return
			}
			defer st.Close()
			targets <- st.BeneficiaryTarget("ZQX7K2")
		}()
	}
	seen := map[string]bool{}
	for range replicas {
		select {
		case err := <-errs:
			t.Fatal(err)
		case tg := <-targets:
			seen[tg] = true
		}
	}
	var keys int
	if err := db.SQL.QueryRow(ctx, `SELECT count(*) FROM audit_key`).Scan(&keys); err != nil || keys != 1 || len(seen) != 1 {
		t.Fatalf("%d keys stored (%v), %d fingerprints among %d replicas; want 1 and 1", keys, err, len(seen), replicas)
	}
}

// An erased code is never saved again: a draft left in Redis, a retry or a
// code typed again finds the door closed, and nothing is written.
func TestForgottenCodeIsNeverSavedAgain(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	med := mediator(t, st, 1, "59").Mediator.ID
	for _, s := range []store.Sheet{dated("f1", med, "ZQX7K2", date(2026, 3, 2)), dated("f2", med, "KEEP01", date(2026, 3, 3))} {
		if _, _, err := st.SaveSheet(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Forget(ctx, "zqx7k2", nil, 0); err != nil {
		t.Fatal(err)
	}
	_, _, err := st.SaveSheet(ctx, dated("f3", med, "ZQX7K2", date(2026, 3, 4)))
	if !errors.Is(err, store.ErrBeneficiaryForgotten) {
		t.Errorf("save with the erased code: %v, want ErrBeneficiaryForgotten", err)
	}
	edited := dated("f2", med, "ZQX7K2", date(2026, 3, 3))
	if _, err := st.UpdateSheet(ctx, edited, time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)); !errors.Is(err, store.ErrBeneficiaryForgotten) {
		t.Errorf("sheet corrected to the erased code: %v, want ErrBeneficiaryForgotten", err)
	}
	if _, _, err := st.FindPerson(ctx, med, "ZQX7K2"); !errors.Is(err, store.ErrBeneficiaryForgotten) {
		t.Errorf("find the erased code: %v, want ErrBeneficiaryForgotten", err)
	}
	var people string
	if err := store.DBOf(st).QueryRow(ctx, `SELECT string_agg(b.code || ':' || s.id, ',') FROM beneficiaries b JOIN sheets s ON s.beneficiary_id = b.id`).Scan(&people); err != nil || people != "KEEP01:f2" {
		t.Fatalf("people and sheets = %q (%v), want only KEEP01:f2", people, err)
	}
	// Another code is saved as before.
	if _, created, err := st.SaveSheet(ctx, dated("f4", med, "ZQX7K3", date(2026, 3, 4))); err != nil || !created {
		t.Fatalf("save another code: %v, %v", created, err)
	}
}

// A code known only from drafts (the caller erased them) is forgotten too;
// a code known nowhere changes nothing and stays free.
func TestForgetACodeKnownOnlyFromDrafts(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	med := mediator(t, st, 1, "59").Mediator.ID
	c, err := st.Forget(ctx, "DRF001", nil, 1)
	if err != nil || c != (store.ForgetCounts{Drafts: 1}) {
		t.Fatalf("forget a code of one draft = %+v, %v", c, err)
	}
	if _, _, err := st.SaveSheet(ctx, dated("f1", med, "DRF001", date(2026, 3, 2))); !errors.Is(err, store.ErrBeneficiaryForgotten) {
		t.Fatalf("save after: %v, want ErrBeneficiaryForgotten", err)
	}
	if _, err := st.Forget(ctx, "NOPE01", nil, 0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("forget an unknown code: %v, want ErrNotFound", err)
	}
	if _, created, err := st.SaveSheet(ctx, dated("f2", med, "NOPE01", date(2026, 3, 2))); err != nil || !created {
		t.Fatalf("an unknown code asked for stays free: %v, %v", created, err)
	}
}

// Codes are ASCII letters and digits (the bot reads nothing else): a code
// joined to a word by an underscore or an accented letter is still that
// code, whatever the database's locale says a letter is.
func TestForgetErasesACodeJoinedByAnUnderscoreOrAnAccent(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	med := mediator(t, st, 1, "59").Mediator.ID
	noted := dated("f2", med, "KEEP01", date(2026, 3, 4))
	noted.Note = "dossier_zqx7k2, ZQX7K2_bis, vu éZQX7K2 ; pas XZQX7K2 ni ZQX7K2B"
	for _, s := range []store.Sheet{dated("f1", med, "ZQX7K2", date(2026, 3, 2)), noted} {
		if _, _, err := st.SaveSheet(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Forget(ctx, "ZQX7K2", nil, 0); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := store.DBOf(st).QueryRow(ctx, `SELECT note FROM sheets WHERE id = 'f2'`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := "dossier_[effacé], [effacé]_bis, vu é[effacé] ; pas XZQX7K2 ni ZQX7K2B"; got != want {
		t.Fatalf("note after forget = %q, want %q", got, want)
	}
}

// The forgotten codes are kept by their fingerprint under the audit key:
// opened with another key (RELAIS_AUDIT_KEY set after a first start
// without it, or changed), the store would let every erased person be
// saved again. It refuses to open, naming the variable, and a store
// opened with the key they were made with keeps refusing them.
func TestAnotherAuditKeyDoesNotBringErasedPeopleBack(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	ctx := context.Background()
	med := mediator(t, db.Store, 1, "59").Mediator.ID
	if _, _, err := db.Store.SaveSheet(ctx, dated("f1", med, "ZQX7K2", date(2026, 3, 2))); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Store.Forget(ctx, "ZQX7K2", nil, 0); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, db.URL, store.WithAuditKey("une autre clé d'audit d'au moins trente-deux caractères"))
	if err == nil {
		defer st.Close()
		_, _, serr := st.SaveSheet(ctx, dated("f2", med, "ZQX7K2", date(2026, 3, 3)))
		t.Fatalf("opened with another audit key; saving the erased code then gives %v", serr)
	}
	const want = "RELAIS_AUDIT_KEY : cette clé n'est pas celle des codes effacés à la demande des personnes (1 code) ; " +
		"avec elle, ces personnes pourraient être enregistrées à nouveau. Remettez la clé avec laquelle ils ont été effacés " +
		"(sans RELAIS_AUDIT_KEY : la clé générée dans la base)"
	if err.Error() != want {
		t.Fatalf("open with another key: %v\nwant %s", err, want)
	}
	again, err := store.Open(ctx, db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if _, _, err := again.SaveSheet(ctx, dated("f3", med, "ZQX7K2", date(2026, 3, 4))); !errors.Is(err, store.ErrBeneficiaryForgotten) {
		t.Fatalf("save of the erased code with the original key: %v, want ErrBeneficiaryForgotten", err)
	}
}
