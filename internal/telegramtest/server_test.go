package telegramtest_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/relais-sante/relais/internal/telegramtest"
)

func connect(t *testing.T, srv *telegramtest.Server) *tgbotapi.BotAPI {
	t.Helper()
	api, err := tgbotapi.NewBotAPIWithAPIEndpoint(srv.Token(), srv.Endpoint())
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	return api
}

func apiError(t *testing.T, err error) *tgbotapi.Error {
	t.Helper()
	var e *tgbotapi.Error
	if !errors.As(err, &e) {
		t.Fatalf("want a Bot API error, got %v", err)
	}
	return e
}

func TestGetMeAndTokens(t *testing.T) {
	srv := telegramtest.NewServer(t, telegramtest.WithBotUsername("relais_bot"))
	api := connect(t, srv)
	if api.Self.UserName != "relais_bot" || !api.Self.IsBot {
		t.Fatalf("getMe = %+v", api.Self)
	}

	_, err := tgbotapi.NewBotAPIWithAPIEndpoint("123:unknown", srv.Endpoint())
	if e := apiError(t, err); e.Code != 401 || e.Message != "Unauthorized" {
		t.Fatalf("unknown token: %d %q", e.Code, e.Message)
	}
	_, err = tgbotapi.NewBotAPIWithAPIEndpoint("not a token", srv.Endpoint())
	if e := apiError(t, err); e.Code != 404 || e.Message != "Not Found" {
		t.Fatalf("malformed token: %d %q", e.Code, e.Message)
	}
}

