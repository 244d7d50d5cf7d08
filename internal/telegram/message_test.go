package telegram_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/telegram"
)

// call is one Bot API request as the server received it.
type call struct {
	method string
	fields map[string]string // form fields, as sent
	file   string            // the uploaded file's field
	name   string            // its file name
	data   string            // its content
}

// recorder is a Bot API that writes down every request and answers it as
// Telegram would (a message for a send, true otherwise).
type recorder struct {
	mu    sync.Mutex
	calls []call
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	method := req.URL.Path[strings.LastIndex(req.URL.Path, "/")+1:]
	c := call{method: method, fields: map[string]string{}}
	if strings.HasPrefix(req.Header.Get("Content-Type"), "multipart/") {
		if err := req.ParseMultipartForm(1 << 20); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		for k, v := range req.MultipartForm.Value {
			c.fields[k] = v[0]
		}
		for k, fhs := range req.MultipartForm.File {
			f, err := fhs[0].Open()
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			b, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			c.file, c.name, c.data = k, fhs[0].Filename, string(b)
		}
	} else {
		if err := req.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		for k, v := range req.PostForm {
			c.fields[k] = v[0]
		}
	}
	result := `true`
	switch method {
	case "getMe":
		result = `{"id":1,"is_bot":true,"first_name":"Relais","username":"relais_bot"}`
	case "sendMessage", "sendDocument", "sendPhoto":
		r.mu.Lock()
		n := len(r.calls)
		r.mu.Unlock()
		result = fmt.Sprintf(`{"message_id":%d,"date":0,"chat":{"id":5,"type":"private"}}`, 100+n)
	}
	if method != "getMe" {
		r.mu.Lock()
		r.calls = append(r.calls, c)
		r.mu.Unlock()
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"ok":true,"result":%s}`, result)
}

// last returns the one call made since the previous last, failing otherwise.
func (r *recorder) last(t *testing.T) call {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.calls) != 1 {
		t.Fatalf("%d calls, want 1: %+v", len(r.calls), r.calls)
	}
	c := r.calls[0]
	r.calls = nil
	return c
}

// want checks a call's method, fields (exactly these, "" = absent) and file.
func want(t *testing.T, c call, method string, fields map[string]string) {
	t.Helper()
	if c.method != method {
		t.Fatalf("method %q, want %q (fields %v)", c.method, method, c.fields)
	}
	for k, v := range fields {
		got, ok := c.fields[k]
		if v == "" && ok {
			t.Errorf("%s: field %s = %q, want none", method, k, got)
		}
		if v != "" && got != v {
			t.Errorf("%s: field %s = %q, want %q", method, k, got, v)
		}
	}
}

// Each Message becomes the one Bot API call it stands for: a text is
// sendMessage, an edit editMessageText (its keyboard removed when it has
// no buttons), an edit without text editMessageReplyMarkup, a file
// sendDocument or sendPhoto with its caption, buttons on each; button
// answers, command menus and leaving a group are their own calls.
func TestPostTranslatesMessages(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	api, err := telegram.Connect(context.Background(), "1:token", srv.URL+"/bot%s/%s")
	if err != nil {
		t.Fatal(err)
	}
	s := telegram.NewSender(api, telegram.SenderOptions{Unlimited: true})
	ctx := context.Background()
	buttons := [][]chat.Button{{{Text: "Femme", Data: "d:c:sex:F"}, {Text: "Aide", URL: "https://example.org/aide"}}, {{Text: "Homme", Data: "d:c:sex:M"}}}
	const kb = `{"inline_keyboard":[[{"text":"Femme","callback_data":"d:c:sex:F"},{"text":"Aide","url":"https://example.org/aide"}],[{"text":"Homme","callback_data":"d:c:sex:M"}]]}`

	id, err := s.Post(ctx, chat.Message{ChatID: 5, Text: "Sexe ?", Buttons: buttons})
	if err != nil || id != 100 {
		t.Fatalf("send: id %d, %v", id, err)
	}
	want(t, rec.last(t), "sendMessage", map[string]string{"chat_id": "5", "text": "Sexe ?", "reply_markup": kb, "message_id": ""})

	if _, err := s.Post(ctx, chat.Message{ChatID: 5, Text: "Bonjour"}); err != nil {
		t.Fatal(err)
	}
	want(t, rec.last(t), "sendMessage", map[string]string{"chat_id": "5", "text": "Bonjour", "reply_markup": ""})

	if id, err := s.Post(ctx, chat.Message{ChatID: 5, Edit: 42, Text: "Âge ?", Buttons: buttons}); err != nil || id != 42 {
		t.Fatalf("edit: id %d, %v", id, err)
	}
	want(t, rec.last(t), "editMessageText", map[string]string{"chat_id": "5", "message_id": "42", "text": "Âge ?", "reply_markup": kb})

	if _, err := s.Post(ctx, chat.Message{ChatID: 5, Edit: 42, Text: "Sexe : Femme"}); err != nil {
		t.Fatal(err)
	}
	want(t, rec.last(t), "editMessageText", map[string]string{"chat_id": "5", "message_id": "42", "text": "Sexe : Femme", "reply_markup": ""})

	if id, err := s.Post(ctx, chat.Message{ChatID: 5, Edit: 42}); err != nil || id != 42 {
		t.Fatalf("keyboard removal: id %d, %v", id, err)
	}
	want(t, rec.last(t), "editMessageReplyMarkup", map[string]string{"chat_id": "5", "message_id": "42", "text": "", "reply_markup": `{"inline_keyboard":[]}`})

	if _, err := s.Post(ctx, chat.Message{ChatID: 5, Edit: 42, Buttons: buttons[1:]}); err != nil {
		t.Fatal(err)
	}
	want(t, rec.last(t), "editMessageReplyMarkup", map[string]string{"chat_id": "5", "message_id": "42", "text": "",
		"reply_markup": `{"inline_keyboard":[[{"text":"Homme","callback_data":"d:c:sex:M"}]]}`})

	id, err = s.Post(ctx, chat.Message{ChatID: 5, Text: "Rapport annuel 2025", Buttons: buttons[1:], File: &chat.File{Name: "rapport.pdf", Data: []byte("%PDF-1.7")}})
	if err != nil || id != 100 {
		t.Fatalf("document: id %d, %v", id, err)
	}
	c := rec.last(t)
	want(t, c, "sendDocument", map[string]string{"chat_id": "5", "caption": "Rapport annuel 2025", "text": "",
		"reply_markup": `{"inline_keyboard":[[{"text":"Homme","callback_data":"d:c:sex:M"}]]}`})
	if c.file != "document" || c.name != "rapport.pdf" || c.data != "%PDF-1.7" {
		t.Errorf("document file: field %q, name %q, data %q", c.file, c.name, c.data)
	}

	if _, err := s.Post(ctx, chat.Message{ChatID: 5, Text: "Demandes", File: &chat.File{Name: "d.png", Data: []byte("PNG"), Photo: true}}); err != nil {
		t.Fatal(err)
	}
	c = rec.last(t)
	want(t, c, "sendPhoto", map[string]string{"chat_id": "5", "caption": "Demandes", "reply_markup": ""})
	if c.file != "photo" || c.name != "d.png" || c.data != "PNG" {
		t.Errorf("photo file: field %q, name %q, data %q", c.file, c.name, c.data)
	}

	if err := s.Answer(ctx, "cb-1", "Enregistré."); err != nil {
		t.Fatal(err)
	}
	want(t, rec.last(t), "answerCallbackQuery", map[string]string{"callback_query_id": "cb-1", "text": "Enregistré."})

	menu := []chat.Command{{Name: "fiche", Description: "remplir une fiche"}}
	if err := s.SetCommands(ctx, 5, menu); err != nil {
		t.Fatal(err)
	}
	want(t, rec.last(t), "setMyCommands", map[string]string{"scope": `{"type":"chat","chat_id":5}`,
		"commands": `[{"command":"fiche","description":"remplir une fiche"}]`})
	if err := s.SetCommands(ctx, 0, menu); err != nil {
		t.Fatal(err)
	}
	want(t, rec.last(t), "setMyCommands", map[string]string{"scope": "", "commands": `[{"command":"fiche","description":"remplir une fiche"}]`})

	if err := s.LeaveChat(ctx, -100); err != nil {
		t.Fatal(err)
	}
	want(t, rec.last(t), "leaveChat", map[string]string{"chat_id": "-100"})

	if err := s.Delete(ctx, 5, 42); err != nil {
		t.Fatal(err)
	}
	want(t, rec.last(t), "deleteMessage", map[string]string{"chat_id": "5", "message_id": "42"})
}
