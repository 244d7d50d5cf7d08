package dialog

import (
	"context"
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

func (e *fakeEnv) NewPersonCode(context.Context) (string, error) {
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

func (e *fakeEnv) RecentPeople(context.Context) ([]Person, error) {
	if e.fail {
		return nil, errors.New("database down")
	}
	return e.people, nil
}

func (e *fakeEnv) SearchPeople(_ context.Context, prefix string, limit int) ([]Person, error) {
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

func (e *fakeEnv) FindPerson(_ context.Context, code string) (Person, bool, error) {
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

// chat plays a transport with buttons: it shows the events as messages
// (a chosen answer edits the question it was chosen on; a withdrawn
// question loses its buttons), keeps the open question's message id, text
// and buttons as a presenter does, and round-trips the state through JSON
// as the Redis store does. Its replies read "edit: text" or "send: text".
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
	replies []reply // the last event's messages
	err     error   // the last event's error
	outcome Outcome

	questionID int    // the message holding the open question (0: unknown)
	shown      string // what it shows
	keyboard   bool   // whether it still has buttons
}

// reply is a message sent, or edited in place.
type reply struct {
	edit    int
	text    string
	buttons [][]Button
}

var paris = time.FixedZone("Europe/Paris", 3600)

func newChat(t testing.TB, f *forms.Form, env Env) *chat {
	t.Helper()
	return &chat{t: t, f: f, env: env, now: time.Date(2026, 3, 12, 10, 30, 0, 0, paris), msgs: map[int]*message{}, nextID: 100}
}

func (c *chat) input() Input { return Input{Now: c.now} }

// apply shows the events of res for an input pressed on message pressed
// (0 for typed text).
func (c *chat) apply(res Result, err error, pressed int) Result {
	c.t.Helper()
	c.last, c.err, c.replies = res, err, nil
	post := func(r reply, question bool) {
		for _, row := range r.buttons {
			for _, b := range row {
				if len(b.Data) > forms.MaxDataBytes || !strings.HasPrefix(b.Data, forms.DataPrefix) {
					c.t.Fatalf("bad callback data %q", b.Data)
				}
			}
		}
		c.replies = append(c.replies, r)
		id := r.edit
		if id > 0 {
			m, ok := c.msgs[id]
			if !ok {
				c.t.Fatalf("edit of unknown message %d", id)
			}
			m.Text, m.Buttons = r.text, r.buttons
		} else {
			c.nextID++
			id = c.nextID
			c.msgs[id] = &message{Text: r.text, Buttons: r.buttons}
			c.order = append(c.order, id)
		}
		if question {
			c.questionID = id
		}
	}
	closeOn := func(line string, chosen bool) {
		id := c.questionID
		if pressed > 0 {
			id = pressed
		}
		if id > 0 && (c.keyboard || chosen) {
			post(reply{edit: id, text: line}, false)
		}
		c.keyboard = false
	}
	for _, e := range res.Events {
		switch e := e.(type) {
		case Asked:
			edit := 0
			if e.InPlace {
				edit = c.questionID
				if pressed > 0 {
					edit = pressed
				}
			}
			c.shown, c.keyboard, c.questionID = e.Question.Full(), len(e.Question.Rows) > 0, edit
			post(reply{edit: edit, text: e.Question.Full(), buttons: e.Question.Rows}, true)
		case Answered:
			closeOn(e.Line, e.Chosen)
		case Abandoned:
			closeOn(e.Text, true)
		case Withdrawn:
			if c.questionID > 0 && c.keyboard {
				post(reply{edit: c.questionID, text: c.shown}, false)
			}
			c.keyboard = false
		case Said:
			post(reply{text: e.Text}, false)
		default:
			c.t.Fatalf("unexpected event %#v", e)
		}
	}
	data, err := json.Marshal(res.State)
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

// askedText is the last question res asks, with its refusal.
func askedText(res Result) string {
	text := ""
	for _, e := range res.Events {
		if a, ok := e.(Asked); ok {
			text = a.Question.Full()
		}
	}
	return text
}

// apply2 shows the result of an input that is not a press (Start, Resume).
func (c *chat) apply2(res Result, err error) Result {
	c.t.Helper()
	return c.apply(res, err, 0)
}

func (c *chat) start() Result {
	c.t.Helper()
	res, err := Start(c.t.Context(), c.f, "sheet-1", c.input(), c.env)
	return c.apply(res, err, 0)
}

// say types text.
func (c *chat) say(text string) Result {
	c.t.Helper()
	in := c.input()
	in.Text = text
	res, err := Step(c.t.Context(), c.f, c.st, in, c.env)
	return c.apply(res, err, 0)
}

// press taps the button with text on the current question message.
func (c *chat) press(text string) Result {
	c.t.Helper()
	return c.pressOn(c.questionID, text)
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
				return c.pressData(id, b.Data)
			}
		}
	}
	c.t.Fatalf("no button %q on message %d %q; buttons: %v", text, id, m.Text, buttonTexts(m.Buttons))
	return Result{}
}

// pressData chooses data on message id. A press on another message than
// the open question's is refused before the engine, as a presenter does.
func (c *chat) pressData(id int, data string) Result {
	c.t.Helper()
	if c.questionID != 0 && id != c.questionID {
		c.last, c.err, c.replies = Result{State: c.st, Notice: StaleNotice}, nil, nil
		return c.last
	}
	in := c.input()
	in.Data = data
	res, err := Step(c.t.Context(), c.f, c.st, in, c.env)
	return c.apply(res, err, id)
}

// question is the current question message.
func (c *chat) question() *message {
	c.t.Helper()
	m := c.msgs[c.questionID]
	if m == nil {
		c.t.Fatalf("no question message (id %d)", c.questionID)
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
	for _, r := range c.replies {
		if r.edit > 0 {
			out = append(out, fmt.Sprintf("edit: %s", r.text))
		} else {
			out = append(out, fmt.Sprintf("send: %s", r.text))
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
