package telegram

import (
	"context"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Message is what Relais says in a chat, without the Bot API library's
// types: the bot, reminders and digest build it, and only this package
// turns it into calls (a send, an edit in place, a photo or a document).
type Message struct {
	ChatID  int64
	Text    string     // plain text; a file's caption
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

// Post sends or edits m and returns the id of the message it left in the
// chat. An edit that changes nothing is not an error.
func (s *Sender) Post(ctx context.Context, m Message) (int, error) {
	if m.Edit > 0 {
		c := tgbotapi.NewEditMessageText(m.ChatID, m.Edit, m.Text)
		if kb := markup(m.Buttons); kb != nil {
			c.ReplyMarkup = kb
		}
		if _, err := s.Request(ctx, c); err != nil && !IsNotModified(err) {
			return 0, err
		}
		return m.Edit, nil
	}
	var c tgbotapi.Chattable
	switch {
	case m.File != nil && m.File.Photo:
		p := tgbotapi.NewPhoto(m.ChatID, tgbotapi.FileBytes{Name: m.File.Name, Bytes: m.File.Data})
		p.Caption = m.Text
		if kb := markup(m.Buttons); kb != nil {
			p.ReplyMarkup = *kb
		}
		c = p
	case m.File != nil:
		d := tgbotapi.NewDocument(m.ChatID, tgbotapi.FileBytes{Name: m.File.Name, Bytes: m.File.Data})
		d.Caption = m.Text
		if kb := markup(m.Buttons); kb != nil {
			d.ReplyMarkup = *kb
		}
		c = d
	default:
		t := tgbotapi.NewMessage(m.ChatID, m.Text)
		if kb := markup(m.Buttons); kb != nil {
			t.ReplyMarkup = *kb
		}
		c = t
	}
	sent, err := s.Send(ctx, c)
	if err != nil {
		return 0, err
	}
	return sent.MessageID, nil
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
