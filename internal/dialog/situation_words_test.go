package dialog

import (
	"strings"
	"testing"
	"time"
)

// The known situation is confirmed by typing, too: « o », « oui » and
// « toujours vrai » each say the situation still holds; anything else
// points at the two buttons and changes nothing.
func TestKnownSituationConfirmedByTyping(t *testing.T) {
	t.Parallel()
	for _, typed := range []string{"o", "Oui", "toujours vrai"} {
		t.Run(typed, func(t *testing.T) {
			c := newChat(t, fiche(t), &fakeEnv{people: []Person{followed(), {Code: "8NYERC", Sex: "F", Age: 52, AgeOn: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}}})
			c.start()
			c.press("Aujourd'hui")
			c.press("7K9JTG · F · 52 ans · vue le 12/11 · CSS en cours")
			c.say("peut-être")
			if c.st.Mode != ModeSituation {
				t.Fatalf("mode after « peut-être » = %v, want the situation still asked", c.st.Mode)
			}
			c.say(typed)
			c.expectReplies("edit: Femme · 52 ans · QPV · RSA — toujours vrai : Oui", "send: Niveau d'intervention ?")
		})
	}
}

// A note too long, with no space to cut at, is offered back cut at the
// limit itself: 280 characters, not one more.
func TestOverlongNoteWithoutSpacesIsCutAtTheLimit(t *testing.T) {
	t.Parallel()
	c := startFiche(t)
	toNote(t, c)
	c.say(strings.Repeat("a", 300))
	c.press("✅ Confirmer")
	if got := c.st.Answers["note"].Text; got != strings.Repeat("a", 280) {
		t.Fatalf("note kept = %d characters, want 280", len(got))
	}
}
