package matrix

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // charts and photos: their size in the event
	_ "image/png"
	"mime"
	"net/http"
	"path/filepath"
	"strings"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/crypto/attachment"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/relais-sante/relais/internal/chat"
)

// Body is the text of m as Matrix shows it, which has no buttons: the
// text, then its choices numbered from 1, one per line (« 1. Femme »),
// links after their label. Where the answer is a number typed, a number
// names no choice: the choices are listed by their words (« – Passer »).
func Body(m chat.Message) string {
	var b strings.Builder
	b.WriteString(m.Text)
	n := 0
	for _, row := range m.Buttons {
		for _, btn := range row {
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			switch {
			case btn.URL != "":
				fmt.Fprintf(&b, "%s : %s", btn.Text, btn.URL)
				continue
			case m.NumberAnswer:
				if n == 0 {
					b.WriteString(NumberOrWords + "\n")
				}
				n++
				fmt.Fprintf(&b, "– %s", btn.Text)
				continue
			}
			n++
			fmt.Fprintf(&b, "%d. %s", n, btn.Text)
		}
	}
	return b.String()
}

// NumberOrWords comes before the choices of a question answered by a
// number typed.
const NumberOrWords = "Écrivez le nombre, ou l'un de ces mots :"

// ErrEncryptionUnknown refuses a send to a room whose encryption could not
// be checked: nothing leaves in clear by mistake.
var ErrEncryptionUnknown = errors.New("cannot tell whether the room is encrypted")

// maxTexts bounds the texts kept for edits that change only the choices.
const maxTexts = 10_000

// Post sends or edits m (the project's transport-neutral message) and
// returns the local number of the message it left in the chat. In an edit,
// no text keeps the message's text when this process sent it (else the
// edit changes nothing). In an encrypted room everything is encrypted (the text,
// the edit, the attachment); it is never sent in clear.
func (t *Transport) Post(ctx context.Context, m chat.Message) (int, error) {
	room, err := t.ids.rooms.of(ctx, m.ChatID)
	if err != nil {
		return 0, err
	}
	encrypted, err := t.encrypted(ctx, room)
	if err != nil {
		return 0, fmt.Errorf("matrix post to chat %d: %w: %w", m.ChatID, ErrEncryptionUnknown, err)
	}
	text := m.Text
	if m.Edit > 0 && text == "" {
		t.mu.Lock()
		text = t.texts[int64(m.Edit)]
		t.mu.Unlock()
		if text == "" {
			// Sent before this start: its text is not kept. Nothing to change.
			return m.Edit, nil
		}
	}
	body := Body(chat.Message{Text: text, Buttons: m.Buttons, NumberAnswer: m.NumberAnswer})
	var content *event.MessageEventContent
	switch {
	case m.File != nil && m.Edit == 0:
		content, err = t.upload(ctx, m.ChatID, encrypted, m.File, body)
		if err != nil {
			return 0, err
		}
	default:
		content = &event.MessageEventContent{MsgType: event.MsgText, Body: body}
	}
	if m.Edit > 0 {
		orig, err := t.ids.event(ctx, int64(m.Edit), m.ChatID)
		if err != nil {
			return 0, err
		}
		content.SetEdit(orig)
	}
	evt, err := t.send(ctx, m.ChatID, room, encrypted, content)
	if err != nil {
		return 0, err
	}
	n := int64(m.Edit)
	if m.Edit == 0 {
		if n, err = t.ids.sent(context.WithoutCancel(ctx), evt, m.ChatID); err != nil {
			return 0, err
		}
	}
	t.mu.Lock()
	if len(t.texts) >= maxTexts {
		t.texts = map[int64]string{}
	}
	t.texts[n] = text
	t.mu.Unlock()
	return int(n), nil
}

// encrypted says whether room is encrypted, from the state store, fetched
// from the homeserver the first time this process sends there.
func (t *Transport) encrypted(ctx context.Context, room id.RoomID) (bool, error) {
	if err := t.loadState(ctx, room, false); err != nil {
		return false, err
	}
	return t.cli.StateStore.IsEncrypted(ctx, room)
}

