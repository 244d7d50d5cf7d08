//go:build goolm

package matrixtest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/crypto"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/relais-sante/relais/internal/testenv"
)

// Peer is a person on Element, played by a mautrix client with its own
// device and keys (in memory), syncing in the background until the test
// ends.
type Peer struct {
	t testing.TB
	// Cli is the person's client, for what the helpers do not cover.
	Cli  *mautrix.Client
	mach *crypto.OlmMachine
	// crypto serializes the peer's use of its Olm machine: mautrix's
	// MemoryStore has no lock of its own (the transport's SQL store needs none).
	crypto *sync.Mutex
	// Got receives the messages of others, decrypted, in order.
	Got chan Received
	// Redacted receives the ids of the events others redacted.
	Redacted chan id.EventID
	stop     context.CancelFunc
	done     chan struct{}
	seenMu   sync.Mutex
	seen     map[id.EventID]bool // events already handed on Got
	// waiting holds, in order, the encrypted events whose room key has not
	// come yet (it comes as a to-device event, possibly in a later sync):
	// they are decrypted after each sync, under the crypto lock, and the
	// ones after them wait behind, so Got keeps the room's order.
	waiting []waitingEvent
}

// waitingEvent is an encrypted event waiting for its room key since at.
type waitingEvent struct {
	evt *event.Event
	at  time.Time
}

// keyWait bounds the wait for a room key before the peer says it cannot
// decrypt a message.
const keyWait = 30 * time.Second

// Received is a message of someone else as the peer got it: its type on
// the wire (m.room.encrypted or m.room.message) and its content decrypted.
type Received struct {
	ID      id.EventID
	Wire    event.Type
	Room    id.RoomID
	Sender  id.UserID
	Content *event.MessageEventContent
}

