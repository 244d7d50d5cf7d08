package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
)

const msgTooManyCodes = "Trop de codes d'invitation refusés dans cette conversation : réessayez dans une heure, ou demandez un nouveau lien à la personne qui vous invite."

// A wrong invitation code is audited (without the code) and a chat gets 5
// refused codes an hour: the 6th attempt is not even tried, a good code
// included; other chats are not affected, and the hour passes.
func TestFailedStartsAreAuditedAndLimitedPerChat(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	good := h.invite(store.Invitation{Role: roles.Mediator, Departement: "59", Structure: "CCAS Roubaix"})
	used := h.invite(store.Invitation{Role: roles.Mediator, Departement: "59", Structure: "CCAS Roubaix"})
	awa := h.tg.NewUser(5901, "Awa").For(t)
	awa.Send("/start " + used)
	awa.Expect("Bienvenue")

	eve := h.tg.NewUser(5910, "Eve").For(t)
	for i, c := range []struct{ code, want string }{
		{"FAUXCODE01", "Ce code d'invitation est inconnu."},
		{"FAUXCODE02", "Ce code d'invitation est inconnu."},
		{used, "Ce code d'invitation a déjà été utilisé."},
		{"FAUXCODE04", "Ce code d'invitation est inconnu."},
		{"FAUXCODE05", "Ce code d'invitation est inconnu."}, // the 5th is still tried
	} {
		eve.Send("/start " + c.code)
		if got := eve.Expect(c.want).Text; !strings.HasPrefix(got, c.want) {
			t.Fatalf("attempt %d: %q", i+1, got)
		}
	}
	eve.Send("/start " + good) // the 6th is not
	if got := eve.Expect("Trop de codes").Text; got != msgTooManyCodes {
		t.Fatalf("6th attempt: %q", got)
	}
	if n := h.count(`SELECT count(*) FROM users WHERE telegram_id = 5910`); n != 0 {
		t.Fatal("a rate-limited chat registered")
	}
	if n := h.count(`SELECT count(*) FROM audit WHERE action = 'start_refused' AND actor = 5910 AND target = 'chat:5910'`); n != 5 {
		t.Fatalf("%d refused codes audited, want 5", n)
	}
	if n := h.count(`SELECT count(*) FROM audit WHERE action = 'start_refused' AND detail->>'reason' = 'used'`); n != 1 {
		t.Fatalf("%d used-code refusals audited, want 1", n)
	}
	if n := h.count(`SELECT count(*) FROM audit WHERE detail::text ILIKE '%fauxcode%' OR target ILIKE '%fauxcode%' OR detail::text LIKE '%' || $1 || '%'`, used); n != 0 {
		t.Fatalf("%d audit lines hold a code in clear", n)
	}
	if n := h.count(`SELECT count(DISTINCT detail->>'code') FROM audit WHERE action = 'start_refused' AND length(detail->>'code') = 8`); n != 5 {
		t.Fatalf("%d distinct short code fingerprints, want 5", n)
	}

	// Another chat is not limited.
	lea := h.tg.NewUser(5911, "Léa").For(t)
	lea.Send("/start FAUXCODE06")
	lea.Expect("inconnu")
	lea.Send("/start " + good)
	lea.Expect("Bienvenue")

	// An hour after the first refusals, Eve may try again.
	h.clock.Set(h.clock.Now().Add(time.Hour + time.Second))
	eve.Send("/start FAUXCODE07")
	eve.Expect("Ce code d'invitation est inconnu.")
}

// /datebilan is audited with the deadline before and after.
func TestReviewDeadlineChangesAreAudited(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	nord := h.coordinator(5950, store.Invitation{Level: "departement", Departement: "59"})
	nord.Send("/datebilan 15/02/2027")
	nord.Expect("seuls les coordinateurs régionaux")
	region := h.coordinator(5951, store.Invitation{Level: "region"})
	region.Send("/datebilan 15/02/2027")
	region.Expect("jusqu'au 15/02/2027 inclus")
	region.Send("/datebilan 01/03/2027")
	region.Expect("jusqu'au 01/03/2027 inclus")
	region.Send("/datebilan 31/12/2026") // refused: nothing audited
	region.Expect("doit tomber après la fin de l'année 2026")
	if n := h.count(`SELECT count(*) FROM audit WHERE action = 'review_deadline'`); n != 2 {
		t.Fatalf("%d deadline changes audited, want 2", n)
	}
	for _, c := range []struct{ from, to string }{{"2027-01-31", "2027-02-15"}, {"2027-02-15", "2027-03-01"}} {
		if n := h.count(`SELECT count(*) FROM audit WHERE action = 'review_deadline' AND actor = 5951 AND target = 'review:2026'
			AND detail = jsonb_build_object('old', $1::text, 'new', $2::text)`, c.from, c.to); n != 1 {
			t.Errorf("deadline %s → %s: %d audit lines, want 1", c.from, c.to, n)
		}
	}
}
