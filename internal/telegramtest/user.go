package telegramtest

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"image"
	_ "image/gif" // photos are checked like Telegram does: they must decode
	_ "image/jpeg"
	_ "image/png"
	"mime"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Message is a message of a chat as the user sees it, edits applied.
type Message struct {
	ID        int
	ChatID    int64
	FromBot   bool
	Text      string // the text, or the caption of a document or photo, after entity parsing
	ParseMode string
	Buttons   [][]Button // inline keyboard
	Keyboard  [][]string // reply keyboard, if the message set one
	EditCount int
	Document  *File
	Photo     *File
	Date      time.Time
	Deleted   bool
}

// Button is an inline keyboard button.
type Button struct {
	Text string
	Data string // callback_data
	URL  string
}

// File is a document or photo sent by the bot or a user.
type File struct {
	ID       string
	Name     string
	MimeType string
	Data     []byte
	Width    int // photos only
	Height   int
}

// CallbackAnswer is what the bot answered to a button press (answerCallbackQuery).
type CallbackAnswer struct {
	QueryID   string
	Text      string
	ShowAlert bool
	URL       string
}

// ButtonTexts lists the inline buttons' texts, row by row.
func (m Message) ButtonTexts() []string {
	var out []string
	for _, row := range m.Buttons {
		for _, b := range row {
			out = append(out, b.Text)
		}
	}
	return out
}

// String renders the message for failure dumps.
func (m Message) String() string {
	var sb strings.Builder
	who := "user"
	if m.FromBot {
		who = "bot"
	}
	fmt.Fprintf(&sb, "#%d %s", m.ID, who)
	if m.EditCount > 0 {
		fmt.Fprintf(&sb, " (edited %d×)", m.EditCount)
	}
	if m.Deleted {
		sb.WriteString(" (deleted)")
	}
	sb.WriteString(": ")
	if m.Document != nil {
		fmt.Fprintf(&sb, "[document %s, %d bytes] ", m.Document.Name, len(m.Document.Data))
	}
	if m.Photo != nil {
		fmt.Fprintf(&sb, "[photo %dx%d] ", m.Photo.Width, m.Photo.Height)
	}
	sb.WriteString(m.Text)
	for _, row := range m.Buttons {
		var texts []string
		for _, b := range row {
			texts = append(texts, b.Text)
		}
		fmt.Fprintf(&sb, "\n      [%s]", strings.Join(texts, " | "))
	}
	for _, row := range m.Keyboard {
		fmt.Fprintf(&sb, "\n      keyboard: %s", strings.Join(row, " | "))
	}
	return sb.String()
}

func (f *storedFile) public() *File {
	if f == nil {
		return nil
	}
	return &File{ID: f.id, Name: f.name, MimeType: f.mime, Data: f.data, Width: f.width, Height: f.height}
}

func (m *storedMessage) public(chatID int64) Message {
	out := Message{
		ID: m.id, ChatID: chatID, FromBot: m.fromBot, Text: m.text, ParseMode: m.parseMode,
		Keyboard: m.keyboard, EditCount: m.editCount,
		Document: m.document.public(), Photo: m.photo.public(),
		Date: time.Unix(m.date, 0), Deleted: m.deleted,
	}
	if m.markup != nil {
		for _, row := range m.markup.InlineKeyboard {
			var r []Button
			for _, b := range row {
				btn := Button{Text: b.Text}
				if b.CallbackData != nil {
					btn.Data = *b.CallbackData
				}
				if b.URL != nil {
					btn.URL = *b.URL
				}
				r = append(r, btn)
			}
			out.Buttons = append(out.Buttons, r)
		}
	}
	return out
}

// User is a Telegram user who has started the bot, driven by a test or the demo.
type User struct {
	*participant
	t testing.TB // nil outside tests: failures panic
}

// participant is a user's state, shared by the User values that drive it.
type participant struct {
	bot *Bot

	// guarded by bot.mu
	info       wireUser
	mark       uint64 // bot version at the user's last action
	lastUpdate int
	answers    []CallbackAnswer
}