func TestLongPollingAndOffsets(t *testing.T) {
	srv := telegramtest.NewServer(t)
	api := connect(t, srv)
	u := srv.NewUser(1001, "Awa")

	// A long poll waits for the update injected while it is pending.
	got := make(chan []tgbotapi.Update, 1)
	go func() {
		ups, err := api.GetUpdates(tgbotapi.UpdateConfig{Timeout: 10})
		if err != nil {
			t.Error(err)
		}
		got <- ups
	}()
	// Wait until the poll is parked on the server before injecting.
	for srv.Stats().ByMethod["getupdates"] == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	first := u.Send("/start ABC123")
	ups := <-got
	if len(ups) != 1 || ups[0].UpdateID != first {
		t.Fatalf("long poll got %+v", ups)
	}
	m := ups[0].Message
	if m.Text != "/start ABC123" || !m.IsCommand() || m.Command() != "start" || m.CommandArguments() != "ABC123" {
		t.Fatalf("message = %+v", m)
	}
	if m.Chat.ID != 1001 || m.From.ID != 1001 || m.From.FirstName != "Awa" {
		t.Fatalf("chat/from = %+v %+v", m.Chat, m.From)
	}

	second := u.Send("bonjour")
	third := u.Send("encore")
	// Without a higher offset nothing is confirmed: the same updates come again.
	ups, err := api.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 3 {
		t.Fatalf("unconfirmed: %v %d", err, len(ups))
	}
	// limit bounds the batch.
	ups, err = api.GetUpdates(tgbotapi.UpdateConfig{Offset: first + 1, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(ups) != 1 || ups[0].UpdateID != second {
		t.Fatalf("limit 1 = %+v", ups)
	}
	// The offset confirmed the first one: it never comes back.
	ups, err = api.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ups) != 2 || ups[0].UpdateID != second || ups[1].UpdateID != third {
		t.Fatalf("after confirming: %+v", ups)
	}
	ups, err = api.GetUpdates(tgbotapi.UpdateConfig{Offset: third + 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(ups) != 0 || srv.Bot().PendingUpdates() != 0 {
		t.Fatalf("everything confirmed, got %d, pending %d", len(ups), srv.Bot().PendingUpdates())
	}

	// allowed_updates filters the updates created afterwards.
	if _, err := api.GetUpdates(tgbotapi.UpdateConfig{Offset: third + 1, AllowedUpdates: []string{"callback_query"}}); err != nil {
		t.Fatal(err)
	}
	u.Send("ignoré")
	ups, err = api.GetUpdates(tgbotapi.UpdateConfig{Offset: third + 1}) // allowed_updates=null keeps the setting
	if err != nil {
		t.Fatal(err)
	}
	if len(ups) != 0 {
		t.Fatalf("message not in allowed_updates delivered: %+v", ups)
	}
	u.Send("toujours ignoré")
	if n := srv.Bot().PendingUpdates(); n != 0 {
		t.Fatalf("allowed_updates forgotten: %d pending", n)
	}
	if _, err := api.GetUpdates(tgbotapi.UpdateConfig{Offset: third + 1, AllowedUpdates: []string{}}); err != nil {
		t.Fatal(err)
	}
	u.Send("de nouveau reçu")
	if ups, err = api.GetUpdates(tgbotapi.UpdateConfig{}); err != nil || len(ups) != 1 {
		t.Fatalf("an empty allowed_updates restores the default: %+v (err %v)", ups, err)
	}
}

func TestSecondPollerTerminatesFirst(t *testing.T) {
	srv := telegramtest.NewServer(t)
	api := connect(t, srv)
	errc := make(chan error, 1)
	go func() {
		_, err := api.GetUpdates(tgbotapi.UpdateConfig{Timeout: 10})
		errc <- err
	}()
	for srv.Stats().ByMethod["getupdates"] == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := api.GetUpdates(tgbotapi.UpdateConfig{}); err != nil {
		t.Fatal(err)
	}
	e := apiError(t, <-errc)
	if e.Code != 409 || !strings.Contains(e.Message, "terminated by other getUpdates request") {
		t.Fatalf("first poller got %d %q", e.Code, e.Message)
	}
}

func TestSendMessageLimitsAndFormatting(t *testing.T) {
	srv := telegramtest.NewServer(t, telegramtest.WithoutRateLimits())
	api := connect(t, srv)
	u := srv.NewUser(1001, "Awa")

	if _, err := api.Send(tgbotapi.NewMessage(1001, strings.Repeat("é", 4096))); err != nil {
		t.Fatalf("4096 characters refused: %v", err)
	}
	_, err := api.Send(tgbotapi.NewMessage(1001, strings.Repeat("é", 4097)))
	if e := apiError(t, err); e.Code != 400 || e.Message != "Bad Request: message text is too long" {
		t.Fatalf("4097: %d %q", e.Code, e.Message)
	}
	// The limit applies after entity parsing: markup does not count.
	html := tgbotapi.NewMessage(1001, "<b>"+strings.Repeat("a", 4096)+"</b>")
	html.ParseMode = tgbotapi.ModeHTML
	if _, err := api.Send(html); err != nil {
		t.Fatalf("4096 characters in <b>: %v", err)
	}

	cases := []struct {
		mode, text, want string
	}{
		{tgbotapi.ModeHTML, "<b>Fiche</i>", `Bad Request: can't parse entities: Unmatched end tag at byte offset 8, expected "</b>", found "</i>"`},
		{tgbotapi.ModeHTML, "<b>Fiche", `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`},
		{tgbotapi.ModeHTML, "<h1>Fiche</h1>", `Bad Request: can't parse entities: Unsupported start tag "h1" at byte offset 0`},
		{tgbotapi.ModeMarkdownV2, "Merci.", `Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\'`},
		{tgbotapi.ModeMarkdownV2, "*Fiche", `Bad Request: can't parse entities: Can't find end of Bold entity at byte offset 0`},
		{"Klingon", "x", "Bad Request: unsupported parse_mode"},
	}
	for _, c := range cases {
		msg := tgbotapi.NewMessage(1001, c.text)
		msg.ParseMode = c.mode
		_, err := api.Send(msg)
		if e := apiError(t, err); e.Code != 400 || e.Message != c.want {
			t.Errorf("%s %q: got %d %q, want %q", c.mode, c.text, e.Code, e.Message, c.want)
		}
	}

	ok := tgbotapi.NewMessage(1001, "*Fiche n°12* enregistrée \\(_brouillon_\\)\\.")
	ok.ParseMode = tgbotapi.ModeMarkdownV2
	sent, err := api.Send(ok)
	if err != nil {
		t.Fatal(err)
	}
	if sent.Text != "Fiche n°12 enregistrée (brouillon)." || len(sent.Entities) != 2 || sent.Entities[0].Type != "bold" || sent.Entities[0].Length != 10 {
		t.Fatalf("parsed = %q %+v", sent.Text, sent.Entities)
	}
	esc := tgbotapi.NewMessage(1001, "&lt;3 <i>à</i> &amp; <a href=\"https://example.org/?a=1&amp;b=2\">lien</a>")
	esc.ParseMode = tgbotapi.ModeHTML
	if sent, err = api.Send(esc); err != nil || sent.Text != "<3 à & lien" || sent.Entities[1].URL != "https://example.org/?a=1&b=2" {
		t.Fatalf("html = %q %+v %v", sent.Text, sent.Entities, err)
	}
	if got := u.LastMessage().Text; got != "<3 à & lien" {
		t.Fatalf("user sees %q", got)
	}

	_, err = api.Send(tgbotapi.NewMessage(999, "personne"))
	if e := apiError(t, err); e.Message != "Bad Request: chat not found" {
		t.Fatalf("unknown chat: %q", e.Message)
	}
	_, err = api.Send(tgbotapi.NewMessage(1001, ""))
	if e := apiError(t, err); e.Message != "Bad Request: message text is empty" {
		t.Fatalf("empty: %q", e.Message)
	}
	u.Block()
	_, err = api.Send(tgbotapi.NewMessage(1001, "bloqué"))
	if e := apiError(t, err); e.Code != 403 || e.Message != "Forbidden: bot was blocked by the user" {
		t.Fatalf("blocked: %d %q", e.Code, e.Message)
	}
}

func TestCallbackDataLimit(t *testing.T) {
	srv := telegramtest.NewServer(t)
	api := connect(t, srv)
	srv.NewUser(1001, "Awa")
	send := func(data string) error {
		msg := tgbotapi.NewMessage(1001, "Choisissez")
		msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
			tgbotapi.NewInlineKeyboardButtonData("OK", data)))
		_, err := api.Send(msg)
		return err
	}
	if err := send(strings.Repeat("x", 64)); err != nil {
		t.Fatalf("64 bytes refused: %v", err)
	}
	for _, data := range []string{strings.Repeat("x", 65), strings.Repeat("é", 33), ""} {
		err := send(data)
		if e := apiError(t, err); e.Message != "Bad Request: BUTTON_DATA_INVALID" {
			t.Fatalf("%d bytes: %q", len(data), e.Message)
		}
	}
}

// echoBot is a tiny bot written with tgbotapi as Relais would be: it answers
// texts with a keyboard and edits the message when a button is pressed.
func echoBot(ctx context.Context, t *testing.T, api *tgbotapi.BotAPI) {
	offset := 0
	for ctx.Err() == nil {
		ups, err := api.GetUpdates(tgbotapi.UpdateConfig{Offset: offset, Timeout: 1})
		if err != nil {
			continue
		}
		for _, up := range ups {
			offset = up.UpdateID + 1
			switch {
			case up.Message != nil:
				msg := tgbotapi.NewMessage(up.Message.Chat.ID, "Fiche n°1 : "+up.Message.Text)
				msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
					tgbotapi.NewInlineKeyboardButtonData("Enregistrer", "save:1"),
					tgbotapi.NewInlineKeyboardButtonData("Annuler", "cancel:1")))
				if _, err := api.Send(msg); err != nil {
					t.Error(err)
				}
			case up.CallbackQuery != nil:
				q := up.CallbackQuery
				edit := tgbotapi.NewEditMessageText(q.Message.Chat.ID, q.Message.MessageID, "Enregistrée ("+q.Data+")")
				if _, err := api.Request(edit); err != nil {
					t.Error(err)
				}
				if _, err := api.Request(tgbotapi.NewCallback(q.ID, "C'est noté")); err != nil {
					t.Error(err)
				}
			}
		}
	}
}

