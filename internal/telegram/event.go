package telegram

import (
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/relais-sante/relais/internal/chat"
)

// eventOf is what an update says, as a chat.Event: a message, an edit, a
// button press or the bot's membership of a chat changed. false: nothing
// Relais acts on (an inline query, a press on a message the bot cannot
// see, a channel post), confirmed without handling.
func eventOf(u tgbotapi.Update) (chat.Event, bool) {
	switch {
	case u.Message != nil && u.Message.From != nil && u.Message.Chat != nil:
		ev := messageEvent(u.UpdateID, u.Message)
		ev.Attachment = attachmentOf(u.Message)
		return ev, true
	case u.EditedMessage != nil && u.EditedMessage.From != nil && u.EditedMessage.Chat != nil:
		ev := messageEvent(u.UpdateID, u.EditedMessage)
		ev.Edited = true
		return ev, true
	case u.CallbackQuery != nil && u.CallbackQuery.From != nil && u.CallbackQuery.Message != nil && u.CallbackQuery.Message.Chat != nil:
		q := u.CallbackQuery
		return chat.Event{ID: u.UpdateID, ChatID: q.Message.Chat.ID, ChatKind: chat.Kind(q.Message.Chat.Type),
			SenderID: q.From.ID, SenderName: q.From.FirstName, MessageID: q.Message.MessageID,
			Press: &chat.Press{Data: q.Data, CallbackID: q.ID, MessageText: q.Message.Text}}, true
	case u.MyChatMember != nil:
		m := u.MyChatMember
		return chat.Event{ID: u.UpdateID, ChatID: m.Chat.ID, ChatKind: chat.Kind(m.Chat.Type),
			SenderID: m.From.ID, SenderName: m.From.FirstName, Membership: membershipOf(m.NewChatMember.Status)}, true
	}
	return chat.Event{}, false
}

func messageEvent(updateID int, m *tgbotapi.Message) chat.Event {
	return chat.Event{ID: updateID, ChatID: m.Chat.ID, ChatKind: chat.Kind(m.Chat.Type),
		SenderID: m.From.ID, SenderName: m.From.FirstName, MessageID: m.MessageID, Text: m.Text, Caption: m.Caption}
}

// attachmentOf is the file a message carries; nil: none Relais tells
// about (a sticker, a location and the like are not files).
func attachmentOf(m *tgbotapi.Message) *chat.Attachment {
	switch {
	case len(m.Photo) > 0:
		return &chat.Attachment{Kind: chat.Photo, FileID: m.Photo[len(m.Photo)-1].FileID}
	case m.Photo != nil:
		return &chat.Attachment{Kind: chat.Photo}
	case m.Document != nil:
		return &chat.Attachment{Kind: chat.Document, FileID: m.Document.FileID, Name: m.Document.FileName}
	case m.Voice != nil:
		return &chat.Attachment{Kind: chat.Voice, FileID: m.Voice.FileID}
	case m.Audio != nil:
		return &chat.Attachment{Kind: chat.Audio, FileID: m.Audio.FileID, Name: m.Audio.FileName}
	case m.Video != nil:
		return &chat.Attachment{Kind: chat.Video, FileID: m.Video.FileID, Name: m.Video.FileName}
	case m.VideoNote != nil:
		return &chat.Attachment{Kind: chat.VideoNote, FileID: m.VideoNote.FileID}
	}
	return nil
}

// membershipOf is a chat member status of the bot as a membership change.
func membershipOf(status string) chat.Membership {
	switch status {
	case "member", "administrator":
		return chat.Joined
	case "left":
		return chat.Left
	case "kicked":
		return chat.Removed
	}
	return chat.Other
}