// NewUser creates a user who has started this bot (their private chat id is
// their user id). Creating the same id twice returns the existing user.
func (b *Bot) NewUser(id int64, firstName string) *User {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.users[id]
	if p == nil {
		p = &participant{bot: b, info: wireUser{ID: id, FirstName: firstName, LanguageCode: "fr"}}
		b.users[id] = p
		b.chats[id] = &chat{id: id, user: p}
	}
	return &User{participant: p, t: b.srv.t}
}

// For returns the same user reporting failures to t (a subtest, say).
func (u *User) For(t testing.TB) *User {
	return &User{participant: u.participant, t: t}
}

// ID is the user's id, also their private chat's id.
func (u *User) ID() int64 { return u.info.ID }

func (u *User) fatalf(format string, args ...any) {
	if u.t != nil {
		u.t.Helper()
		u.t.Fatalf(format, args...)
	}
	panic(fmt.Sprintf(format, args...))
}

// Send makes the user type a text message; returns its update_id.
func (u *User) Send(text string) int {
	return u.bot.injectText(u.info.ID, text)
}

// Edit makes the user edit the text of one of their own text messages, as
// Telegram lets them: the chat shows the new text and the bot gets an
// edited_message update (the whole message, its original date, an
// edit_date). Returns the update_id; a test fails on a message that is
// not the user's own text, or is deleted.
func (u *User) Edit(messageID int, text string) int {
	b := u.bot
	b.mu.Lock()
	c := b.chats[u.info.ID]
	m := c.message(messageID)
	if m == nil || m.fromBot || m.sender != nil || m.document != nil || m.photo != nil || m.voice != nil {
		b.mu.Unlock()
		u.fatalf("telegramtest: user %d has no text message %d to edit", u.info.ID, messageID)
		return 0
	}
	m.text, m.entities = text, commandEntities(text)
	b.edited(m)
	id := b.enqueue(wireUpdate{EditedMessage: b.wire(c, m)})
	u.lastUpdate = id
	u.mark = b.version
	b.mu.Unlock()
	return id
}

// SendDocument makes the user send a file; the bot can fetch it with getFile.
func (u *User) SendDocument(name string, data []byte) int {
	b := u.bot
	b.mu.Lock()
	defer b.mu.Unlock()
	f := b.storeFile(upload{name: name, data: data}, "document")
	return b.injectLocked(u.participant, &storedMessage{document: f})
}

// SendPhoto makes the user send a photo with a caption (Telegram puts the
// caption beside the photo sizes, never in text).
func (u *User) SendPhoto(caption string, width, height int) int {
	b := u.bot
	b.mu.Lock()
	defer b.mu.Unlock()
	f := b.storeFile(upload{name: "photo.jpg", data: make([]byte, 64)}, "photo")
	f.width, f.height = width, height
	return b.injectLocked(u.participant, &storedMessage{photo: f, text: caption})
}

// SendVoice makes the user send a voice message of seconds seconds.
func (u *User) SendVoice(seconds int) int {
	b := u.bot
	b.mu.Lock()
	defer b.mu.Unlock()
	f := b.storeFile(upload{name: "voice.ogg", mime: "audio/ogg", data: make([]byte, 64)}, "voice")
	f.duration = seconds
	return b.injectLocked(u.participant, &storedMessage{voice: f})
}

// SendDuplicate re-delivers the user's last update with the same update_id,
// as Telegram does after a lost confirmation.
func (u *User) SendDuplicate() {
	u.bot.mu.Lock()
	id := u.lastUpdate
	u.bot.mu.Unlock()
	if id == 0 {
		u.fatalf("telegramtest: user %d has sent nothing to duplicate", u.info.ID)
	}
	if err := u.bot.Redeliver(id); err != nil {
		u.fatalf("%v", err)
	}
}

// Block makes the user block the bot: sends to them fail with 403, and
// the bot gets a my_chat_member update (status "kicked"), as on Telegram.
func (u *User) Block() { u.setBlocked(true) }

// Unblock undoes Block (a my_chat_member update, status "member").
func (u *User) Unblock() { u.setBlocked(false) }