func TestConversation(t *testing.T) {
	srv := telegramtest.NewServer(t)
	api := connect(t, srv)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { echoBot(ctx, t, api) })
	defer func() { cancel(); wg.Wait() }()

	u := srv.NewUser(1001, "Awa")
	u.Send("bonjour")
	m := u.Expect("Fiche n°1")
	if m.Text != "Fiche n°1 : bonjour" || len(m.Buttons) != 1 || m.Buttons[0][1].Data != "cancel:1" {
		t.Fatalf("got %+v", m)
	}
	u.Press("Enreg") // a unique prefix is enough
	edited := u.Expect("Enregistrée")
	if edited.ID != m.ID || edited.EditCount != 1 || edited.Text != "Enregistrée (save:1)" || len(edited.Buttons) != 0 {
		t.Fatalf("edited = %+v", edited)
	}
	if a := u.ExpectCallbackAnswer("noté"); a.ShowAlert {
		t.Fatalf("answer = %+v", a)
	}
	msgs := u.Messages()
	if len(msgs) != 2 || msgs[0].FromBot || !msgs[1].FromBot || u.LastMessage().ID != m.ID {
		t.Fatalf("messages = %+v", msgs)
	}
}

func TestEditErrors(t *testing.T) {
	srv := telegramtest.NewServer(t)
	api := connect(t, srv)
	u := srv.NewUser(1001, "Awa")
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Résolue", "r")))
	msg := tgbotapi.NewMessage(1001, "Demande ouverte")
	msg.ReplyMarkup = kb
	sent, err := api.Send(msg)
	if err != nil {
		t.Fatal(err)
	}

	same := tgbotapi.NewEditMessageTextAndMarkup(1001, sent.MessageID, "Demande ouverte", kb)
	_, err = api.Request(same)
	if e := apiError(t, err); e.Code != 400 || !strings.HasPrefix(e.Message, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same") {
		t.Fatalf("identical edit: %d %q", e.Code, e.Message)
	}
	_, err = api.Request(tgbotapi.NewEditMessageReplyMarkup(1001, sent.MessageID, kb))
	if e := apiError(t, err); !strings.Contains(e.Message, "message is not modified") {
		t.Fatalf("identical markup: %q", e.Message)
	}
	_, err = api.Request(tgbotapi.NewEditMessageText(1001, 999, "x"))
	if e := apiError(t, err); e.Message != "Bad Request: message to edit not found" {
		t.Fatalf("missing message: %q", e.Message)
	}
	u.Send("texte")
	_, err = api.Request(tgbotapi.NewEditMessageText(1001, sent.MessageID+1, "x"))
	if e := apiError(t, err); e.Message != "Bad Request: message can't be edited" {
		t.Fatalf("user's message: %q", e.Message)
	}
	// Same text without reply_markup removes the keyboard: that is a change.
	if _, err := api.Request(tgbotapi.NewEditMessageText(1001, sent.MessageID, "Demande ouverte")); err != nil {
		t.Fatal(err)
	}
	if got := u.Messages()[0]; len(got.Buttons) != 0 || got.EditCount != 1 {
		t.Fatalf("after edit: %+v", got)
	}
	_, err = api.Request(tgbotapi.NewCallback("inconnue", ""))
	if e := apiError(t, err); e.Message != "Bad Request: query is too old and response timeout expired or query ID is invalid" {
		t.Fatalf("unknown query: %q", e.Message)
	}
}

