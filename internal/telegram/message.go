package telegram

import (
	"context"

	"github.com/relais-sante/relais/internal/chat"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Post sends or edits m and returns the id of the message it left in the
// chat: one Bot API call. An edit that changes nothing is not an error.
func (s *Sender) Post(ctx context.Context, m chat.Message) (int, error) {
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
func editCall(m chat.Message) tgbotapi.Chattable {
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
func sendCall(m chat.Message) tgbotapi.Chattable {
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
func (s *Sender) SetCommands(ctx context.Context, chatID int64, cmds []chat.Command) error {
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

func markup(rows [][]chat.Button) *tgbotapi.InlineKeyboardMarkup {
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
