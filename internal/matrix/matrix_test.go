//go:build goolm

package matrix_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/matrix"
	"github.com/relais-sante/relais/internal/matrix/matrixtest"
	"github.com/relais-sante/relais/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

var pickleKey = []byte("relais-test-pickle-key")

// bot opens the transport for the bot account on db, logging in with the
// password (the device is kept in the database).
func bot(t *testing.T, srv *testenv.MatrixServer, u testenv.MatrixUser, db *testenv.DB) *matrix.Transport {
	t.Helper()
	tr, err := matrix.Open(context.Background(), matrix.Config{
		HomeserverURL: srv.URL, UserID: u.UserID, Password: u.Password,
		DatabaseURL: db.URL, PickleKey: pickleKey, SyncTimeout: 2 * time.Second,
		Sender: matrix.SenderOptions{Unlimited: true},
	})
	if err != nil {
		t.Fatalf("open the transport: %v", err)
	}
	t.Cleanup(func() {
		if err := tr.Close(); err != nil {
			t.Error(err)
		}
	})
	return tr
}

// run runs the transport until parent ends or stop is called; stop waits
// for Run to return.
func run(t *testing.T, parent context.Context, tr *matrix.Transport, h matrix.Handler) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(parent)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		if err := tr.Run(ctx, h); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	stop = func() {
		cancel()
		select {
		case <-finished:
		case <-time.After(30 * time.Second):
			t.Error("Run did not return 30 s after its context ended")
		}
	}
	t.Cleanup(stop)
	return stop
}

