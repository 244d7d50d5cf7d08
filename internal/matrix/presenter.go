package matrix

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/frtext"
	relaisids "github.com/relais-sante/relais/internal/ids"
)

// FirstLocal is the first local number the transport gives (migration
// 00050): every chat, person and message number at or above it is
// Matrix's, every one below is Telegram's. The store tells a person's
// messengers apart with the same bound (ids.FirstMatrix).
const FirstLocal = relaisids.FirstMatrix

// Local says whether a chat or person number is a Matrix one.
func Local(n int64) bool { return n >= FirstLocal }

// PressPrefix starts the acknowledgement id of a press read from a typed
// choice: there is nothing to acknowledge on Matrix.
const PressPrefix = "matrix:"

// Press is a typed number or label read back as the button it names in
// the last numbered choices the person was shown.
type Press struct {
	Data        string // the button's data, as a press on Telegram carries
	MessageID   int    // the message that showed the choices
	MessageText string // its text
}

// Presenter is the bot's side of the transport: the rest of Relais
// addresses a person (a Matrix person's number is also their chat, as a
// private chat on Telegram), the presenter answers them in the direct
// room they last wrote from; it shows buttons as numbered choices (Body)
// and reads a typed number or label back as the press the bot expects; a
// command takes « ! », « / » or no mark at all (« !fiche », « fiche »).
type Presenter struct {
	t        *Transport
	commands map[string]bool

	mu sync.Mutex
	// held has the people whose message presses several choices (« 1 3 »),
	// with the last edit of the bot held back meanwhile: each press edits
	// the same question, one edit shows them all. Made by the first hold.
	held map[int64]*chat.Message
}

// NewPresenter presents t to a bot whose commands (without their « / »)
// are commands.
func NewPresenter(t *Transport, commands []string) *Presenter {
	p := &Presenter{t: t, commands: map[string]bool{}}
	for _, c := range commands {
		p.commands[strings.ToLower(strings.TrimPrefix(c, "/"))] = true
	}
	return p
}

// Run hands each message to h, addressed to the person (ChatID is the
// sender's number), with a typed choice read back as Press and a command
// written with its « / ».
func (p *Presenter) Run(ctx context.Context, h Handler) error {
	return p.t.Run(ctx, func(ctx context.Context, ev Event) error {
		shown, err := p.meet(ctx, ev.SenderID, ev.ChatID)
		if err != nil {
			return err
		}
		room := ev.ChatID
		ev.ChatID = ev.SenderID
		if ev.Edited {
			return h(ctx, ev) // neither a choice nor a command: the bot says an edit changes nothing
		}
		if numbers, ok := shown.several(ev.Text); ok {
			return p.pressEach(ctx, ev, room, shown, numbers, h)
		}
		if data, ok := shown.read(ev.Text); ok {
			ev.Press = &Press{Data: data, MessageID: shown.Message, MessageText: shown.Text}
		} else {
			ev.Text = p.command(ev.Text)
		}
		return h(ctx, ev)
	})
}

// pressEach presses the choices numbered in one message (« 1 3 » at a
// multiple choice: choices with « Valider »), one after the other, each
// read from the choices as the previous press left them (the first from
// first, read already). Each press has an id of its own, derived from the
// message's (negative: no transport gives those), so a redelivered message
// presses nothing twice.
func (p *Presenter) pressEach(ctx context.Context, ev Event, room int64, first shown, numbers []string, h Handler) (err error) {
	p.hold(ev.SenderID)
	defer func() {
		if rerr := p.release(ctx, ev.SenderID); rerr != nil && err == nil {
			err = rerr
		}
	}()
	shown := first
	for k, n := range numbers {
		if k > 0 {
			var err error
			if shown, err = p.meet(ctx, ev.SenderID, room); err != nil {
				return err
			}
		}
		press := ev
		press.MessageID = -((int(int64(ev.MessageID)-FirstLocal)+1)*maxPresses + k)
		data, ok := shown.read(n)
		if !ok || !shown.multi() {
			// Out of range, or the choices are no longer a multiple
			// choice (« Valider » closed it): the rest is not pressed; the
			// bot says what it expects at the number typed.
			press.Text = n
			return h(ctx, press)
		}
		press.Text = ""
		press.Press = &Press{Data: data, MessageID: shown.Message, MessageText: shown.Text}
		if err := h(ctx, press); err != nil {
			return err
		}
	}
	return nil
}

// maxPresses bounds the choices one message presses.
const maxPresses = 64

// severalNumbers are the numbers of « 1 3 », « 1, 3 et 5 » (nil when the
// text is anything else, or more than maxPresses numbers).
func severalNumbers(typed string) []string {
	fields := strings.FieldsFunc(strings.ToLower(typed), func(r rune) bool {
		return r == ' ' || r == ',' || r == ';' || r == '+' || r == '\t'
	})
	var out []string
	for _, f := range fields {
		if f == "et" {
			continue
		}
		f = strings.TrimSuffix(f, ".")
		if _, err := strconv.Atoi(f); err != nil {
			return nil
		}
		out = append(out, f)
	}
	if len(out) > maxPresses {
		return nil
	}
	return out
}