func TestFloodLimits(t *testing.T) {
	srv := telegramtest.NewServer(t)
	api := connect(t, srv)
	srv.NewUser(1001, "Awa")
	var tooMany *tgbotapi.Error
	sent := 0
	for i := 0; i < 20 && tooMany == nil; i++ {
		_, err := api.Send(tgbotapi.NewMessage(1001, "rafale"))
		if err != nil {
			tooMany = apiError(t, err)
			break
		}
		sent++
	}
	if tooMany == nil || tooMany.Code != 429 || tooMany.RetryAfter < 1 || tooMany.Message != "Too Many Requests: retry after 1" {
		t.Fatalf("no 429 after a burst of %d: %+v", sent, tooMany)
	}
	if sent != telegramtest.TelegramLimits.ChatBurst {
		t.Fatalf("burst allowed %d messages, want %d", sent, telegramtest.TelegramLimits.ChatBurst)
	}
	if st := srv.Stats(); st.TooManyRequests != 1 || st.ChatTooMany != 1 || st.Messages != sent {
		t.Fatalf("stats = %+v", st)
	}
	// answerCallbackQuery is not counted; edits are.
	_, err := api.Request(tgbotapi.NewEditMessageText(1001, 1, "modifié"))
	if e := apiError(t, err); e.Code != 429 {
		t.Fatalf("edit during flood: %v", err)
	}

	// The global limit: 30 messages at once to 30 chats pass, the 31st does
	// not. (A slow global refill keeps a slow -race run from earning a token.)
	srv2 := telegramtest.NewServer(t, telegramtest.WithLimits(telegramtest.Limits{GlobalPerSecond: 0.01, GlobalBurst: 30, ChatPerSecond: 1, ChatBurst: 5}))
	api2 := connect(t, srv2)
	var last error
	for i := range 31 {
		srv2.NewUser(int64(2000+i), "U")
		_, last = api2.Send(tgbotapi.NewMessage(int64(2000+i), "diffusion"))
		if last != nil && i < 30 {
			t.Fatalf("message %d refused: %v", i, last)
		}
	}
	if e := apiError(t, last); e.Code != 429 {
		t.Fatalf("31st message: %v", last)
	}
}