// send encrypts content if the room is, then sends it with one transaction
// id for all attempts (the homeserver keeps one event however many reach it).
func (t *Transport) send(ctx context.Context, chatID int64, room id.RoomID, encrypted bool, content *event.MessageEventContent) (id.EventID, error) {
	kind, payload := event.EventMessage, any(content)
	if encrypted {
		if t.crypto == nil {
			return "", fmt.Errorf("matrix post to chat %d: the room is encrypted and this build cannot encrypt", chatID)
		}
		enc, err := t.crypto.encrypt(ctx, room, event.EventMessage, content)
		if err != nil {
			return "", fmt.Errorf("matrix post to chat %d: %w", chatID, err)
		}
		kind, payload = event.EventEncrypted, enc
	}
	txn := t.cli.TxnID()
	var resp *mautrix.RespSendEvent
	err := t.pacer.do(ctx, chatID, "send", true, func(ctx context.Context) error {
		var err error
		resp, err = t.cli.SendMessageEvent(ctx, room, kind, payload, mautrix.ReqSendEvent{TransactionID: txn, DontEncrypt: true})
		return err
	})
	if err != nil {
		return "", err
	}
	return resp.EventID, nil
}

// upload puts a file on the homeserver (encrypted first in an encrypted
// room: the homeserver only sees ciphertext) and returns the message that
// shows it, with caption as its text.
func (t *Transport) upload(ctx context.Context, chatID int64, encrypted bool, f *chat.File, caption string) (*event.MessageEventContent, error) {
	mimeType := mime.TypeByExtension(filepath.Ext(f.Name))
	if mimeType == "" {
		mimeType = http.DetectContentType(f.Data)
	}
	content := &event.MessageEventContent{MsgType: event.MsgFile, Body: f.Name, FileName: f.Name,
		Info: &event.FileInfo{MimeType: mimeType, Size: len(f.Data)}}
	if caption != "" {
		content.Body = caption // MSC2530: a body other than the file name is its caption
	}
	if f.Photo {
		content.MsgType = event.MsgImage
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(f.Data)); err == nil {
			content.Info.Width, content.Info.Height = cfg.Width, cfg.Height
		}
	}
	data, uploadType := f.Data, mimeType
	var file *attachment.EncryptedFile
	if encrypted {
		file = attachment.NewEncryptedFile()
		data = bytes.Clone(f.Data) // the caller's bytes stay as they are
		file.EncryptInPlace(data)
		uploadType = "application/octet-stream"
	}
	var up *mautrix.RespMediaUpload
	err := t.pacer.do(ctx, chatID, "upload", false, func(ctx context.Context) error {
		var err error
		up, err = t.cli.UploadMedia(ctx, mautrix.ReqUploadMedia{ContentBytes: data, ContentLength: int64(len(data)), ContentType: uploadType, FileName: uploadName(f.Name, encrypted)})
		return err
	})
	if err != nil {
		return nil, err
	}
	if encrypted {
		content.File = &event.EncryptedFileInfo{EncryptedFile: *file, URL: up.ContentURI.CUString()}
	} else {
		content.URL = up.ContentURI.CUString()
	}
	return content, nil
}

// uploadName is the name the homeserver stores: none for an encrypted file
// (the name is in the encrypted event only).
func uploadName(name string, encrypted bool) string {
	if encrypted {
		return ""
	}
	return name
}

// Redact redacts message n (one the bot sent or received) of a chat. The
// redaction carries no reason: in an encrypted room it is the one event
// sent in clear (redactions are not encrypted), and it says nothing but
// which event goes.
func (t *Transport) Redact(ctx context.Context, chatID int64, n int) error {
	room, err := t.ids.rooms.of(ctx, chatID)
	if err != nil {
		return err
	}
	evt, err := t.ids.event(ctx, int64(n), chatID)
	if err != nil {
		return err
	}
	txn := t.cli.TxnID()
	return t.pacer.do(ctx, chatID, "redact", true, func(ctx context.Context) error {
		_, err := t.cli.RedactEvent(ctx, room, evt, mautrix.ReqRedact{TxnID: txn})
		return err
	})
}
