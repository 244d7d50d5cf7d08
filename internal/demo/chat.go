package demo

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/relais-sante/relais/internal/telegramtest"
)

//go:embed static
var static embed.FS

// maxText is Telegram's limit for one message; the apps refuse longer ones too.
const maxText = 4096

// Handler is the web chat: a page that looks like Telegram and a small JSON
// API that types and presses buttons as the personas, through the fake Bot
// API, and streams their chats back (Server-Sent Events).
//
//	GET  /                                  the chat page (static/index.html)
//	GET  /api/personas                      who can be played, and the bot's name
//	GET  /api/chats/{id}/commands           the command menu of that chat (setMyCommands, by scope)
//	GET  /api/chats/{id}/messages           the chat as JSON
//	GET  /api/chats/{id}/events             the chat as a stream: reset, message, answer
//	POST /api/chats/{id}/send               {"text":"/fiche"}
//	POST /api/chats/{id}/press              {"message_id":12,"button":"Femme"}
//	GET  /api/chats/{id}/files/{file}       a document or photo the bot sent
//
// It answers only to a loopback Host, and its POSTs only to the page's own
// origin (see ServeHTTP and fromThePage): it has no login.
type Handler struct {
	fake     *telegramtest.Bot
	personas map[int64]Persona
	order    []Persona
	mux      *http.ServeMux
	done     chan struct{}
	once     sync.Once
	// ready, when set, holds the chats' requests until it is closed (Run
	// closes it once the synthetic year is loaded).
	ready <-chan struct{}
}

// NewHandler serves the web chat for these personas of the fake bot.
func NewHandler(fake *telegramtest.Bot, personas []Persona) *Handler {
	h := &Handler{fake: fake, personas: map[int64]Persona{}, order: personas, mux: http.NewServeMux(), done: make(chan struct{})}
	for _, p := range personas {
		fake.NewUser(p.ID, p.Name)
		h.personas[p.ID] = p
	}
	files, err := fs.Sub(static, "static")
	if err != nil { // only for an invalid path: a build mistake
		panic("demo: embedded static files: " + err.Error())
	}
	h.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(files)))
	h.mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeFileFS(w, r, files, "index.html")
	})
	h.mux.HandleFunc("GET /api/personas", h.listPersonas)
	h.mux.HandleFunc("GET /api/chats/{id}/commands", h.withPersona(h.listCommands))
	h.mux.HandleFunc("GET /api/chats/{id}/messages", h.withPersona(h.messages))
	h.mux.HandleFunc("GET /api/chats/{id}/events", h.withPersona(h.events))
	h.mux.HandleFunc("POST /api/chats/{id}/send", fromThePage(h.withPersona(h.send)))
	h.mux.HandleFunc("POST /api/chats/{id}/press", fromThePage(h.withPersona(h.press)))
	h.mux.HandleFunc("GET /api/chats/{id}/files/{file}", h.withPersona(h.file))
	return h
}

// ServeHTTP implements http.Handler. The page has no login and listens on
// loopback only (RELAIS_DEMO_ADDR): a request naming another host is a web
// site whose name was made to resolve to 127.0.0.1 (DNS rebinding), which
// would then read the chats as its own origin. It is refused.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if !telegramtest.LoopbackHost(r.Host) {
		writeError(w, http.StatusForbidden, "Cette page de démonstration ne répond qu'aux adresses de cette machine (127.0.0.1, ::1 ou localhost).")
		return
	}
	h.mux.ServeHTTP(w, r)
}

// fromThePage lets through only the page's own requests: another web site
// open in the same browser can make it post to the demo (a form, a fetch
// without CORS), and would type and press as the personas. Browsers send
// Origin with every POST; without one, a browser's Sec-Fetch-Site says
// same-origin, and any other request (no mark at all) is refused.
func fromThePage(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !sameOrigin(r) {
			writeError(w, http.StatusForbidden, "Requête refusée : elle ne vient pas de la page de la démo.")
			return
		}
		next(w, r)
	}
}

// sameOrigin reports whether r comes from a page served by this host.
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return r.Header.Get("Sec-Fetch-Site") == "same-origin"
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return u.Scheme == scheme && u.User == nil && u.Path == "" && u.RawQuery == "" && strings.EqualFold(u.Host, r.Host)
}

// Close ends the open event streams, so an HTTP server shutting down does not
// wait for browsers. Safe to call more than once.
func (h *Handler) Close() { h.once.Do(func() { close(h.done) }) }