func TestWebhook(t *testing.T) {
	srv := telegramtest.NewServer(t)
	api := connect(t, srv)
	u := srv.NewUser(1001, "Awa")

	type delivery struct {
		secret string
		update tgbotapi.Update
	}
	got := make(chan delivery, 10)
	fail := true
	var mu sync.Mutex
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if fail { // the first delivery fails: Telegram retries it
			fail = false
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		up, err := api.HandleUpdate(r)
		if err != nil {
			t.Error(err)
			return
		}
		got <- delivery{r.Header.Get("X-Telegram-Bot-Api-Secret-Token"), *up}
	}))
	defer hook.Close()

	hookURL, err := url.Parse(hook.URL + "/hook")
	if err != nil {
		t.Fatal(err)
	}
	// tgbotapi v5.5.1 has no secret_token field: pass it as a raw parameter.
	params := tgbotapi.Params{"url": hookURL.String(), "secret_token": "s3cr3t_-"}
	if _, err := api.MakeRequest("setWebhook", params); err != nil {
		t.Fatal(err)
	}
	_, err = api.GetUpdates(tgbotapi.UpdateConfig{})
	if e := apiError(t, err); e.Code != 409 || !strings.HasPrefix(e.Message, "Conflict: can't use getUpdates method while webhook is active") {
		t.Fatalf("getUpdates with webhook: %d %q", e.Code, e.Message)
	}
	id := u.Send("via webhook")
	d := <-got
	if d.secret != "s3cr3t_-" || d.update.UpdateID != id || d.update.Message.Text != "via webhook" {
		t.Fatalf("delivery = %+v", d)
	}
	info, err := api.GetWebhookInfo()
	if err != nil || info.URL != hookURL.String() || info.LastErrorMessage != "Wrong response from the webhook: 500 Internal Server Error" {
		t.Fatalf("info = %+v %v", info, err)
	}
	if _, err := api.MakeRequest("setWebhook", tgbotapi.Params{"url": hookURL.String(), "secret_token": "pas valide!"}); err == nil {
		t.Fatal("bad secret token accepted")
	}
	if _, err := api.Request(tgbotapi.DeleteWebhookConfig{}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.GetUpdates(tgbotapi.UpdateConfig{}); err != nil {
		t.Fatalf("getUpdates after deleteWebhook: %v", err)
	}
}

func TestFiles(t *testing.T) {
	srv := telegramtest.NewServer(t)
	api := connect(t, srv)
	u := srv.NewUser(1001, "Awa")

	csv := []byte("sheet_id,date\n1,2024-03-01\n")
	doc := tgbotapi.NewDocument(1001, tgbotapi.FileBytes{Name: "export.csv", Bytes: csv})
	doc.Caption = "Export 2024"
	sent, err := api.Send(doc)
	if err != nil {
		t.Fatal(err)
	}
	if sent.Document == nil || sent.Document.FileName != "export.csv" || sent.Document.MimeType != "text/csv" || sent.Caption != "Export 2024" {
		t.Fatalf("sent = %+v", sent.Document)
	}
	last := u.LastMessage()
	if last.Document == nil || !bytes.Equal(last.Document.Data, csv) || last.Text != "Export 2024" {
		t.Fatalf("user sees %+v", last)
	}
	// Re-sending by file_id works.
	if _, err := api.Send(tgbotapi.NewDocument(1001, tgbotapi.FileID(sent.Document.FileID))); err != nil {
		t.Fatal(err)
	}

	var img bytes.Buffer
	if err := png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 40, 30))); err != nil {
		t.Fatal(err)
	}
	photo, err := api.Send(tgbotapi.NewPhoto(1001, tgbotapi.FileBytes{Name: "graphe.png", Bytes: img.Bytes()}))
	if err != nil || len(photo.Photo) != 1 || photo.Photo[0].Width != 40 {
		t.Fatalf("photo = %+v %v", photo.Photo, err)
	}
	_, err = api.Send(tgbotapi.NewPhoto(1001, tgbotapi.FileBytes{Name: "x.png", Bytes: []byte("pas une image")}))
	if e := apiError(t, err); e.Message != "Bad Request: IMAGE_PROCESS_FAILED" {
		t.Fatalf("bad image: %q", e.Message)
	}

	// A file sent by the user can be fetched with getFile and the file endpoint.
	u.SendDocument("import.csv", csv)
	ups, err := api.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil {
		t.Fatal(err)
	}
	fileID := ups[len(ups)-1].Message.Document.FileID
	f, err := api.GetFile(tgbotapi.FileConfig{FileID: fileID})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(srv.URL() + "/file/bot" + srv.Token() + "/" + f.FilePath)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !bytes.Equal(body, csv) {
		t.Fatalf("downloaded %q", body)
	}
}

