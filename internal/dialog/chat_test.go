package dialog

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/forms"
)

// fakeEnv is the mediator's beneficiaries in memory.
type fakeEnv struct {
	codes  []string // codes handed out by NewPersonCode, in order
	people []Person // most recent first
	fail   bool
	calls  int
}

func (e *fakeEnv) NewPersonCode() (string, error) {
	if e.fail {
		return "", errors.New("database down")
	}
	e.calls++
	if len(e.codes) == 0 {
		return fmt.Sprintf("NEW%03d", e.calls), nil
	}
	c := e.codes[0]
	e.codes = e.codes[1:]
	return c, nil
}

func (e *fakeEnv) RecentPeople() ([]Person, error) {
	if e.fail {
		return nil, errors.New("database down")
	}
	return e.people, nil
}

func (e *fakeEnv) SearchPeople(prefix string, limit int) ([]Person, error) {
	if e.fail {
		return nil, errors.New("database down")
	}
	var out []Person
	for _, p := range e.people {
		if strings.HasPrefix(p.Code, prefix) && len(out) < limit {
			out = append(out, p)
		}
	}
	return out, nil
}

func (e *fakeEnv) FindPerson(code string) (Person, bool, error) {
	if e.fail {
		return Person{}, false, errors.New("database down")
	}
	for _, p := range e.people {
		if p.Code == code {
			return p, true, nil
		}
	}
	return Person{}, false, nil
}

type message struct {
	Text    string
	Buttons [][]Button
}

// chat plays the transport: it applies replies to a message list, stores
// the question message id, and round-trips the state through JSON as the
// Redis store does.
type chat struct {
	t       testing.TB
	f       *forms.Form
	env     Env
	st      State
	now     time.Time
	msgs    map[int]*message
	order   []int
	nextID  int
	last    Result
	err     error // the last event's error
	outcome Outcome
}

var paris = time.FixedZone("Europe/Paris", 3600)

func newChat(t testing.TB, f *forms.Form, env Env) *chat {
	t.Helper()
	return &chat{t: t, f: f, env: env, now: time.Date(2026, 3, 12, 10, 30, 0, 0, paris), msgs: map[int]*message{}, nextID: 100}
}

func (c *chat) input() Input { return Input{Now: c.now} }

func (c *chat) apply(res Result, err error) Result {
	c.t.Helper()
	c.last, c.err = res, err
	st := res.State
	for _, rep := range res.Replies {
		for _, row := range rep.Buttons {
			for _, b := range row {
				if len(b.Data) > forms.MaxDataBytes || !strings.HasPrefix(b.Data, forms.DataPrefix) {
					c.t.Fatalf("bad callback data %q", b.Data)
				}
			}
		}
		id := rep.EditMessageID
		if id > 0 {
			m, ok := c.msgs[id]
			if !ok {
				c.t.Fatalf("edit of unknown message %d", id)
			}
			m.Text, m.Buttons = rep.Text, rep.Buttons
		} else {
			c.nextID++
			id = c.nextID
			c.msgs[id] = &message{Text: rep.Text, Buttons: rep.Buttons}
			c.order = append(c.order, id)
		}
		if rep.Question {
			st.QuestionMessageID = id
		}
	}
	data, err := json.Marshal(st)
	if err != nil {
		c.t.Fatalf("marshal state: %v", err)
	}
	var back State
	if err := json.Unmarshal(data, &back); err != nil {
		c.t.Fatalf("unmarshal state: %v", err)
	}
	c.st = back
	c.outcome = res.Outcome
	return res
}

func (c *chat) start() Result {
	c.t.Helper()
	return c.apply(Start(c.f, "sheet-1", c.input(), c.env))
}

// say types text.
func (c *chat) say(text string) Result {
	c.t.Helper()
	in := c.input()
	in.Text = text
	return c.apply(Step(c.f, c.st, in, c.env))
}

// press taps the button with text on the current question message.
func (c *chat) press(text string) Result {
	c.t.Helper()
	return c.pressOn(c.st.QuestionMessageID, text)
}

func (c *chat) pressOn(id int, text string) Result {
	c.t.Helper()
	m := c.msgs[id]
	if m == nil {
		c.t.Fatalf("no message %d", id)
	}
	for _, row := range m.Buttons {
		for _, b := range row {
			if b.Text == text {
				in := c.input()
				in.Data, in.MessageID = b.Data, id
				return c.apply(Step(c.f, c.st, in, c.env))
			}
		}
	}
	c.t.Fatalf("no button %q on message %d %q; buttons: %v", text, id, m.Text, buttonTexts(m.Buttons))
	return Result{}
}

// question is the current question message.
func (c *chat) question() *message {
	c.t.Helper()
	m := c.msgs[c.st.QuestionMessageID]
	if m == nil {
		c.t.Fatalf("no question message (id %d)", c.st.QuestionMessageID)
	}
	return m
}

func buttonTexts(rows [][]Button) [][]string {
	var out [][]string
	for _, row := range rows {
		var r []string
		for _, b := range row {
			r = append(r, b.Text)
		}
		out = append(out, r)
	}
	return out
}

// expectQuestion checks the current question text starts with want.
func (c *chat) expectQuestion(want string) {
	c.t.Helper()
	if got := c.question().Text; !strings.HasPrefix(got, want) {
		c.t.Fatalf("question = %q, want prefix %q", got, want)
	}
}

// expectButtons checks the current question's keyboard.
func (c *chat) expectButtons(want ...[]string) {
	c.t.Helper()
	got := buttonTexts(c.question().Buttons)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		c.t.Fatalf("buttons of %q =\n%v\nwant\n%v", c.question().Text, got, want)
	}
}

// replyTexts lists the last result's replies as "edit 101: text" / "send: text".
func (c *chat) replyTexts() []string {
	var out []string
	for _, r := range c.last.Replies {
		if r.EditMessageID > 0 {
			out = append(out, fmt.Sprintf("edit: %s", r.Text))
		} else {
			out = append(out, fmt.Sprintf("send: %s", r.Text))
		}
	}
	return out
}

func (c *chat) expectReplies(want ...string) {
	c.t.Helper()
	got := c.replyTexts()
	if len(got) != len(want) {
		c.t.Fatalf("replies =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			c.t.Fatalf("reply %d = %q, want prefix %q\nall:\n%s", i, got[i], want[i], strings.Join(got, "\n"))
		}
	}
}
