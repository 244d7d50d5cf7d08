package bot_test

import (
	"strings"
	"testing"

	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegramtest"
)

// Today is 23/11/2026 in the harness: periods run from 01/01/2000 to
// 23/11/2027 at most, typed in /indicateurs or /export, in a question, or
// forged in a button.
const msgOutOfBounds = "Période hors limites : du 01/01/2000 au 23/11/2027 au plus."

func TestTypedPeriodsAreBounded(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	region := h.coordinator(6501, store.Invitation{Level: "region"})
	var choice telegramtest.Message
	for _, c := range []struct{ cmd, want string }{
		{"/indicateurs 01/01/0001 31/12/2024", msgOutOfBounds},
		{"/indicateurs 31/12/1999 31/12/2024", msgOutOfBounds},
		{"/indicateurs 01/01/2000 31/12/2024", "Période : du 01/01/2000 au 31/12/2024. Quel territoire ?"},
		{"/indicateurs 01/01/2027 23/11/2027", "Période : du 01/01/2027 au 23/11/2027. Quel territoire ?"},
		{"/indicateurs 01/01/2027 24/11/2027", msgOutOfBounds},
		{"/indicateurs 2027-11-24 2027-12-31", msgOutOfBounds},
		{"/export 1999-12-31 2024-12-31", msgOutOfBounds},
		{"/export 2024-01-01 2027-11-24", msgOutOfBounds},
		{"/export 2000-01-01 2027-11-23", "Période : du 01/01/2000 au 23/11/2027. Quel territoire ?"},
	} {
		region.Send(c.cmd)
		if choice = region.Expect(c.want); choice.Text != c.want {
			t.Errorf("%s: %q, want %q", c.cmd, choice.Text, c.want)
		}
	}
	for _, data := range []string{"e:00010101-20241231", "e:19991231-20241231", "e:20270101-20271124"} {
		if got := pressData(t, region, choice.ID, data); got != "Ce bouton n'est plus actif." {
			t.Errorf("forged %s: %q", data, got)
		}
	}
	if got := pressData(t, region, choice.ID, "e:20000101-20241231"); got != "" {
		t.Errorf("press of a period inside the bounds answered %q", got)
	}
	region.Expect("Période : du 01/01/2000 au 31/12/2024. Quel territoire ?")
}

func TestQuestionPeriodsAreBounded(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	region := h.coordinator(6502, store.Invitation{Level: "region"})
	for _, c := range []struct {
		question string
		ok       bool
	}{
		{"combien de fiches du 31/12/1999 au 31/01/2000", false},
		{"combien de fiches du 01/01/2000 au 31/01/2000", true},
		{"combien de fiches du 01/01/2027 au 23/11/2027", true},
		{"combien de fiches du 01/01/2027 au 24/11/2027", false},
		{"combien de fiches en 2099", false},
	} {
		region.Send(c.question)
		want := msgOutOfBounds
		if c.ok {
			want = "Fiches d'accompagnement : 0\n"
		}
		if got := region.Expect(want).Text; c.ok != strings.Contains(got, "Fiches d'accompagnement : 0\n") || !c.ok && got != msgOutOfBounds {
			t.Errorf("%s: %q", c.question, got)
		}
	}
}
