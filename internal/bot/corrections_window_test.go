package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/store"
)

// A sheet can be corrected for 30 days after it was saved, no longer: the
// ✏️ button goes from /mesfiches and an old button is refused.
func TestCorrectionWindowIsThirtyDays(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(8301, "Awa", "59")
	med := h.user(8301).Mediator.ID
	now := h.clock.Now()
	for i, saved := range []time.Time{now.Add(-30*24*time.Hour - time.Minute), now.Add(-30*24*time.Hour + time.Minute)} {
		if _, _, err := h.db.Store.SaveSheet(context.Background(), store.Sheet{
			ID: "window-" + string(rune('a'+i)), MediatorID: med, Date: saved, SavedAt: saved, Beneficiary: "WIN" + string(rune('A'+i)) + "01",
			Sex: "F", QPV: "oui", Resources: "rsa", ContactMode: "aller_vers", Level: "oriente", SocialProtection: "non",
		}); err != nil {
			t.Fatal(err)
		}
	}
	u.Send("/mesfiches")
	list := u.Expect("n° 2")
	if got := strings.Join(list.ButtonTexts(), "|"); got != "✏️ n° 2" {
		t.Fatalf("correction buttons %q, want only the sheet saved 30 days minus a minute ago", got)
	}
	u.PressData(list.ID, "b:edit:1")
	u.Expect("La fiche n° 1 a été enregistrée il y a plus de 30 jours : elle ne peut plus être corrigée.")
	if _, exists, err := h.drafts.Load(context.Background(), 8301, 8301); err != nil || exists {
		t.Fatalf("a draft was opened for a sheet too old to correct (%v)", err)
	}
}