func tinyPNG(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// In an encrypted direct chat, a person's message reaches the handler in
// clear, and everything the bot sends back — text with its numbered
// choices, an edit, an image, a document — is encrypted on the wire and
// decrypts on the person's device.
func TestEncryptedDirectChat(t *testing.T) {
	t.Parallel()
	srv := testenv.Matrix(t)
	db := testenv.NewDB(t)
	botUser, person := srv.NewUser(t, "relais"), srv.NewUser(t, "mediatrice")
	tr := bot(t, srv, botUser, db)
	chart := tinyPNG(t)
	pdf := []byte("%PDF-1.4 rapport annuel")
	got := make(chan matrix.Event, 10)
	run(t, context.Background(), tr, func(ctx context.Context, ev matrix.Event) error {
		got <- ev
		switch ev.Text {
		case "!start ABC123":
			_, err := tr.Post(ctx, chat.Message{ChatID: ev.ChatID, Text: "Bienvenue ! Votre sexe ?",
				Buttons: [][]chat.Button{{{Text: "Femme", Data: "s:f"}, {Text: "Homme", Data: "s:h"}}}})
			return err
		case "1":
			n, err := tr.Post(ctx, chat.Message{ChatID: ev.ChatID, Text: "Fiche en cours…"})
			if err != nil {
				return err
			}
			_, err = tr.Post(ctx, chat.Message{ChatID: ev.ChatID, Edit: n, Text: "Fiche n° 12 enregistrée"})
			return err
		case "chiffres":
			if _, err := tr.Post(ctx, chat.Message{ChatID: ev.ChatID, Text: "Accompagnements par mois", File: &chat.File{Name: "chiffres.png", Data: chart, Photo: true}}); err != nil {
				return err
			}
			_, err := tr.Post(ctx, chat.Message{ChatID: ev.ChatID, File: &chat.File{Name: "rapport.pdf", Data: pdf}})
			return err
		}
		return nil
	})

	p := matrixtest.NewPeer(t, srv, person)
	room := p.Room(tr.UserID(), true, true)
	p.WaitMember(room, tr.UserID(), true)

	p.Say(room, "!start ABC123")
	ev := <-got
	chat, err := tr.ChatOf(context.Background(), room.String())
	if err != nil {
		t.Fatal(err)
	}
	sender, err := tr.PersonOf(context.Background(), person.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Text != "!start ABC123" || ev.ChatID != chat || ev.SenderID != sender || ev.Sender != person.UserID || ev.MessageID <= 0 {
		t.Fatalf("event %+v, want the text, chat %d and sender %d", ev, chat, sender)
	}
	if chat < 8_000_000_000_000_000_000 || sender < 8_000_000_000_000_000_000 {
		t.Fatalf("chat %d, sender %d: local numbers start above every Telegram id", chat, sender)
	}
	r := p.Next()
	if r.Wire != event.EventEncrypted || r.Content.Body != "Bienvenue ! Votre sexe ?\n1. Femme\n2. Homme" {
		t.Fatalf("got %s %q, want an encrypted message with numbered choices", r.Wire.Type, r.Content.Body)
	}

	p.Say(room, "1")
	<-got
	if r := p.Next(); r.Wire != event.EventEncrypted || r.Content.Body != "Fiche en cours…" {
		t.Fatalf("got %s %q", r.Wire.Type, r.Content.Body)
	}
	r = p.Next()
	if r.Wire != event.EventEncrypted || r.Content.RelatesTo.GetReplaceID() == "" || r.Content.NewContent == nil || r.Content.NewContent.Body != "Fiche n° 12 enregistrée" {
		t.Fatalf("edit: got %s %+v, want an encrypted m.replace", r.Wire.Type, r.Content)
	}

	p.Say(room, "chiffres")
	<-got
	img := p.Next()
	if img.Wire != event.EventEncrypted || img.Content.MsgType != event.MsgImage || img.Content.Body != "Accompagnements par mois" ||
		img.Content.FileName != "chiffres.png" || img.Content.URL != "" || img.Content.File == nil || img.Content.Info.Width != 3 {
		t.Fatalf("image: got %s %+v, want an encrypted image with its caption and an encrypted attachment", img.Wire.Type, img.Content)
	}
	if data := p.Download(img.Content); !bytes.Equal(data, chart) {
		t.Fatalf("the image decrypts to %d bytes, want the chart's %d", len(data), len(chart))
	}
	doc := p.Next()
	if doc.Wire != event.EventEncrypted || doc.Content.MsgType != event.MsgFile || doc.Content.Body != "rapport.pdf" || doc.Content.File == nil {
		t.Fatalf("document: got %s %+v", doc.Wire.Type, doc.Content)
	}
	if data := p.Download(doc.Content); !bytes.Equal(data, pdf) {
		t.Fatalf("the document decrypts to %q", data)
	}
	raw, err := p.Cli.DownloadBytes(context.Background(), mustParse(t, doc.Content.File.URL))
	if err != nil || bytes.Contains(raw, []byte("rapport annuel")) {
		t.Fatalf("the homeserver holds the document in clear (%v)", err)
	}
	assertNothingInClear(t, p, room, tr.UserID())

	// The bot's device is signed by its account's self-signing key.
	keys, err := p.Cli.QueryKeys(context.Background(), &mautrix.ReqQueryKeys{DeviceKeys: map[id.UserID]mautrix.DeviceIDList{id.UserID(tr.UserID()): {}}})
	if err != nil {
		t.Fatal(err)
	}
	ssk := keys.SelfSigningKeys[id.UserID(tr.UserID())]
	device := keys.DeviceKeys[id.UserID(tr.UserID())][id.DeviceID(tr.DeviceID())]
	if key := ssk.FirstKey(); key == "" || device.Signatures[id.UserID(tr.UserID())][id.NewKeyID(id.KeyAlgorithmEd25519, key.String())] == "" {
		t.Fatalf("the bot's device %s is not cross-signed (self-signing key %q)", tr.DeviceID(), key)
	}
}

func mustParse(t *testing.T, u id.ContentURIString) id.ContentURI {
	uri, err := u.Parse()
	if err != nil {
		t.Fatal(err)
	}
	return uri
}

// assertNothingInClear reads the room's history from the homeserver: every
// event the bot sent in it is m.room.encrypted.
func assertNothingInClear(t *testing.T, p *matrixtest.Peer, room id.RoomID, bot string) {
	t.Helper()
	resp, err := p.Cli.Messages(context.Background(), room, "", "", mautrix.DirectionBackward, nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, evt := range resp.Chunk {
		if evt.Sender != id.UserID(bot) || evt.StateKey != nil {
			continue
		}
		n++
		if evt.Type != event.EventEncrypted {
			t.Errorf("the bot sent a %s in an encrypted room", evt.Type.Type)
		}
	}
	if n < 5 {
		t.Fatalf("the bot sent %d events in the room, want at least 5", n)
	}
}

// A restart in the middle of a batch loses nothing (an event whose handler
// did not finish comes again) and repeats nothing (an event handled before
// the sync position moved is skipped), with the same device and its keys.
func TestRestartNeitherLosesNorRepeats(t *testing.T) {
	t.Parallel()
	srv := testenv.Matrix(t)
	db := testenv.NewDB(t)
	botUser, person := srv.NewUser(t, "relais"), srv.NewUser(t, "mediateur")
	h := newHandled()

	// First run: the handler is killed while handling « un ».
	tr1 := bot(t, srv, botUser, db)
	device := tr1.DeviceID()
	killed, kill := context.WithCancel(context.Background())
	stop1 := run(t, killed, tr1, func(ctx context.Context, ev matrix.Event) error {
		if ev.Text == "un" {
			kill()
			return ctx.Err()
		}
		h.add(ev.Text)
		return nil
	})
	p := matrixtest.NewPeer(t, srv, person)
	room := p.Room(tr1.UserID(), true, true)
	p.WaitMember(room, tr1.UserID(), true)
	p.Say(room, "un")
	<-killed.Done()
	stop1()

	// Second run, same database: « un » comes again, once.
	tr2 := bot(t, srv, botUser, db)
	if tr2.DeviceID() != device {
		t.Fatalf("device %s after the restart, want %s", tr2.DeviceID(), device)
	}
	echo := func(tr *matrix.Transport) matrix.Handler {
		return func(ctx context.Context, ev matrix.Event) error {
			h.add(ev.Text)
			_, err := tr.Post(ctx, chat.Message{ChatID: ev.ChatID, Text: "Reçu : " + ev.Text})
			return err
		}
	}
	stop2 := run(t, context.Background(), tr2, echo(tr2))
	h.wait(t, "un")
	if r := p.Next(); r.Wire != event.EventEncrypted || r.Content.Body != "Reçu : un" {
		t.Fatalf("got %s %q", r.Wire.Type, r.Content.Body)
	}
	before := nextBatch(t, db, botUser.UserID)
	p.Say(room, "deux")
	h.wait(t, "deux")
	if r := p.Next(); r.Content.Body != "Reçu : deux" {
		t.Fatalf("got %q", r.Content.Body)
	}
	waitFor(t, "the sync position to move past « deux »", func() bool { return nextBatch(t, db, botUser.UserID) != before })
	stop2()

	// A crash after « deux » was handled but before the position moved:
	// put the position back; the third run must not handle « deux » again.
	if _, err := db.SQL.Exec(context.Background(), `UPDATE matrix_accounts SET next_batch = $2 WHERE user_id = $1`, botUser.UserID, before); err != nil {
		t.Fatal(err)
	}
	tr3 := bot(t, srv, botUser, db)
	run(t, context.Background(), tr3, echo(tr3))
	p.Say(room, "trois")
	h.wait(t, "trois")
	if r := p.Next(); r.Content.Body != "Reçu : trois" {
		t.Fatalf("got %q after the restart, want only the answer to « trois »", r.Content.Body)
	}
	if h.count("un") != 1 || h.count("deux") != 1 || h.count("trois") != 1 {
		t.Fatalf("handled %s, want each message once", h)
	}
}

// A slow answer in one room holds no other room's: while the handler of
// « lent » has not returned, « vite » in another room is handled. Stopped
// then, the bot has not saved a sync position past « lent »: the next
// start handles it, and not « vite » again.
func TestASlowRoomHoldsNoOtherRoom(t *testing.T) {
	t.Parallel()
	srv := testenv.Matrix(t)
	db := testenv.NewDB(t)
	botUser := srv.NewUser(t, "relais")
	h := newHandled()
	tr1 := bot(t, srv, botUser, db)
	stop1 := run(t, context.Background(), tr1, func(ctx context.Context, ev matrix.Event) error {
		if ev.Text == "lent" {
			h.add("lent commencé")
			<-ctx.Done() // until the bot stops
			return ctx.Err()
		}
		h.add(ev.Text)
		return nil
	})
	slow, fast := matrixtest.NewPeer(t, srv, srv.NewUser(t, "lent")), matrixtest.NewPeer(t, srv, srv.NewUser(t, "vite"))
	slowRoom, fastRoom := slow.Room(tr1.UserID(), true, true), fast.Room(tr1.UserID(), true, true)
	slow.WaitMember(slowRoom, tr1.UserID(), true)
	fast.WaitMember(fastRoom, tr1.UserID(), true)
	slow.Say(slowRoom, "lent")
	h.wait(t, "lent commencé")
	fast.Say(fastRoom, "vite")
	h.wait(t, "vite")
	stop1()

	tr2 := bot(t, srv, botUser, db)
	run(t, context.Background(), tr2, func(ctx context.Context, ev matrix.Event) error {
		h.add(ev.Text)
		return nil
	})
	h.wait(t, "lent")
	fast.Say(fastRoom, "encore")
	h.wait(t, "encore")
	if h.count("lent") != 1 || h.count("vite") != 1 || h.count("encore") != 1 {
		t.Fatalf("handled %s, want « lent », « vite » and « encore » once each", h)
	}
}

func nextBatch(t *testing.T, db *testenv.DB, user string) string {
	t.Helper()
	var nb string
	if err := db.SQL.QueryRow(context.Background(), `SELECT next_batch FROM matrix_accounts WHERE user_id = $1`, user).Scan(&nb); err != nil {
		t.Fatal(err)
	}
	return nb
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Invited to a group room, the bot says one sentence and leaves; so it
// does from a direct chat that a third person joins. A direct chat without
// encryption is answered in clear.
func TestLeavesGroupRooms(t *testing.T) {
	t.Parallel()
	srv := testenv.Matrix(t)
	db := testenv.NewDB(t)
	botUser, person, third := srv.NewUser(t, "relais"), srv.NewUser(t, "coordinatrice"), srv.NewUser(t, "tiers")
	tr := bot(t, srv, botUser, db)
	run(t, context.Background(), tr, func(ctx context.Context, ev matrix.Event) error {
		if ev.Text != "bonjour" {
			t.Errorf("a group message reached the handler: %q", ev.Text)
			return nil
		}
		_, err := tr.Post(ctx, chat.Message{ChatID: ev.ChatID, Text: "Bonjour !"})
		return err
	})
	const sentence = "Relais répond seulement en conversation privée : écrivez-moi dans un message direct."
	p := matrixtest.NewPeer(t, srv, person)
	group := p.Room(tr.UserID(), false, false)
	r := p.Next()
	if r.Room != group || r.Wire != event.EventMessage || r.Content.Body != sentence {
		t.Fatalf("got %s %q in %s, want the sentence in the group", r.Wire.Type, r.Content.Body, r.Room)
	}
	p.WaitMember(group, tr.UserID(), false)

	direct := p.Room(tr.UserID(), true, false)
	p.WaitMember(direct, tr.UserID(), true)
	p.Say(direct, "bonjour")
	if r := p.Next(); r.Room != direct || r.Wire != event.EventMessage || r.Content.Body != "Bonjour !" {
		t.Fatalf("got %s %q in %s, want the answer in clear in the unencrypted direct chat", r.Wire.Type, r.Content.Body, r.Room)
	}
	p.Invite(direct, third.UserID)
	if r := p.Next(); r.Room != direct || r.Content.Body != sentence {
		t.Fatalf("got %q in %s, want the sentence once the direct chat has a third person", r.Content.Body, r.Room)
	}
	p.WaitMember(direct, tr.UserID(), false)
}

// With an access token, the transport takes the token's device and keeps
// it; the same token opens the same device, keys and all, after a restart.
func TestAccessTokenKeepsItsDevice(t *testing.T) {
	t.Parallel()
	srv := testenv.Matrix(t)
	db := testenv.NewDB(t)
	u := srv.NewUser(t, "relais")
	cfg := matrix.Config{HomeserverURL: srv.URL, UserID: u.UserID, AccessToken: u.AccessToken, DatabaseURL: db.URL, PickleKey: pickleKey}
	for range 2 {
		tr, err := matrix.Open(context.Background(), cfg)
		if err != nil {
			t.Fatalf("open with the access token: %v", err)
		}
		if tr.DeviceID() != u.DeviceID {
			t.Fatalf("device %s, want the token's %s", tr.DeviceID(), u.DeviceID)
		}
		if err := tr.Close(); err != nil {
			t.Fatal(err)
		}
	}
	var device string
	if err := db.SQL.QueryRow(context.Background(), `SELECT device_id FROM matrix_accounts WHERE user_id = $1`, u.UserID).Scan(&device); err != nil || device != u.DeviceID {
		t.Fatalf("stored device %q (%v), want %s", device, err, u.DeviceID)
	}
	cfg.PickleKey = []byte("another key")
	if _, err := matrix.Open(context.Background(), cfg); err == nil {
		t.Fatal("opened the stored keys with another pickle key")
	}
}

// A message the bot cannot decrypt (its key never reaches the bot) is not
// handed to the bot: the person is asked, in French and encrypted, to send
// it again, and the next message is handled as usual.
func TestUndecryptableMessageIsAskedAgain(t *testing.T) {
	t.Parallel()
	srv := testenv.Matrix(t)
	db := testenv.NewDB(t)
	botUser, person := srv.NewUser(t, "relais"), srv.NewUser(t, "mediatrice")
	tr := bot(t, srv, botUser, db)
	run(t, context.Background(), tr, func(ctx context.Context, ev matrix.Event) error {
		if ev.Text != "bonjour" {
			t.Errorf("the handler got %q, want only the message sent again", ev.Text)
			return nil
		}
		_, err := tr.Post(ctx, chat.Message{ChatID: ev.ChatID, Text: "Bonjour !"})
		return err
	})
	p := matrixtest.NewPeer(t, srv, person)
	room := p.Room(tr.UserID(), true, true)
	p.WaitMember(room, tr.UserID(), true)

	// A megolm event of a session the bot was never given.
	if _, err := p.Cli.SendMessageEvent(context.Background(), room, event.EventEncrypted, map[string]any{
		"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "AwgAEhAAAAAAAAAAAAAAAAAAAAAA", "device_id": p.Cli.DeviceID,
		"sender_key": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "session_id": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	}, mautrix.ReqSendEvent{DontEncrypt: true}); err != nil {
		t.Fatal(err)
	}
	if r := p.Next(); r.Room != room || r.Wire != event.EventEncrypted || r.Content.Body != "Je n'ai pas pu déchiffrer votre dernier message : pouvez-vous l'envoyer de nouveau ?" {
		t.Fatalf("got %s %q in %s, want the request to send it again, encrypted", r.Wire.Type, r.Content.Body, r.Room)
	}
	p.Say(room, "bonjour")
	if r := p.Next(); r.Content.Body != "Bonjour !" {
		t.Fatalf("got %q after the message sent again, want the answer", r.Content.Body)
	}
}