func (u *User) setBlocked(v bool) {
	b := u.bot
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.chats[u.info.ID]
	if c.blocked == v {
		return
	}
	c.blocked = v
	self := b.self
	self.CanJoinGroups, self.CanReadAllGroupMessages, self.SupportsInlineQueries = nil, nil, nil
	was, now := wireChatMember{Status: "member", User: self}, wireChatMember{Status: "kicked", User: self}
	if !v {
		was, now = now, was
	}
	b.enqueue(wireUpdate{MyChatMember: &wireMemberUpdate{
		Chat: wireChat{ID: c.id, Type: "private", FirstName: u.info.FirstName, LastName: u.info.LastName, Username: u.info.Username},
		From: u.info, Date: time.Now().Unix(), OldChatMember: was, NewChatMember: now,
	}})
}

// injectText queues a text message from a user, as a demo or test would type it.
func (b *Bot) injectText(userID int64, text string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	u := b.users[userID]
	if u == nil {
		panic(fmt.Sprintf("telegramtest: unknown user %d", userID))
	}
	return b.injectLocked(u, &storedMessage{text: text, entities: commandEntities(text)})
}

// SendText makes a user type a message (for the demo; tests use User.Send).
func (b *Bot) SendText(userID int64, text string) (int, error) {
	b.mu.Lock()
	known := b.users[userID] != nil
	b.mu.Unlock()
	if !known {
		return 0, fmt.Errorf("fake telegram: unknown user %d", userID)
	}
	if strings.TrimSpace(text) == "" {
		return 0, fmt.Errorf("fake telegram: empty message")
	}
	return b.injectText(userID, text), nil
}

// injectLocked adds the user's message to their chat and queues the update.
// Callers hold b.mu.
func (b *Bot) injectLocked(u *participant, m *storedMessage) int {
	c := b.chats[u.info.ID]
	b.add(c, m)
	id := b.enqueue(wireUpdate{Message: b.wire(c, m)})
	u.lastUpdate = id
	u.mark = b.version
	return id
}

// Press presses the inline button with this text (or a unique prefix of
// one) on the newest message that has it, waiting for such a message if
// none is there yet. Returns the message pressed on.
func (u *User) Press(label string) Message {
	if u.t != nil {
		u.t.Helper()
	}
	deadline := time.Now().Add(u.bot.srv.opts.expectTimeout)
	for {
		changed := u.changed()
		msgID, data, err := u.bot.findButton(u.info.ID, 0, label)
		if err == nil {
			m, err := u.bot.press(u.participant, msgID, data)
			if err != nil {
				u.fatalf("telegramtest: press %q: %v", label, err)
			}
			return m
		}
		if _, ambiguous := err.(errAmbiguous); ambiguous || !u.waitChange(changed, deadline) {
			u.fatalf("telegramtest: user %d cannot press %q: %v\n%s", u.info.ID, label, err, u.dump())
		}
	}
}

// PressOn presses a button on a given message (an older one, say).
func (u *User) PressOn(msg Message, label string) Message {
	if u.t != nil {
		u.t.Helper()
	}
	msgID, data, err := u.bot.findButton(u.info.ID, msg.ID, label)
	if err != nil {
		u.fatalf("telegramtest: user %d cannot press %q on message %d: %v\n%s", u.info.ID, label, msg.ID, err, u.dump())
	}
	m, err := u.bot.press(u.participant, msgID, data)
	if err != nil {
		u.fatalf("telegramtest: press %q: %v", label, err)
	}
	return m
}