// command writes a command the way the bot reads it: « !fiche » and
// « fiche » are « /fiche », « start CODE » is « /start CODE ». A plain word
// is a command only alone (or « start » with its code): a note that begins
// with « fiche » stays a note.
func (p *Presenter) command(text string) string {
	if rest, ok := strings.CutPrefix(text, "!"); ok {
		return "/" + strings.TrimLeft(rest, " ")
	}
	words := strings.Fields(text)
	if len(words) == 0 {
		return text
	}
	word := strings.ToLower(words[0])
	if p.commands[word] && (len(words) == 1 || (word == "start" && len(words) == 2)) {
		return "/" + strings.Join(append([]string{word}, words[1:]...), " ")
	}
	return text
}

// Post sends m to the person's direct room (m.ChatID is the person),
// worded for typing (typed), and keeps its choices when it shows any,
// with the bot's own text (handed back with a press, as Telegram does).
func (p *Presenter) Post(ctx context.Context, m chat.Message) (int, error) {
	person := m.ChatID
	if m.Edit > 0 && m.File == nil && p.holdBack(m) {
		if err := p.keep(ctx, person, m.Edit, m); err != nil {
			return m.Edit, err
		}
		return m.Edit, nil
	}
	if err := p.release(ctx, person); err != nil {
		return 0, err
	}
	n, err := p.send(ctx, m)
	if err != nil {
		return 0, err
	}
	if err := p.keep(ctx, person, n, m); err != nil {
		return n, err
	}
	return n, nil
}

// send posts m to the person's direct room, worded for typing.
func (p *Presenter) send(ctx context.Context, m chat.Message) (int, error) {
	room, err := p.roomOf(ctx, m.ChatID)
	if err != nil {
		return 0, err
	}
	m.ChatID = room
	m.Text = p.typed(m.Text)
	return p.t.Post(ctx, m)
}

// hold starts holding back the bot's edits to person (pressEach).
func (p *Presenter) hold(person int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.held == nil {
		p.held = map[int64]*chat.Message{}
	}
	p.held[person] = nil
}

// holdBack keeps edit m instead of sending it when its person is held and
// it edits the same message as the edit held (or none is): it replaces
// that one, keeping its text when m changes only the choices.
func (p *Presenter) holdBack(m chat.Message) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	was, held := p.held[m.ChatID]
	if !held || (was != nil && was.Edit != m.Edit) {
		return false
	}
	if m.Text == "" && was != nil {
		m.Text = was.Text
	}
	p.held[m.ChatID] = &m
	return true
}

// release stops holding person's edits and sends the one held back, if
// any (before any other message, to keep their order).
func (p *Presenter) release(ctx context.Context, person int64) error {
	p.mu.Lock()
	m := p.held[person]
	delete(p.held, person)
	p.mu.Unlock()
	if m == nil {
		return nil
	}
	_, err := p.send(ctx, *m)
	return err
}

// LeaveChat leaves the person's direct room.
func (p *Presenter) LeaveChat(ctx context.Context, person int64) error {
	room, err := p.roomOf(ctx, person)
	if err != nil {
		return err
	}
	return p.t.LeaveChat(ctx, room)
}

// choice is one numbered choice as kept.
type choice struct {
	Label string `json:"label"`
	Data  string `json:"data"`
}

// shown is the last numbered choices a person was shown.
type shown struct {
	Message int
	Text    string
	Choices []choice
	Number  bool // the question is answered by a number: digits are not a choice
}

// read is the data of the choice typed: its number (from 1) or its label
// (case, accents and a leading emoji ignored). Where the answer is a
// number, a number typed is that answer: the choices go by their words.
func (s shown) read(typed string) (string, bool) {
	if len(s.Choices) == 0 {
		return "", false
	}
	t := strings.TrimSuffix(strings.TrimSpace(typed), ".")
	if n, err := strconv.Atoi(t); err == nil {
		if s.Number || n < 1 || n > len(s.Choices) {
			return "", false
		}
		return s.Choices[n-1].Data, true
	}
	want := frtext.LabelKey(typed)
	if want == "" {
		return "", false
	}
	for _, c := range s.Choices {
		if frtext.LabelKey(c.Label) == want {
			return c.Data, true
		}
	}
	return "", false
}

// several is the numbers of one message pressed one after the other: only
// at a multiple choice (choices with « Valider »); elsewhere « 1 3 » is
// not an answer and the bot says so.
func (s shown) several(typed string) ([]string, bool) {
	numbers := severalNumbers(typed)
	return numbers, len(numbers) > 1 && s.multi()
}

// multi says whether the choices are a multiple choice: they end with
// « Valider », the engine's control to close one.
func (s shown) multi() bool {
	for _, c := range s.Choices {
		if frtext.LabelKey(c.Label) == "valider" {
			return true
		}
	}
	return false
}

