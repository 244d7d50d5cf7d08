package telegramtest

import (
	"encoding/json"
	"fmt"
)

// A snapshot is what a Telegram account keeps between two sessions: the
// users, their chats with every message (edits and files included), the
// bot's command menus and the update counter, plus the updates not yet
// confirmed by the bot. The demo saves one so a restart shows the same chats
// and numbers new updates and messages after the old ones, as Telegram does.
type snapshot struct {
	Format       int                         `json:"format"`
	NextUpdateID int                         `json:"next_update_id"`
	Users        []snapUser                  `json:"users"`
	Chats        []snapChat                  `json:"chats"`
	Files        []snapFile                  `json:"files"`
	Commands     map[string][]wireBotCommand `json:"commands,omitempty"`
	Pending      []snapQueued                `json:"pending,omitempty"`
}

const snapshotFormat = 1

type snapUser struct {
	Info    wireUser         `json:"info"`
	Answers []CallbackAnswer `json:"answers,omitempty"`
}

type snapChat struct {
	ID        int64         `json:"id"`
	UserID    int64         `json:"user_id,omitempty"` // private chats
	LastID    int           `json:"last_id"`
	Blocked   bool          `json:"blocked,omitempty"`
	Kind      string        `json:"kind,omitempty"`
	Title     string        `json:"title,omitempty"`
	BotMember bool          `json:"bot_member,omitempty"`
	BotAdmin  bool          `json:"bot_admin,omitempty"`
	Messages  []snapMessage `json:"messages"`
}

type snapMessage struct {
	ID        int                 `json:"id"`
	FromBot   bool                `json:"from_bot,omitempty"`
	SenderID  int64               `json:"sender_id,omitempty"`
	Date      int64               `json:"date"`
	EditDate  int64               `json:"edit_date,omitempty"`
	Text      string              `json:"text,omitempty"`
	Entities  []wireEntity        `json:"entities,omitempty"`
	ParseMode string              `json:"parse_mode,omitempty"`
	Markup    *wireInlineKeyboard `json:"markup,omitempty"`
	Keyboard  [][]string          `json:"keyboard,omitempty"`
	Document  string              `json:"document,omitempty"` // file id
	Photo     string              `json:"photo,omitempty"`
	EditCount int                 `json:"edit_count,omitempty"`
	Deleted   bool                `json:"deleted,omitempty"`
}

type snapFile struct {
	ID       string `json:"id"`
	UniqueID string `json:"unique_id"`
	Name     string `json:"name"`
	Mime     string `json:"mime"`
	Path     string `json:"path"`
	Data     []byte `json:"data"`
	Width    int    `json:"width,omitempty"`
	Height   int    `json:"height,omitempty"`
}

type snapQueued struct {
	Update      wireUpdate `json:"update"`
	Redelivered bool       `json:"redelivered,omitempty"`
}

// Snapshot returns the bot's chats and counters as JSON, for Restore.
func (b *Bot) Snapshot() ([]byte, error) {
	b.mu.Lock()
	s := snapshot{Format: snapshotFormat, NextUpdateID: b.nextUpdateID, Commands: b.commands}
	for _, u := range b.users {
		s.Users = append(s.Users, snapUser{Info: u.info, Answers: u.answers})
	}
	for _, f := range b.files {
		s.Files = append(s.Files, snapFile{ID: f.id, UniqueID: f.uniqueID, Name: f.name, Mime: f.mime, Path: f.path,
			Data: f.data, Width: f.width, Height: f.height})
	}
	for _, c := range b.chats {
		sc := snapChat{ID: c.id, LastID: c.lastID, Blocked: c.blocked, Kind: c.kind, Title: c.title, BotMember: c.botMember, BotAdmin: c.botAdmin}
		if c.user != nil {
			sc.UserID = c.user.info.ID
		}
		for _, m := range c.messages {
			sm := snapMessage{ID: m.id, FromBot: m.fromBot, Date: m.date, EditDate: m.editDate, Text: m.text,
				Entities: m.entities, ParseMode: m.parseMode, Markup: m.markup, Keyboard: m.keyboard,
				EditCount: m.editCount, Deleted: m.deleted}
			if m.sender != nil {
				sm.SenderID = m.sender.info.ID
			}
			if m.document != nil {
				sm.Document = m.document.id
			}
			if m.photo != nil {
				sm.Photo = m.photo.id
			}
			sc.Messages = append(sc.Messages, sm)
		}
		s.Chats = append(s.Chats, sc)
	}
	for _, q := range b.pending {
		s.Pending = append(s.Pending, snapQueued{Update: q.update, Redelivered: q.redelivered})
	}
	// Marshal under the lock: the maps and slices above are the bot's own.
	out, err := json.Marshal(s)
	b.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("fake telegram: snapshot: %w", err)
	}
	return out, nil
}

// Restore replaces the bot's chats and counters with a Snapshot's. gap is
// added to the update counter and to every chat's message counter: a
// snapshot taken some time before a crash may lack the last updates and
// messages, whose ids the bot has already seen, and Telegram never gives an
// id twice. Call it before the bot connects.
func (b *Bot) Restore(data []byte, gap int) error {
	var s snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("fake telegram: restore: %w", err)
	}
	if s.Format != snapshotFormat {
		return fmt.Errorf("fake telegram: restore: unknown snapshot format %d", s.Format)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.touch()
	b.nextUpdateID = s.NextUpdateID + gap
	b.users = map[int64]*participant{}
	for _, u := range s.Users {
		b.users[u.Info.ID] = &participant{bot: b, info: u.Info, answers: u.Answers}
	}
	b.files, b.paths = map[string]*storedFile{}, map[string]*storedFile{}
	for _, f := range s.Files {
		sf := &storedFile{id: f.ID, uniqueID: f.UniqueID, name: f.Name, mime: f.Mime, path: f.Path, data: f.Data, width: f.Width, height: f.Height}
		b.files[sf.id] = sf
		b.paths[sf.path] = sf
	}
	b.chats = map[int64]*chat{}
	for _, sc := range s.Chats {
		c := &chat{id: sc.ID, user: b.users[sc.UserID], lastID: sc.LastID + gap, blocked: sc.Blocked, kind: sc.Kind, title: sc.Title, botMember: sc.BotMember, botAdmin: sc.BotAdmin}
		for _, sm := range sc.Messages {
			c.messages = append(c.messages, &storedMessage{
				id: sm.ID, fromBot: sm.FromBot, sender: b.users[sm.SenderID], date: sm.Date, editDate: sm.EditDate,
				text: sm.Text, entities: sm.Entities, parseMode: sm.ParseMode, markup: sm.Markup, keyboard: sm.Keyboard,
				document: b.files[sm.Document], photo: b.files[sm.Photo], editCount: sm.EditCount, deleted: sm.Deleted,
				version: b.version,
			})
		}
		b.chats[c.id] = c
	}
	b.commands = s.Commands
	if b.commands == nil {
		b.commands = map[string][]wireBotCommand{}
	}
	b.pending = nil
	for _, q := range s.Pending {
		b.pending = append(b.pending, queued{update: q.Update, redelivered: q.Redelivered})
		b.history[q.Update.UpdateID] = q.Update
		if cq := q.Update.CallbackQuery; cq != nil {
			if u := b.users[cq.From.ID]; u != nil {
				b.queries[cq.ID] = &query{user: u}
			}
		}
	}
	return nil
}