func (h *Handler) withPersona(next func(http.ResponseWriter, *http.Request, Persona)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		p, ok := h.personas[id]
		if err != nil || !ok {
			writeError(w, http.StatusNotFound, "Ce compte de démonstration n'existe pas.")
			return
		}
		if h.ready != nil {
			select {
			case <-h.ready:
			case <-h.done:
				writeError(w, http.StatusServiceUnavailable, "La démo s'arrête.")
				return
			case <-r.Context().Done():
				return
			}
		}
		next(w, r, p)
	}
}

type personaJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

func (h *Handler) listPersonas(w http.ResponseWriter, _ *http.Request) {
	out := struct {
		Bot      string        `json:"bot"`
		Notice   string        `json:"notice"`
		Personas []personaJSON `json:"personas"`
	}{Bot: h.fake.Username(), Notice: SyntheticNotice}
	for _, p := range h.order {
		out.Personas = append(out.Personas, personaJSON{ID: p.ID, Name: p.Name, Role: p.Role})
	}
	writeJSON(w, http.StatusOK, out)
}

// listCommands is the menu a Telegram client would show this persona: the
// one the bot set for their chat (their role's), else the default one.
func (h *Handler) listCommands(w http.ResponseWriter, _ *http.Request, p Persona) {
	type commandJSON struct {
		Command     string `json:"command"`
		Description string `json:"description"`
	}
	out := []commandJSON{}
	for _, c := range h.fake.MenuFor(p.ID, "fr") {
		out = append(out, commandJSON{Command: c.Command, Description: c.Description})
	}
	writeJSON(w, http.StatusOK, out)
}

// messageJSON is a chat message as the page draws it; files are links, not bytes.
type messageJSON struct {
	ID       int            `json:"id"`
	FromBot  bool           `json:"from_bot"`
	Text     string         `json:"text"`
	Date     int64          `json:"date"`
	Edited   bool           `json:"edited"`
	Deleted  bool           `json:"deleted,omitempty"`
	Buttons  [][]buttonJSON `json:"buttons,omitempty"`
	Keyboard [][]string     `json:"keyboard,omitempty"`
	Document *fileJSON      `json:"document,omitempty"`
	Photo    *fileJSON      `json:"photo,omitempty"`
}

type buttonJSON struct {
	Text string `json:"text"`
	URL  string `json:"url,omitempty"`
}

type fileJSON struct {
	Name   string `json:"name"`
	Mime   string `json:"mime"`
	Size   int    `json:"size"`
	Width  int    `json:"width,omitempty"`
	Height int    `json:"height,omitempty"`
	URL    string `json:"url"`
}

func toJSON(chatID int64, m telegramtest.Message) messageJSON {
	out := messageJSON{
		ID: m.ID, FromBot: m.FromBot, Text: shownText(m), Date: m.Date.Unix(),
		Edited: m.EditCount > 0, Deleted: m.Deleted, Keyboard: m.Keyboard,
		Document: fileLink(chatID, m.Document), Photo: fileLink(chatID, m.Photo),
	}
	for _, row := range m.Buttons {
		var r []buttonJSON
		for _, b := range row {
			r = append(r, buttonJSON{Text: b.Text, URL: b.URL})
		}
		out.Buttons = append(out.Buttons, r)
	}
	return out
}

// shownText is the text as the person's Telegram app shows it: opening an
// invitation link (t.me/bot?start=CODE) sends "/start CODE" to the bot but
// shows "/start" alone in the chat, so the code is hidden here too.
func shownText(m telegramtest.Message) string {
	if !m.FromBot && strings.HasPrefix(m.Text, "/start ") {
		return "/start"
	}
	return m.Text
}

func fileLink(chatID int64, f *telegramtest.File) *fileJSON {
	if f == nil {
		return nil
	}
	return &fileJSON{
		Name: f.Name, Mime: f.MimeType, Size: len(f.Data), Width: f.Width, Height: f.Height,
		URL: fmt.Sprintf("api/chats/%d/files/%s", chatID, f.ID),
	}
}

func (h *Handler) messages(w http.ResponseWriter, _ *http.Request, p Persona) {
	out := []messageJSON{}
	for _, m := range h.fake.ChatMessages(p.ID) {
		out = append(out, toJSON(p.ID, m))
	}
	writeJSON(w, http.StatusOK, out)
}