// NewPeer logs u's device in with its keys, and syncs.
func NewPeer(t testing.TB, srv *testenv.MatrixServer, u testenv.MatrixUser) *Peer {
	t.Helper()
	ctx := context.Background()
	cli, err := mautrix.NewClient(srv.URL, id.UserID(u.UserID), u.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	cli.DeviceID = id.DeviceID(u.DeviceID)
	state := mautrix.NewMemoryStateStore()
	cli.StateStore = state
	mach := crypto.NewOlmMachine(cli, nil, crypto.NewMemoryStore(nil), state.(crypto.StateStore))
	if err := mach.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if err := mach.ShareKeys(ctx, -1); err != nil {
		t.Fatalf("peer keys: %v", err)
	}
	p := &Peer{t: t, Cli: cli, mach: mach, crypto: &sync.Mutex{}, Got: make(chan Received, 100), Redacted: make(chan id.EventID, 100), done: make(chan struct{})}
	syncer := cli.Syncer.(*mautrix.DefaultSyncer)
	cli.Syncer = lockedSyncer{DefaultSyncer: syncer, mu: p.crypto, after: p.decryptWaiting}
	syncer.ParseEventContent = true
	syncer.OnSync(mach.ProcessSyncResponse)
	syncer.OnEventType(event.StateMember, mach.HandleMemberEvent)
	syncer.OnEvent(cli.StateStoreSyncHandler)
	syncer.OnEventType(event.EventMessage, func(ctx context.Context, evt *event.Event) {
		if evt.Sender != cli.UserID && p.first(evt.ID) {
			p.Got <- Received{ID: evt.ID, Wire: event.EventMessage, Room: evt.RoomID, Sender: evt.Sender, Content: evt.Content.AsMessage()}
		}
	})
	syncer.OnEventType(event.EventRedaction, func(ctx context.Context, evt *event.Event) {
		if evt.Sender == cli.UserID {
			return
		}
		redacts := evt.Redacts
		if c := evt.Content.AsRedaction(); redacts == "" && c != nil {
			redacts = c.Redacts // room version 11: in the content
		}
		p.Redacted <- redacts
	})
	syncer.OnEventType(event.EventEncrypted, func(ctx context.Context, evt *event.Event) {
		if evt.Sender == cli.UserID || !p.first(evt.ID) {
			return
		}
		p.waiting = append(p.waiting, waitingEvent{evt: evt, at: time.Now()})
		p.decryptWaiting(ctx)
	})
	p.seen = map[id.EventID]bool{}
	sctx, stop := context.WithCancel(ctx)
	p.stop = stop
	go func() {
		defer close(p.done)
		if err := cli.SyncWithContext(sctx); err != nil && sctx.Err() == nil {
			t.Errorf("peer sync: %v", err)
		}
	}()
	t.Cleanup(func() {
		stop()
		<-p.done
	})
	return p
}

// lockedSyncer processes one sync response at a time under the peer's
// lock, then calls after (still under it).
type lockedSyncer struct {
	*mautrix.DefaultSyncer
	mu    *sync.Mutex
	after func(context.Context)
}

func (s lockedSyncer) ProcessResponse(ctx context.Context, res *mautrix.RespSync, since string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.DefaultSyncer.ProcessResponse(ctx, res, since)
	s.after(ctx)
	return err
}

// decryptWaiting decrypts the waiting events in order and hands them on
// Got, up to the first whose room key has not come yet (it waits for a
// later sync, up to keyWait). Called under the crypto lock.
func (p *Peer) decryptWaiting(ctx context.Context) {
	for len(p.waiting) > 0 {
		w := p.waiting[0]
		dec, err := p.mach.DecryptMegolmEvent(ctx, w.evt)
		if errors.Is(err, crypto.ErrNoSessionFound) && time.Since(w.at) < keyWait {
			return
		}
		p.waiting = p.waiting[1:]
		if err != nil {
			p.t.Errorf("the peer cannot decrypt the bot's message %s: %v", w.evt.ID, err)
			continue
		}
		if err := dec.Content.ParseRaw(dec.Type); err != nil && !errors.Is(err, event.ErrContentAlreadyParsed) {
			p.t.Errorf("parse decrypted %s: %v", w.evt.ID, err)
			continue
		}
		p.Got <- Received{ID: w.evt.ID, Wire: event.EventEncrypted, Room: w.evt.RoomID, Sender: w.evt.Sender, Content: dec.Content.AsMessage()}
	}
}

// Room opens a room with the bot: a direct chat (trusted_private_chat, as
// Element does: the bot's power level is the person's) or a group,
// encrypted or not.
func (p *Peer) Room(bot string, direct, encrypted bool) id.RoomID {
	p.t.Helper()
	req := &mautrix.ReqCreateRoom{Preset: "private_chat", IsDirect: direct, Invite: []id.UserID{id.UserID(bot)}}
	if direct {
		req.Preset = "trusted_private_chat"
	}
	return p.CreateRoom(req, encrypted)
}

// CreateRoom opens the room req describes, encrypted or not.
func (p *Peer) CreateRoom(req *mautrix.ReqCreateRoom, encrypted bool) id.RoomID {
	p.t.Helper()
	if encrypted {
		req.InitialState = append(req.InitialState, &event.Event{
			Type:    event.StateEncryption,
			Content: event.Content{Parsed: &event.EncryptionEventContent{Algorithm: id.AlgorithmMegolmV1}},
		})
	}
	// The client writes the room's members to its state store, which the
	// sync reads too: under the peer's lock, like every use of that store.
	p.crypto.Lock()
	resp, err := p.Cli.CreateRoom(context.Background(), req)
	p.crypto.Unlock()
	if err != nil {
		p.t.Fatalf("create room: %v", err)
	}
	return resp.RoomID
}

// Invite invites user to the room (the client records the membership in
// its state store: under the peer's lock).
func (p *Peer) Invite(room id.RoomID, user string) {
	p.t.Helper()
	p.crypto.Lock()
	_, err := p.Cli.InviteUser(context.Background(), room, &mautrix.ReqInviteUser{UserID: id.UserID(user)})
	p.crypto.Unlock()
	if err != nil {
		p.t.Fatalf("invite %s: %v", user, err)
	}
}

// WaitMember waits until user has joined the room (joined) or left it.
func (p *Peer) WaitMember(room id.RoomID, user string, joined bool) {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		p.crypto.Lock()
		resp, err := p.Cli.JoinedMembers(context.Background(), room)
		p.crypto.Unlock()
		if err != nil {
			p.t.Fatalf("members: %v", err)
		}
		if _, in := resp.Joined[id.UserID(user)]; in == joined {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.t.Fatalf("%s never %s", user, map[bool]string{true: "joined", false: "left"}[joined])
}

// Say sends text to the room, encrypted if the room is, and returns its
// event id.
func (p *Peer) Say(room id.RoomID, text string) id.EventID {
	p.t.Helper()
	return p.send(room, &event.MessageEventContent{MsgType: event.MsgText, Body: text})
}

// Edit replaces the text of the peer's message was (m.replace), as Element
// does when a person edits a message: a fallback body « * text » and the
// new content.
func (p *Peer) Edit(room id.RoomID, was id.EventID, text string) id.EventID {
	p.t.Helper()
	content := &event.MessageEventContent{MsgType: event.MsgText, Body: "* " + text}
	content.SetEdit(was)
	content.NewContent = &event.MessageEventContent{MsgType: event.MsgText, Body: text}
	return p.send(room, content)
}

// send sends content to room, encrypted when the room is.
func (p *Peer) send(room id.RoomID, content *event.MessageEventContent) id.EventID {
	p.t.Helper()
	text := content.Body
	ctx := context.Background()
	p.crypto.Lock()
	_, err := p.Cli.State(ctx, room)
	if err != nil {
		p.crypto.Unlock()
		p.t.Fatalf("room state: %v", err)
	}
	enc, err := p.Cli.StateStore.IsEncrypted(ctx, room)
	p.crypto.Unlock()
	if err != nil {
		p.t.Fatal(err)
	}
	if !enc {
		resp, err := p.Cli.SendMessageEvent(ctx, room, event.EventMessage, content)
		if err != nil {
			p.t.Fatalf("say %q: %v", text, err)
		}
		return resp.EventID
	}
	evt, err := p.sendEncrypted(room, content)
	if err != nil {
		p.t.Fatalf("say %q: %v", text, err)
	}
	return evt
}

// SayEncrypted sends text to an encrypted room whose state the client
// has, returning its error rather than failing the test (for goroutines).
func (p *Peer) SayEncrypted(room id.RoomID, text string) (id.EventID, error) {
	return p.sendEncrypted(room, &event.MessageEventContent{MsgType: event.MsgText, Body: text})
}

func (p *Peer) sendEncrypted(room id.RoomID, content *event.MessageEventContent) (id.EventID, error) {
	ctx := context.Background()
	p.crypto.Lock()
	defer p.crypto.Unlock()
	members, err := p.Cli.StateStore.GetRoomJoinedOrInvitedMembers(ctx, room)
	if err != nil {
		return "", err
	}
	if err := p.mach.ShareGroupSession(ctx, room, members); err != nil {
		return "", fmt.Errorf("share the room key: %w", err)
	}
	sealed, err := p.mach.EncryptMegolmEvent(ctx, room, event.EventMessage, content)
	if err != nil {
		return "", fmt.Errorf("encrypt: %w", err)
	}
	resp, err := p.Cli.SendMessageEvent(ctx, room, event.EventEncrypted, sealed, mautrix.ReqSendEvent{DontEncrypt: true})
	if err != nil {
		return "", err
	}
	return resp.EventID, nil
}

// Next is the next message from someone else (30 s at most).
func (p *Peer) Next() Received {
	p.t.Helper()
	select {
	case r := <-p.Got:
		return r
	case <-time.After(30 * time.Second):
		p.t.Fatal("no message from the bot within 30 s")
	}
	return Received{}
}

// Download fetches an attachment, decrypting it when it is encrypted.
func (p *Peer) Download(c *event.MessageEventContent) []byte {
	p.t.Helper()
	ctx := context.Background()
	if c.File != nil {
		uri, err := c.File.URL.Parse()
		if err != nil {
			p.t.Fatal(err)
		}
		data, err := p.Cli.DownloadBytes(ctx, uri)
		if err != nil {
			p.t.Fatal(err)
		}
		if err := c.File.DecryptInPlace(data); err != nil {
			p.t.Fatalf("decrypt the attachment: %v", err)
		}
		return data
	}
	uri, err := c.URL.Parse()
	if err != nil {
		p.t.Fatal(err)
	}
	data, err := p.Cli.DownloadBytes(ctx, uri)
	if err != nil {
		p.t.Fatal(err)
	}
	return data
}

// Expect waits (60 s at most) for a message of someone else whose body (an
// edit's new body) contains want, and returns it; each, when set, sees
// every message on the way, the skipped ones included.
func (p *Peer) Expect(want string, each func(body string, r Received)) string {
	p.t.Helper()
	deadline := time.After(60 * time.Second)
	var seen []string
	for {
		select {
		case got := <-p.Got:
			body := got.Content.Body
			if got.Content.NewContent != nil {
				body = got.Content.NewContent.Body
			}
			seen = append(seen, body)
			if each != nil {
				each(body, got)
			}
			if strings.Contains(body, want) {
				return body
			}
		case <-deadline:
			p.t.Fatalf("no message with %q within 60 s; seen:\n%s", want, strings.Join(seen, "\n---\n"))
		}
	}
}

// Encrypted says whether the message came as m.room.encrypted.
func (r Received) Encrypted() bool { return r.Wire == event.EventEncrypted }

// Edit says whether the message edits another (m.replace).
func (r Received) Edit() bool { return r.Content.RelatesTo.GetReplaceID() != "" }

// Devices are the ids of user's devices, as the homeserver lists their keys.
func (p *Peer) Devices(user string) []string {
	p.t.Helper()
	keys, err := p.Cli.QueryKeys(context.Background(), &mautrix.ReqQueryKeys{DeviceKeys: map[id.UserID]mautrix.DeviceIDList{id.UserID(user): {}}})
	if err != nil {
		p.t.Fatalf("query %s's devices: %v", user, err)
	}
	var out []string
	for d := range keys.DeviceKeys[id.UserID(user)] {
		out = append(out, d.String())
	}
	return out
}

// first tells whether the event is new to the peer: a homeserver may hand
// an event in two syncs, and a client shows it once (Element keys its
// timeline by event id), so a message the bot sent twice is two ids.
func (p *Peer) first(evt id.EventID) bool {
	p.seenMu.Lock()
	defer p.seenMu.Unlock()
	if p.seen[evt] {
		return false
	}
	p.seen[evt] = true
	return true
}
