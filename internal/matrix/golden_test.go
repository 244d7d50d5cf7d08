//go:build goolm

package matrix_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"github.com/relais-sante/relais/dialogs"
	relais "github.com/relais-sante/relais/internal/bot"
	"github.com/relais-sante/relais/internal/bot/bottest"
	"github.com/relais-sante/relais/internal/forms"
	"github.com/relais-sante/relais/internal/matrix"
	"github.com/relais-sante/relais/internal/matrix/matrixtest"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/state"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the Matrix golden conversations and their diffs with Telegram's under internal/bot/testdata/conversations")

const rerunGolden = "go test -tags goolm ./internal/matrix -run TestGoldenConversationsOnMatrix -update"

// The golden conversations of the Telegram test (bottest.Conversations),
// played by a person on Element in an encrypted direct chat through the
// real homeserver: where Telegram presses a button, the person types the
// number the choice is shown with. Each transcript (Name.matrix.txt) is
// compared with the one kept beside Telegram's, and the difference
// between the two renderings, step by step (Name.diff), with the one
// kept: a reviewer reads in it how a step looks on each messenger, and a
// change of either rendering shows there. -update rewrites both.
func TestGoldenConversationsOnMatrix(t *testing.T) {
	srv := testenv.Matrix(t)
	fs, err := forms.LoadFS(dialogs.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range bottest.Conversations {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			got := playOnMatrix(t, srv, relais.Forms(fs), c.Turns)
			// Nothing to touch on Matrix, and a « / » the client keeps:
			// no sentence may say otherwise.
			for _, line := range strings.Split(got, "\n") {
				lower := strings.ToLower(line)
				if strings.Contains(lower, "touche") || strings.Contains(lower, "bouton") || strings.Contains(lower, "appuye") || slashCommandLine.MatchString(line) {
					t.Errorf("a person on Matrix reads %q", line)
				}
			}
			dir := bottest.Dir()
			bottest.Golden(t, filepath.Join(dir, c.Name+".matrix.txt"), got, *update, rerunGolden)
			telegram, err := os.ReadFile(filepath.Join(dir, c.Name+".txt"))
			if err != nil {
				t.Fatalf("%v (the Telegram transcript: go test ./internal/bot -run TestGoldenConversations -update)", err)
			}
			for _, problem := range sameChoices(string(telegram), got) {
				t.Error(problem)
			}
			diff := bottest.StepDiff(c.Name+".txt (Telegram)", c.Name+".matrix.txt (Matrix)", string(telegram), got)
			bottest.Golden(t, filepath.Join(dir, c.Name+".diff"), diff, *update, rerunGolden)
		})
	}
}

// goldenNow is the Telegram test's day and hour (the dates shown match).
var goldenNow = time.Date(2026, 11, 23, 10, 0, 0, 0, testenv.Paris)