func TestCommands(t *testing.T) {
	srv := telegramtest.NewServer(t)
	api := connect(t, srv)
	cmds := []tgbotapi.BotCommand{{Command: "aide", Description: "Ce que vous pouvez faire"}, {Command: "suivis", Description: "Vos demandes ouvertes"}}
	if _, err := api.Request(tgbotapi.NewSetMyCommands(cmds...)); err != nil {
		t.Fatal(err)
	}
	got, err := api.GetMyCommands()
	if err != nil || len(got) != 2 || got[1] != cmds[1] {
		t.Fatalf("getMyCommands = %+v %v", got, err)
	}
	if c := srv.Bot().Commands(); len(c) != 2 || c[0].Command != "aide" {
		t.Fatalf("Commands() = %+v", c)
	}
	// A client shows the chat's own menu first, then the default one.
	mine := tgbotapi.NewSetMyCommandsWithScopeAndLanguage(tgbotapi.NewBotCommandScopeChat(1001), "fr", tgbotapi.BotCommand{Command: "fiche", Description: "Nouvelle fiche"})
	if _, err := api.Request(mine); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		chat int64
		lang string
		want string
	}{
		{1001, "fr", "fiche"}, // the chat's scope in the user's language
		{1001, "en", "aide"},  // no menu for that language in the chat: the default
		{1002, "fr", "aide"},  // another chat: the default
	} {
		if got := srv.Bot().MenuFor(c.chat, c.lang); len(got) == 0 || got[0].Command != c.want {
			t.Errorf("MenuFor(%d, %s) = %+v, want %s first", c.chat, c.lang, got, c.want)
		}
	}
	_, err = api.Request(tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "Aide!", Description: "x"}))
	if e := apiError(t, err); e.Message != "Bad Request: BOT_COMMAND_INVALID" {
		t.Fatalf("bad command: %q", e.Message)
	}
}