// Press makes a user press a button on a message (for the demo; tests use
// User.Press). messageID 0 means the newest message with that button.
func (b *Bot) Press(userID int64, messageID int, label string) (int, error) {
	b.mu.Lock()
	u := b.users[userID]
	b.mu.Unlock()
	if u == nil {
		return 0, fmt.Errorf("fake telegram: unknown user %d", userID)
	}
	msgID, data, err := b.findButton(userID, messageID, label)
	if err != nil {
		return 0, err
	}
	if _, err := b.press(u, msgID, data); err != nil {
		return 0, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return u.lastUpdate, nil
}

type errAmbiguous struct{ msg string }

func (e errAmbiguous) Error() string { return e.msg }

// findButton looks for a callback button by text (exact, else unique prefix)
// on messageID, or on the newest bot message that has one.
func (b *Bot) findButton(chatID int64, messageID int, label string) (int, string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.chats[chatID]
	for i := len(c.messages) - 1; i >= 0; i-- {
		m := c.messages[i]
		if m.deleted || !m.fromBot || m.markup == nil || (messageID != 0 && m.id != messageID) {
			continue
		}
		var exact, prefix []wireButton
		for _, row := range m.markup.InlineKeyboard {
			for _, btn := range row {
				switch {
				case btn.Text == label:
					exact = append(exact, btn)
				case strings.HasPrefix(btn.Text, label):
					prefix = append(prefix, btn)
				}
			}
		}
		found := exact
		if len(found) == 0 {
			found = prefix
		}
		switch {
		case len(found) > 1:
			var texts []string
			for _, f := range found {
				texts = append(texts, f.Text)
			}
			return 0, "", errAmbiguous{fmt.Sprintf("%q matches several buttons on message %d: %q", label, m.id, texts)}
		case len(found) == 1:
			if found[0].CallbackData == nil {
				return 0, "", errAmbiguous{fmt.Sprintf("button %q on message %d is not a callback button", found[0].Text, m.id)}
			}
			return m.id, *found[0].CallbackData, nil
		}
	}
	return 0, "", fmt.Errorf("no message has a button %q", label)
}

// press queues a callback query for a button of a bot message.
func (b *Bot) press(u *participant, msgID int, data string) (Message, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.chats[u.info.ID]
	m := c.message(msgID)
	if m == nil {
		return Message{}, fmt.Errorf("message %d is gone", msgID)
	}
	var rnd [8]byte
	mustRandom(rnd[:])
	qid := hex.EncodeToString(rnd[:])
	b.queries[qid] = &query{user: u}
	id := b.enqueue(wireUpdate{CallbackQuery: &wireCallbackQuery{
		ID:           qid,
		From:         u.info,
		Message:      b.wire(c, m),
		ChatInstance: fmt.Sprintf("-%d", 4_000_000_000_000_000_000+u.info.ID),
		Data:         data,
	}})
	u.lastUpdate = id
	u.mark = b.version
	return m.public(c.id), nil
}

// changed is closed at the bot's next change. Take it before looking at the
// chat, so a change between the look and the wait is not missed.
func (u *User) changed() <-chan struct{} {
	u.bot.mu.Lock()
	defer u.bot.mu.Unlock()
	return u.bot.changed
}

// waitChange waits until ch (from changed) is closed or deadline; false on timeout.
func (u *User) waitChange(ch <-chan struct{}, deadline time.Time) bool {
	d := time.Until(deadline)
	if d <= 0 {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-t.C:
		return false
	case <-u.bot.srv.closed:
		return false
	}
}

// Expect waits for a bot message in this chat, sent or edited since the
// user's last action, whose text contains substr, and returns the newest
// such message. On timeout the test fails with a dump of the chat.
func (u *User) Expect(substr string) Message {
	if u.t != nil {
		u.t.Helper()
	}
	deadline := time.Now().Add(u.bot.srv.opts.expectTimeout)
	for {
		changed := u.changed()
		if m, ok := u.find(substr); ok {
			return m
		}
		if !u.waitChange(changed, deadline) {
			u.fatalf("telegramtest: user %d expected a message containing %q since their last action\n%s", u.info.ID, substr, u.dump())
		}
	}
}

func (u *User) find(substr string) (Message, bool) {
	b := u.bot
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.chats[u.info.ID]
	var best *storedMessage
	for _, m := range c.messages {
		if m.fromBot && !m.deleted && m.version > u.mark && strings.Contains(m.text, substr) {
			if best == nil || m.version > best.version {
				best = m
			}
		}
	}
	if best == nil {
		return Message{}, false
	}
	return best.public(c.id), true
}

// ExpectCallbackAnswer waits for the bot to answer one of the user's presses
// with a text containing substr ("" accepts any answer, even without text).
func (u *User) ExpectCallbackAnswer(substr string) CallbackAnswer {
	if u.t != nil {
		u.t.Helper()
	}
	deadline := time.Now().Add(u.bot.srv.opts.expectTimeout)
	for {
		changed := u.changed()
		for _, a := range u.CallbackAnswers() {
			if strings.Contains(a.Text, substr) {
				return a
			}
		}
		if !u.waitChange(changed, deadline) {
			u.fatalf("telegramtest: user %d expected a callback answer containing %q; got %+v", u.info.ID, substr, u.CallbackAnswers())
		}
	}
}

// LastMessage is the newest message the bot sent in this chat, edits applied
// (the zero Message if none).
func (u *User) LastMessage() Message {
	b := u.bot
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.chats[u.info.ID]
	for i := len(c.messages) - 1; i >= 0; i-- {
		if m := c.messages[i]; m.fromBot && !m.deleted {
			return m.public(c.id)
		}
	}
	return Message{}
}

// Messages are all messages of the chat, the user's and the bot's, oldest
// first, edits applied, deleted ones left out.
func (u *User) Messages() []Message {
	return u.bot.ChatMessages(u.info.ID)
}

// CallbackAnswers are the bot's answers to this user's presses, oldest first.
func (u *User) CallbackAnswers() []CallbackAnswer {
	u.bot.mu.Lock()
	defer u.bot.mu.Unlock()
	return append([]CallbackAnswer(nil), u.answers...)
}

// Dump renders the chat for failure messages.
func (u *User) dump() string {
	msgs := u.bot.ChatMessages(u.info.ID)
	var sb strings.Builder
	fmt.Fprintf(&sb, "chat %d (%s), %d messages:", u.info.ID, u.info.FirstName, len(msgs))
	for _, m := range msgs {
		sb.WriteString("\n  ")
		sb.WriteString(m.String())
	}
	return sb.String()
}

// ChatMessages are a chat's messages, oldest first, edits applied, deleted
// ones left out (nil for an unknown chat).
func (b *Bot) ChatMessages(chatID int64) []Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.chats[chatID]
	if c == nil {
		return nil
	}
	var out []Message
	for _, m := range c.messages {
		if !m.deleted {
			out = append(out, m.public(c.id))
		}
	}
	return out
}