// playOnMatrix registers a mediator of the Nord in an encrypted direct
// chat, plays turns and writes down, after each input, every message the
// bot sent in answer, as the person's client shows it: its body, and under
// an edit (m.replace), which the client shows in place of the message it
// edits, where that message is (editedAbove, editedBelow).
func playOnMatrix(t *testing.T, srv *testenv.MatrixServer, fs relais.Forms, turns []bottest.Turn) string {
	t.Helper()
	db := testenv.NewDB(t)
	rdb := testenv.NewRedis(t)
	botUser, person := srv.NewUser(t, "relais"), srv.NewUser(t, "awa")
	tr := bot(t, srv, botUser, db)
	pres := matrix.NewPresenter(tr, relais.CommandNames())
	keys := state.New(rdb.Client, rdb.Prefix)
	// handled says when the bot has answered a message: everything it
	// sent is then on the homeserver (tr.Stats counts it).
	handled := make(chan error, 10)
	serveBot(t, pres, relais.Options{Store: db.Store, Drafts: keys.Drafts(), Updates: keys.Updates(), Out: pres,
		Now: func() time.Time { return goldenNow }, Forms: fs}, handled)

	code, err := db.Store.CreateInvitation(context.Background(), store.Invitation{Role: roles.Mediator, Departement: "59",
		Structure: "CCAS Roubaix", ExpiresAt: goldenNow.Add(7 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	p := matrixtest.NewPeer(t, srv, person)
	room := p.Room(tr.UserID(), true, true)
	p.WaitMember(room, tr.UserID(), true)

	// say types text and returns the bodies of what the bot sent in answer
	// (an edit's new body, then where the client shows it), once it has
	// all reached the person.
	say := func(text string) []string {
		t.Helper()
		before := tr.Stats().Sent
		typed := p.Say(room, text)
		select {
		case err := <-handled:
			if err != nil {
				t.Fatalf("the bot handled %q: %v", text, err)
			}
		case <-time.After(60 * time.Second):
			t.Fatalf("the bot did not handle %q within 60 s", text)
		}
		var bodies []string
		sent := map[id.EventID]bool{} // the messages new in this answer
		for range tr.Stats().Sent - before {
			var r matrixtest.Received
			select {
			case r = <-p.Got:
			case gone := <-p.Redacted:
				// A message deleted (Telegram's transcript leaves it out).
				if gone == typed {
					bodies = append(bodies, "  "+yoursRedacted)
				} else {
					bodies = append(bodies, "  "+redacted)
				}
				continue
			case <-time.After(30 * time.Second):
				t.Fatalf("the bot sent %d events after %q; %d reached the person within 30 s", tr.Stats().Sent-before, text, len(bodies))
			}
			if r.Wire.Type != "m.room.encrypted" {
				t.Fatalf("the bot sent %q in clear in an encrypted room", r.Content.Body)
			}
			switch {
			case r.Content.NewContent == nil:
				sent[r.ID] = true
				bodies = append(bodies, r.Content.Body)
			case sent[r.Content.RelatesTo.GetReplaceID()]:
				bodies = append(bodies, r.Content.NewContent.Body+"\n  "+editedBelow)
			default:
				bodies = append(bodies, r.Content.NewContent.Body+"\n  "+editedAbove)
			}
		}
		return bodies
	}

	if got := say("!start " + code); len(got) == 0 || !strings.Contains(got[len(got)-1], "Bienvenue") {
		t.Fatalf("!start answered %q", got)
	}
	var (
		out   strings.Builder
		shown []string // the numbered choices last shown, their labels in order
		words bool     // they are typed by their words
	)
	for _, turn := range turns {
		typed := turn.Send
		if cmd, ok := strings.CutPrefix(typed, "/"); ok {
			typed = "!" + cmd
		}
		if turn.Press != "" {
			n, err := number(shown, turn.Press)
			if err != nil {
				t.Fatalf("to press [%s]: %v", turn.Press, err)
			}
			typed = strconv.Itoa(n)
			if words {
				// As a person types it: the words, not the emoji.
				typed = strings.TrimSpace(strings.TrimPrefix(shown[n-1], "✅"))
			}
		}
		fmt.Fprintf(&out, "> %s\n", typed)
		bodies := say(typed)
		found := false
		for _, body := range bodies {
			out.WriteString(body + "\n\n")
			found = found || strings.Contains(body, turn.Expect)
			if cs, w := choices(body); len(cs) > 0 {
				shown, words = cs, w
			}
		}
		if !found {
			t.Fatalf("after %q, no message with %q; the bot sent:\n%s", typed, turn.Expect, strings.Join(bodies, "\n---\n"))
		}
	}
	return bottest.MaskCodes(out.String())
}

// Where the client shows an edit (m.replace): in place of the message it
// edits, which is above what the person just wrote when it was sent
// before (a question edited into the next one), below when it was sent in
// this answer.
const (
	editedAbove = "(modifié, au-dessus de votre réponse)"
	editedBelow = "(modifié)"
	// A redaction: the client shows « message supprimé » in its place.
	yoursRedacted = "(votre message, supprimé par le bot)"
	redacted      = "(un message supprimé par le bot)"
)

// slashCommandLine is a command written with « / » in what the bot says.
var slashCommandLine = regexp.MustCompile(`(^|[\s(«])/[a-z]+\b`)

// numberedLine is a choice as Matrix shows it (matrix.Body): « 3. Femme ».
var numberedLine = regexp.MustCompile(`^(\d+)\. (.+)$`)

// wordLine is a choice of a question answered by a number (matrix.Body):
// « – Passer », typed by its words.
var wordLine = regexp.MustCompile(`^– (.+)$`)

// choices are the labels of the numbered choices a body ends with, in
// order (none when it shows none); words says they are to be typed by
// their words (a question answered by a number).
func choices(body string) (labels []string, words bool) {
	for _, line := range strings.Split(body, "\n") {
		if m := wordLine.FindStringSubmatch(line); m != nil {
			if !words {
				labels, words = nil, true
			}
			labels = append(labels, m[1])
			continue
		}
		m := numberedLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		words = false
		if m[1] == "1" {
			labels = nil
		}
		if m[1] == strconv.Itoa(len(labels)+1) {
			labels = append(labels, m[2])
		}
	}
	return labels, words
}

// number is the number a person types for the button labelled label: the
// choice of that label, else the only one it begins.
func number(shown []string, label string) (int, error) {
	var prefixed []int
	for i, l := range shown {
		if l == label {
			return i + 1, nil
		}
		if strings.HasPrefix(l, label) {
			prefixed = append(prefixed, i+1)
		}
	}
	if len(prefixed) == 1 {
		return prefixed[0], nil
	}
	return 0, fmt.Errorf("no choice %q among the numbered choices shown %q", label, shown)
}

// telegramRow is a row of buttons in a Telegram transcript: « [Oui | Non] ».
var telegramRow = regexp.MustCompile(`^  \[(.*)\]$`)

// sameChoices says where, step by step, the Matrix transcript does not
// show Telegram's buttons as its numbered choices: the same labels in
// reading order (rows left to right), each message's numbered from 1
// without a gap.
func sameChoices(telegram, onMatrix string) []string {
	tg, mx := bottest.Steps(telegram), bottest.Steps(onMatrix)
	if len(tg) != len(mx) {
		return []string{fmt.Sprintf("Telegram's transcript has %d steps, Matrix's %d", len(tg), len(mx))}
	}
	var problems []string
	for i := range tg {
		var buttons, numbered []string
		for _, line := range tg[i] {
			if m := telegramRow.FindStringSubmatch(line); m != nil {
				buttons = append(buttons, strings.Split(m[1], " | ")...)
			}
		}
		last := 0
		for _, line := range mx[i] {
			if w := wordLine.FindStringSubmatch(line); w != nil {
				numbered = append(numbered, w[1])
				continue
			}
			m := numberedLine.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			n, err := strconv.Atoi(m[1])
			if err != nil || (n != last+1 && n != 1) {
				problems = append(problems, fmt.Sprintf("step %d (%s): choice %q is numbered %s after %d", i+1, mx[i][0], m[2], m[1], last))
			}
			last = n
			numbered = append(numbered, m[2])
		}
		if !slices.Equal(buttons, numbered) {
			problems = append(problems, fmt.Sprintf("step %d (%s): Telegram's buttons %q, Matrix's numbered choices %q", i+1, mx[i][0], buttons, numbered))
		}
	}
	return problems
}
