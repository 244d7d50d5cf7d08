package telegram

import (
	"context"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Message is what Relais says in a chat, without the Bot API library's
// types: the bot, reminders and digest build it, and only this package
// turns it into calls (a send, an edit in place, a photo or a document), so
// how many calls a step costs is decided here and nowhere else.
type Message struct {
	ChatID int64
	// Text is plain text, a file's caption. In an edit, no text keeps the
	// message's text and changes its keyboard only.
	Text    string
	Buttons [][]Button // inline keyboard rows; none: no keyboard (an edit removes it)
	Edit    int        // > 0: edit this message in place (text and keyboard)
	File    *File
}

// Button is an inline keyboard button: callback data, or a link.
type Button struct{ Text, Data, URL string }

// File is a photo or a document sent with a message.
type File struct {
	Name  string
	Data  []byte
	Photo bool // shown as an image rather than as a file
}

// Command is one entry of a chat's command menu ("fiche", "remplir une fiche").
type Command struct{ Name, Description string }

// Post sends or edits m and returns the id of the message it left in the
// chat: one Bot API call. An edit that changes nothing is not an error.
func (s *Sender) Post(ctx context.Context, m Message) (int, error) {
	if m.Edit > 0 {
		if _, err := s.Request(ctx, editCall(m)); err != nil && !IsNotModified(err) {
			return 0, err
		}
		return m.Edit, nil
	}
	sent, err := s.Send(ctx, sendCall(m))
	if err != nil {
		return 0, err
	}
	return sent.MessageID, nil
}

// editCall is the edit of m: its text and keyboard (no buttons: the
// keyboard goes), or its keyboard alone when m has no text.
func editCall(m Message) tgbotapi.Chattable {
	kb := markup(m.Buttons)
	if m.Text == "" {
		if kb == nil {
			kb = &tgbotapi.InlineKeyboardMarkup{InlineKeyboard: [][]tgbotapi.InlineKeyboardButton{}}
		}
		return tgbotapi.NewEditMessageReplyMarkup(m.ChatID, m.Edit, *kb)
	}
	c := tgbotapi.NewEditMessageText(m.ChatID, m.Edit, m.Text)
	c.ReplyMarkup = kb
	return c
}

// sendCall is the new message m: a photo, a document or a text.
func sendCall(m Message) tgbotapi.Chattable {
	kb := markup(m.Buttons)
	switch {
	case m.File != nil && m.File.Photo:
		p := tgbotapi.NewPhoto(m.ChatID, tgbotapi.FileBytes{Name: m.File.Name, Bytes: m.File.Data})
		p.Caption = m.Text
		if kb != nil {
			p.ReplyMarkup = *kb
		}
		return p
	case m.File != nil:
		d := tgbotapi.NewDocument(m.ChatID, tgbotapi.FileBytes{Name: m.File.Name, Bytes: m.File.Data})
		d.Caption = m.Text
		if kb != nil {
			d.ReplyMarkup = *kb
		}
		return d
	}
	t := tgbotapi.NewMessage(m.ChatID, m.Text)
	if kb != nil {
		t.ReplyMarkup = *kb
	}
	return t
}

// Answer acknowledges a button press (answerCallbackQuery), with a short
// toast when text is set. It is not a chat message: it is not paced.
func (s *Sender) Answer(ctx context.Context, callbackID, text string) error {
	_, err := s.Request(ctx, tgbotapi.NewCallback(callbackID, text))
	return err
}

// SetCommands sets the command menu of one chat, or the default menu of
// every chat when chatID is 0.
func (s *Sender) SetCommands(ctx context.Context, chatID int64, cmds []Command) error {
	out := make([]tgbotapi.BotCommand, 0, len(cmds))
	for _, c := range cmds {
		out = append(out, tgbotapi.BotCommand{Command: c.Name, Description: c.Description})
	}
	c := tgbotapi.NewSetMyCommands(out...)
	if chatID != 0 {
		c = tgbotapi.NewSetMyCommandsWithScope(tgbotapi.NewBotCommandScopeChat(chatID), out...)
	}
	_, err := s.Request(ctx, c)
	return err
}

// Delete deletes a message from a chat: in a private chat the bot may
// delete the user's messages as well as its own, for 48 hours.
func (s *Sender) Delete(ctx context.Context, chatID int64, messageID int) error {
	_, err := s.Request(ctx, tgbotapi.NewDeleteMessage(chatID, messageID))
	return err
}

// LeaveChat makes the bot leave a group, a supergroup or a channel.
func (s *Sender) LeaveChat(ctx context.Context, chatID int64) error {
	_, err := s.Request(ctx, tgbotapi.LeaveChatConfig{ChatID: chatID})
	return err
}

func markup(rows [][]Button) *tgbotapi.InlineKeyboardMarkup {
	if len(rows) == 0 {
		return nil
	}
	out := make([][]tgbotapi.InlineKeyboardButton, 0, len(rows))
	for _, row := range rows {
		r := make([]tgbotapi.InlineKeyboardButton, 0, len(row))
		for _, b := range row {
			if b.URL != "" {
				r = append(r, tgbotapi.NewInlineKeyboardButtonURL(b.Text, b.URL))
				continue
			}
			r = append(r, tgbotapi.NewInlineKeyboardButtonData(b.Text, b.Data))
		}
		out = append(out, r)
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(out...)
	return &kb
}