func TestRedeliverAndFaults(t *testing.T) {
	srv := telegramtest.NewServer(t)
	api := connect(t, srv)
	u := srv.NewUser(1001, "Awa")
	id := u.Send("une fois")
	ups, err := api.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.GetUpdates(tgbotapi.UpdateConfig{Offset: id + 1}); err != nil {
		t.Fatal(err)
	}
	u.SendDuplicate()
	dup, err := api.GetUpdates(tgbotapi.UpdateConfig{Offset: id + 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(dup) != 1 || dup[0].UpdateID != id || dup[0].Message.MessageID != ups[0].Message.MessageID {
		t.Fatalf("duplicate = %+v", dup)
	}
	if again, err := api.GetUpdates(tgbotapi.UpdateConfig{Offset: id + 1}); err != nil || len(again) != 0 {
		t.Fatalf("duplicate delivered twice (err %v)", err)
	}

	srv.InjectFault(telegramtest.Fault{Method: "sendMessage", Code: 502, Description: "Bad Gateway", Times: 2})
	for range 2 {
		_, err := api.Send(tgbotapi.NewMessage(1001, "x"))
		if e := apiError(t, err); e.Code != 502 {
			t.Fatalf("fault: %v", err)
		}
	}
	if _, err := api.Send(tgbotapi.NewMessage(1001, "x")); err != nil {
		t.Fatalf("after faults: %v", err)
	}
	srv.InjectFault(telegramtest.Fault{Method: "sendMessage"})
	_, err = api.Send(tgbotapi.NewMessage(1001, "x"))
	var tgErr *tgbotapi.Error
	if err == nil || errors.As(err, &tgErr) {
		t.Fatalf("network fault gave %v", err)
	}
}

// A fault after delivery: the message reaches the chat, then the bot gets
// the failure (a 502, a dropped connection, no answer before its timeout).
func TestFaultsAfterDelivery(t *testing.T) {
	srv := telegramtest.NewServer(t)
	api := connect(t, srv)
	u := srv.NewUser(1001, "Awa")

	srv.InjectFault(telegramtest.Fault{Method: "sendMessage", Code: 502, Description: "Bad Gateway", Delivered: true})
	if _, err := api.Send(tgbotapi.NewMessage(1001, "un")); apiError(t, err).Code != 502 {
		t.Fatalf("delivered then 502: %v", err)
	}
	srv.InjectFault(telegramtest.Fault{Method: "sendMessage", Delivered: true})
	_, err := api.Send(tgbotapi.NewMessage(1001, "deux"))
	var tgErr *tgbotapi.Error
	if err == nil || errors.As(err, &tgErr) {
		t.Fatalf("delivered then dropped: %v", err)
	}
	srv.InjectFault(telegramtest.Fault{Method: "sendMessage", Delivered: true, Delay: time.Minute})
	slow := *api
	slow.Client = &http.Client{Timeout: 300 * time.Millisecond}
	if _, err := slow.Send(tgbotapi.NewMessage(1001, "trois")); err == nil {
		t.Fatal("delivered then no answer: no error")
	}
	// A refused message is not delivered, even with Delivered set.
	srv.InjectFault(telegramtest.Fault{Method: "sendMessage", Code: 502, Description: "Bad Gateway", Delivered: true})
	if _, err := api.Send(tgbotapi.NewMessage(999, "quatre")); apiError(t, err).Code != 400 {
		t.Fatalf("refused then 502: %v", err)
	}
	var got []string
	for _, m := range u.Messages() {
		got = append(got, m.Text)
	}
	if strings.Join(got, ",") != "un,deux,trois" {
		t.Fatalf("chat = %q, want the three messages once each", got)
	}
}

func TestSubscribe(t *testing.T) {
	srv := telegramtest.NewServer(t)
	api := connect(t, srv)
	u := srv.NewUser(1001, "Awa")
	u.Send("bonjour")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := srv.Bot().Subscribe(ctx, 1001)
	if ev := <-events; ev.Message.Text != "bonjour" || ev.Message.FromBot {
		t.Fatalf("first event = %+v", ev)
	}
	sent, err := api.Send(tgbotapi.NewMessage(1001, "Bienvenue"))
	if err != nil {
		t.Fatal(err)
	}
	if ev := <-events; ev.Message.Text != "Bienvenue" || !ev.Message.FromBot {
		t.Fatalf("second event = %+v", ev)
	}
	if _, err := api.Request(tgbotapi.NewDeleteMessage(1001, sent.MessageID)); err != nil {
		t.Fatal(err)
	}
	if ev := <-events; !ev.Message.Deleted {
		t.Fatalf("third event = %+v", ev)
	}
}

func TestControlAPIAndListenAndServe(t *testing.T) {
	srv, err := telegramtest.New(telegramtest.WithToken(telegramtest.DefaultToken))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	api := connect(t, srv)
	post := func(path, body string) {
		t.Helper()
		resp, err := http.Post(srv.URL()+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("POST %s: %s", path, resp.Status)
		}
	}
	post("/fake/users", `{"id":1001,"first_name":"Awa"}`)
	post("/fake/chats/1001/send", `{"text":"/start ABC"}`)
	ups, err := api.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 1 || ups[0].Message.Text != "/start ABC" {
		t.Fatalf("updates %+v %v", ups, err)
	}
	msg := tgbotapi.NewMessage(1001, "Bienvenue")
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Aide", "help")))
	if _, err := api.Send(msg); err != nil {
		t.Fatal(err)
	}
	post("/fake/chats/1001/press", `{"button":"Aide"}`)
	ups, err = api.GetUpdates(tgbotapi.UpdateConfig{Offset: ups[0].UpdateID + 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(ups) != 1 || ups[0].CallbackQuery == nil || ups[0].CallbackQuery.Data != "help" {
		t.Fatalf("press gave %+v", ups)
	}
	resp, err := http.Get(srv.URL() + "/fake/chats/1001/messages")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !strings.Contains(string(body), `"Text":"Bienvenue"`) {
		t.Fatalf("messages: %s", body)
	}

	// ListenAndServe runs until its context ends.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- telegramtest.ListenAndServe(ctx, "127.0.0.1:0", "") }()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
