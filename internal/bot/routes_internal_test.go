package bot

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/roles"
)

// recorder is a Messenger that keeps what the bot said.
type recorder struct {
	answers []string
	posts   []string
}

func (r *recorder) Post(_ context.Context, m chat.Message) (int, error) {
	r.posts = append(r.posts, m.Text)
	return len(r.posts), nil
}

func (r *recorder) Answer(_ context.Context, _, text string) error {
	r.answers = append(r.answers, text)
	return nil
}

func (r *recorder) SetCommands(context.Context, int64, []chat.Command) error { return nil }
func (r *recorder) LeaveChat(context.Context, int64) error                   { return nil }
func (r *recorder) Delete(context.Context, int64, int) error                 { return nil }

// A handler's error is logged once, naming the entry, and told once: a
// press not answered yet gets the technical toast and the « réessayez »
// message; a failure gets its toast alone; nil says nothing.
func TestFailLogsOnceAndTellsInFrench(t *testing.T) {
	t.Parallel()
	press := func() event { return event{chatID: 7, callback: "cb", answered: new(bool)} }
	for _, c := range []struct {
		name    string
		ev      event
		err     error
		answers []string
		posts   []string
		logged  bool
	}{
		{"nil", press(), nil, nil, nil, false},
		{"press", press(), errors.New("boom"), []string{msgTechnical}, []string{msgTryAgain}, true},
		{"typed command", event{chatID: 7}, errors.New("boom"), nil, []string{msgTryAgain}, true},
		{"toast", press(), failure{msgNothingSaved, errors.New("boom")}, []string{msgNothingSaved}, nil, true},
		{"answered press", func() event { ev := press(); *ev.answered = true; return ev }(), failure{"", errors.New("boom")}, nil, nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			var logs bytes.Buffer
			out := &recorder{}
			b := New(Options{Out: out, Log: slog.New(slog.NewTextHandler(&logs, nil))})
			b.fail(context.Background(), c.ev, "rp", c.err)
			if strings.Join(out.answers, "|") != strings.Join(c.answers, "|") || strings.Join(out.posts, "|") != strings.Join(c.posts, "|") {
				t.Errorf("answers %q, posts %q; want %q, %q", out.answers, out.posts, c.answers, c.posts)
			}
			lines := strings.Count(logs.String(), "\n")
			if !c.logged && lines != 0 {
				t.Errorf("logged %q", logs.String())
			}
			if c.logged && (lines != 1 || !strings.Contains(logs.String(), `level=ERROR msg="handler failed" entry=rp err=boom`)) {
				t.Errorf("log %q, want one line naming the entry and the error", logs.String())
			}
		})
	}
}

// The greeting's menu and the command menus are read from the registry:
// what each kind of person is offered, in order.
func TestMenusComeFromTheRegistry(t *testing.T) {
	t.Parallel()
	names := func(role roles.Role) string {
		var out []string
		for _, c := range CommandsFor(role) {
			out = append(out, c.Name)
		}
		return strings.Join(out, " ")
	}
	for role, want := range map[roles.Role]string{
		"mediator":    "fiche mesfiches suivis rappels action partenaires bilan meschiffres resume lier retour passer annuler aide",
		"coordinator": "datebilan indicateurs export inviter equipe activite rapport resume lier aide",
		"admin":       "datebilan indicateurs export inviter equipe activite rapport resume lier aide",
	} {
		if got := names(role); got != want {
			t.Errorf("%s menu: %q, want %q", role, got, want)
		}
	}
}

// Every button of the /inviter wizard is answered by exactly one step, and
// data no button carries by none.
func TestInviteStepsMatchTheirData(t *testing.T) {
	t.Parallel()
	for data, want := range map[string]int{
		"a": 0, "m": 1, "m:r76": 2, "m:59": 3, "m:59:autre": 4, "m:59:ab12": 5, "m:59:ab12:1": 6, "m:59:ab12:0": 6,
		"c": 7, "c:n": 8, "c:r": 9, "c:r:r76": 10, "c:d": 11, "c:s": 11, "c:d:r76": 12, "c:s:r32": 12,
		"c:d:59": 13, "c:s:59": 13, "c:s:59:autre": 14, "c:s:59:ab12": 15,
		"m:59:ab12:2": -1, "c:x": -1, "c:d:59:ab12": -1, "x": -1, "a:1": -1, "c:r:76": -1, "c:n:r76": -1,
	} {
		got := -1
		for i, s := range inviteSteps() {
			if s.matches(strings.Split(data, ":")) {
				got = i
				break
			}
		}
		if got != want {
			t.Errorf("inv:%s runs step %d, want %d", data, got, want)
		}
	}
}