// Event is a change in a chat: a message sent (by the user or the bot),
// edited or deleted.
type Event struct {
	ChatID  int64
	Message Message // Message.Deleted marks a deletion
}

// Subscribe streams a chat's changes until ctx is done: first every
// existing message, then each message as it is sent, edited or deleted. No
// change is dropped; a slow reader delays later events instead.
func (b *Bot) Subscribe(ctx context.Context, chatID int64) <-chan Event {
	ch := make(chan Event, 16)
	go func() {
		defer close(ch)
		var seen uint64
		for {
			b.mu.Lock()
			var evs []Event
			if c := b.chats[chatID]; c != nil {
				for _, m := range c.messages {
					if m.version > seen {
						evs = append(evs, Event{ChatID: chatID, Message: m.public(chatID)})
					}
				}
			}
			seen = b.version
			changed := b.changed
			b.mu.Unlock()
			for _, ev := range evs {
				select {
				case ch <- ev:
				case <-ctx.Done():
					return
				}
			}
			select {
			case <-changed:
			case <-ctx.Done():
				return
			case <-b.srv.closed:
				return
			}
		}
	}()
	return ch
}

// Users lists the ids of the bot's users.
func (b *Bot) Users() []int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	var ids []int64
	for id := range b.users {
		ids = append(ids, id)
	}
	return ids
}

func imageSize(data []byte) (int, int, bool) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width == 0 || cfg.Height == 0 {
		return 0, 0, false
	}
	return cfg.Width, cfg.Height, true
}

func extOf(name string) string {
	return strings.ToLower(filepath.Ext(name))
}

// mimeFor guesses a file's type from its name, as Telegram does, falling
// back to what the upload declared.
func mimeFor(name, declared string) string {
	if t := mime.TypeByExtension(extOf(name)); t != "" {
		if base, _, err := mime.ParseMediaType(t); err == nil {
			return base
		}
	}
	if declared != "" {
		return declared
	}
	return "application/octet-stream"
}
