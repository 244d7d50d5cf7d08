package bot_test

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/relais-sante/relais/internal/bot/bottest"
	"github.com/relais-sante/relais/internal/telegramtest"
)

var update = flag.Bool("update", false, "rewrite the golden conversations under testdata/conversations")

// transcript plays turns and writes down, after each input, the bot's
// message that answered it (its text and its keyboard), preceded by any
// other message the bot sent before it in answer to the same input (the
// intro of /bilan).
func transcript(t *testing.T, u *telegramtest.User, turns []bottest.Turn) string {
	t.Helper()
	var b strings.Builder
	write := func(m telegramtest.Message) {
		b.WriteString(m.Text + "\n")
		for _, row := range m.Buttons {
			var labels []string
			for _, btn := range row {
				labels = append(labels, btn.Text)
			}
			b.WriteString("  [" + strings.Join(labels, " | ") + "]\n")
		}
	}
	seen := 0 // the newest message written down (or sent before the first input)
	for _, m := range u.Messages() {
		seen = max(seen, m.ID)
	}
	for _, tr := range turns {
		if tr.Send != "" {
			fmt.Fprintf(&b, "> %s\n", tr.Send)
			u.Send(tr.Send)
		} else {
			fmt.Fprintf(&b, "> [%s]\n", tr.Press)
			u.Press(tr.Press)
		}
		m := u.Expect(tr.Expect)
		for _, before := range u.Messages() {
			if before.FromBot && !before.Deleted && before.ID > seen && before.ID < m.ID {
				write(before)
				b.WriteString("\n")
			}
		}
		write(m)
		b.WriteString("\n")
		seen = max(seen, m.ID)
	}
	return bottest.MaskCodes(b.String())
}

// Each form's whole conversation (fiche, action, bilan, partenaire; the
// scripts are bottest.Conversations, which the Matrix test plays too) is a
// transcript under testdata/conversations, reviewed as a diff: `go test ./internal/bot -run
// TestGoldenConversations -update` rewrites them after a deliberate change
// (a label, a question); the hand-written tests keep asserting behaviour.
func TestGoldenConversations(t *testing.T) {
	t.Parallel()
	for _, c := range bottest.Conversations {
		t.Run(c.Name, func(t *testing.T) {
			h := newHarness(t)
			u := h.mediator(7900, "Awa", "59")
			got := transcript(t, u, c.Turns)
			bottest.Golden(t, filepath.Join(bottest.Dir(), c.Name+".txt"), got, *update,
				"go test ./internal/bot -run TestGoldenConversations -update")
		})
	}
}