// meet records the room the person wrote from (the bot answers there) and
// returns the choices they were last shown there. It only reads, but for a
// person's first message or one from another room (a new direct chat):
// then the room is recorded and no choices are kept (those shown elsewhere
// are not the ones the person sees).
func (p *Presenter) meet(ctx context.Context, person, room int64) (shown, error) {
	var (
		s   shown
		was int64
		raw []byte
	)
	err := p.t.db.QueryRowContext(ctx, `SELECT room, choices_message, choices_text, choices, choices_number FROM matrix_people WHERE person = $1`, person).
		Scan(&was, &s.Message, &s.Text, &raw, &s.Number)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return shown{}, fmt.Errorf("matrix: room of person %d: %w", person, err)
	}
	if err != nil || was != room {
		if _, err := p.t.db.ExecContext(ctx, `INSERT INTO matrix_people (person, room) VALUES ($1, $2)
			ON CONFLICT (person) DO UPDATE SET room = EXCLUDED.room, choices_message = 0, choices_text = '', choices = '[]', choices_number = false, updated_at = now()`,
			person, room); err != nil {
			return shown{}, fmt.Errorf("matrix: record the room of person %d: %w", person, err)
		}
		return shown{}, nil
	}
	if err := json.Unmarshal(raw, &s.Choices); err != nil {
		return shown{}, fmt.Errorf("matrix: choices of person %d: %w", person, err)
	}
	return s, nil
}

// roomOf is the direct room the person last wrote from.
func (p *Presenter) roomOf(ctx context.Context, person int64) (int64, error) {
	var room int64
	err := p.t.db.QueryRowContext(ctx, `SELECT room FROM matrix_people WHERE person = $1`, person).Scan(&room)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("person %d: %w", person, ErrUnknownChat)
	}
	if err != nil {
		return 0, fmt.Errorf("matrix: room of person %d: %w", person, err)
	}
	return room, nil
}

// keep records the choices message n shows: a new message with buttons,
// or one asking a form's question (with none: the answer is typed),
// replaces the kept choices; an edit of the kept message replaces them
// (no buttons: none left to type).
func (p *Presenter) keep(ctx context.Context, person int64, n int, m chat.Message) error {
	var cs []choice
	for _, row := range m.Buttons {
		for _, b := range row {
			if b.URL == "" {
				cs = append(cs, choice{Label: b.Text, Data: b.Data})
			}
		}
	}
	if m.Edit == 0 && len(cs) == 0 && !m.Asks {
		return nil
	}
	raw, err := json.Marshal(cs)
	if err != nil {
		return fmt.Errorf("matrix: encode choices: %w", err)
	}
	if cs == nil {
		raw = []byte("[]")
	}
	// A message with choices becomes the kept one (an edit without text
	// keeps the message's text); an edit that removes the kept message's
	// choices leaves none to type.
	q, args := `UPDATE matrix_people SET choices_message = $2, choices = $3, choices_number = $5, updated_at = now(),
			choices_text = COALESCE(NULLIF($4, ''), CASE WHEN choices_message = $2 THEN choices_text ELSE '' END)
		WHERE person = $1`, []any{person, n, raw, m.Text, m.NumberAnswer}
	if len(cs) == 0 && !m.Asks {
		q, args = `UPDATE matrix_people SET choices = $3, updated_at = now() WHERE person = $1 AND choices_message = $2`, args[:3]
	}
	if _, err := p.t.db.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("matrix: keep the choices of person %d: %w", person, err)
	}
	return nil
}

// Answer acknowledges a press read from a typed choice: Matrix has no
// toast, so a text is said in the chat; none says nothing.
func (p *Presenter) Answer(ctx context.Context, callbackID, text string) error {
	if text == "" {
		return nil
	}
	person, err := strconv.ParseInt(strings.TrimPrefix(callbackID, PressPrefix), 10, 64)
	if err != nil || !strings.HasPrefix(callbackID, PressPrefix) {
		return fmt.Errorf("matrix: %q is not a press read by the presenter", callbackID)
	}
	_, err = p.Post(ctx, chat.Message{ChatID: person, Text: text})
	return err
}

// SetCommands does nothing: Matrix clients have no command menu (/aide
// lists the commands).
func (p *Presenter) SetCommands(context.Context, int64, []chat.Command) error { return nil }

// Delete redacts message n of the person's direct room. The bot deletes
// what a person typed that names someone (a refused note, a name at « Personne
// accompagnée ») so that it does not stay in the room: a redaction makes the
// homeserver drop the event's content and clients hide it. The bot can
// redact a person's message when its power level allows it, as in a direct
// chat opened by Element (trusted_private_chat: both sides at 100); when it
// does not, the error says so and the bot asks the person to delete it
// themselves, rather than claim it is gone.
func (p *Presenter) Delete(ctx context.Context, person int64, n int) error {
	room, err := p.roomOf(ctx, person)
	if err != nil {
		return err
	}
	return p.t.Redact(ctx, room, n)
}