// events streams the chat: "reset" first (the page clears what it shows),
// then every message as "message" each time it is sent, edited or deleted,
// and the bot's answers to button presses as "answer" (Telegram shows them
// as a short notice).
func (h *Handler) events(w http.ResponseWriter, r *http.Request, p Persona) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		writeError(w, http.StatusInternalServerError, "Flux non pris en charge.")
		return
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	go func() {
		select {
		case <-h.done:
			cancel()
		case <-ctx.Done():
		}
	}()

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprint(w, "retry: 1000\nevent: reset\ndata: {}\n\n"); err != nil {
		return // the browser went away
	}
	flusher.Flush()

	msgs := h.fake.Subscribe(ctx, p.ID)
	answers := h.watchAnswers(ctx, p)
	keepAlive := time.NewTicker(20 * time.Second)
	defer keepAlive.Stop()
	for {
		var (
			event string
			data  any
		)
		select {
		case <-ctx.Done():
			return
		case <-keepAlive.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil {
				return // the browser went away
			}
			flusher.Flush()
			continue
		case ev, ok := <-msgs:
			if !ok {
				return
			}
			event, data = "message", toJSON(p.ID, ev.Message)
		case a := <-answers:
			event, data = "answer", map[string]any{"text": a.Text, "alert": a.ShowAlert}
		}
		b, err := json.Marshal(data)
		if err != nil {
			return
		}
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b); err != nil {
			return
		}
		flusher.Flush()
	}
}

// watchAnswers sends the bot's new answers to this persona's presses (those
// given after the stream opened) that carry a text.
func (h *Handler) watchAnswers(ctx context.Context, p Persona) <-chan telegramtest.CallbackAnswer {
	out := make(chan telegramtest.CallbackAnswer)
	user := h.fake.NewUser(p.ID, p.Name) // the existing user
	go func() {
		seen := len(user.CallbackAnswers())
		version := h.fake.Version()
		for {
			var err error
			if version, err = h.fake.WaitChange(ctx, version); err != nil {
				return
			}
			all := user.CallbackAnswers()
			for _, a := range all[seen:] {
				if a.Text == "" {
					continue
				}
				select {
				case out <- a:
				case <-ctx.Done():
					return
				}
			}
			seen = len(all)
		}
	}()
	return out
}

func (h *Handler) send(w http.ResponseWriter, r *http.Request, p Persona) {
	var req struct {
		Text string `json:"text"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	text := strings.TrimSpace(req.Text)
	switch {
	case text == "":
		writeError(w, http.StatusBadRequest, "Le message est vide.")
		return
	case utf8.RuneCountInString(text) > maxText:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("Message trop long : %d caractères au plus.", maxText))
		return
	}
	if _, err := h.fake.SendText(p.ID, text); err != nil {
		writeError(w, http.StatusBadRequest, "Le message n'a pas pu être envoyé.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

func (h *Handler) press(w http.ResponseWriter, r *http.Request, p Persona) {
	var req struct {
		MessageID int    `json:"message_id"`
		Button    string `json:"button"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	if req.MessageID <= 0 || req.Button == "" {
		writeError(w, http.StatusBadRequest, "Bouton inconnu.")
		return
	}
	if _, err := h.fake.Press(p.ID, req.MessageID, req.Button); err != nil {
		writeError(w, http.StatusConflict, "Ce bouton n'est plus disponible.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// file serves a document (as a download) or a photo (inline) of the chat.
func (h *Handler) file(w http.ResponseWriter, r *http.Request, p Persona) {
	id := r.PathValue("file")
	for _, m := range h.fake.ChatMessages(p.ID) {
		for _, f := range []*telegramtest.File{m.Document, m.Photo} {
			if f == nil || f.ID != id {
				continue
			}
			disposition := "attachment"
			if f == m.Photo {
				disposition = "inline"
			}
			w.Header().Set("Content-Type", f.MimeType)
			w.Header().Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": f.Name}))
			w.Header().Set("Content-Length", strconv.Itoa(len(f.Data)))
			if _, err := w.Write(f.Data); err != nil {
				return // the browser went away mid-download
			}
			return
		}
	}
	writeError(w, http.StatusNotFound, "Fichier introuvable.")
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "Message trop long.")
			return false
		}
		writeError(w, http.StatusBadRequest, "Requête illisible.")
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		return // the browser went away
	}
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
