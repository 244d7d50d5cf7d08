//go:build goolm

package matrix_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/crypto"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/relais-sante/relais/internal/testenv"
)

// peer is a person on Element, played by a mautrix client with its own
// device and keys (in memory), syncing in the background.
type peer struct {
	t    *testing.T
	cli  *mautrix.Client
	mach *crypto.OlmMachine
	// crypto serializes the peer's use of its Olm machine: mautrix's
	// MemoryStore has no lock of its own (the transport's SQL store needs none).
	crypto *sync.Mutex
	got    chan received
	stop   context.CancelFunc
	done   chan struct{}
}

// received is a message of someone else as the peer got it: its type on
// the wire (m.room.encrypted or m.room.message) and its content decrypted.
type received struct {
	id      id.EventID
	wire    event.Type
	room    id.RoomID
	sender  id.UserID
	content *event.MessageEventContent
}

func newPeer(t *testing.T, srv *testenv.MatrixServer, u testenv.MatrixUser) *peer {
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
	p := &peer{t: t, cli: cli, mach: mach, crypto: &sync.Mutex{}, got: make(chan received, 100), done: make(chan struct{})}
	syncer := cli.Syncer.(*mautrix.DefaultSyncer)
	cli.Syncer = lockedSyncer{DefaultSyncer: syncer, mu: p.crypto}
	syncer.ParseEventContent = true
	syncer.OnSync(mach.ProcessSyncResponse)
	syncer.OnEventType(event.StateMember, mach.HandleMemberEvent)
	syncer.OnEvent(cli.StateStoreSyncHandler)
	syncer.OnEventType(event.EventMessage, func(ctx context.Context, evt *event.Event) {
		if evt.Sender != cli.UserID {
			p.got <- received{id: evt.ID, wire: event.EventMessage, room: evt.RoomID, sender: evt.Sender, content: evt.Content.AsMessage()}
		}
	})
	syncer.OnEventType(event.EventEncrypted, func(ctx context.Context, evt *event.Event) {
		if evt.Sender == cli.UserID {
			return
		}
		dec, err := mach.DecryptMegolmEvent(ctx, evt)
		if errors.Is(err, crypto.ErrNoSessionFound) {
			c := evt.Content.AsEncrypted()
			if mach.WaitForSession(ctx, evt.RoomID, c.SenderKey, c.SessionID, 10*time.Second) {
				dec, err = mach.DecryptMegolmEvent(ctx, evt)
			}
		}
		if err != nil {
			t.Errorf("the peer cannot decrypt the bot's message %s: %v", evt.ID, err)
			return
		}
		if err := dec.Content.ParseRaw(dec.Type); err != nil && !errors.Is(err, event.ErrContentAlreadyParsed) {
			t.Errorf("parse decrypted %s: %v", evt.ID, err)
			return
		}
		p.got <- received{id: evt.ID, wire: event.EventEncrypted, room: evt.RoomID, sender: evt.Sender, content: dec.Content.AsMessage()}
	})
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

// lockedSyncer processes one sync response at a time under the peer's lock.
type lockedSyncer struct {
	*mautrix.DefaultSyncer
	mu *sync.Mutex
}

func (s lockedSyncer) ProcessResponse(ctx context.Context, res *mautrix.RespSync, since string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.DefaultSyncer.ProcessResponse(ctx, res, since)
}

// room opens a room with the bot: a direct chat (trusted_private_chat, as
// Element does) or a group, encrypted or not.
func (p *peer) room(bot string, direct, encrypted bool) id.RoomID {
	p.t.Helper()
	req := &mautrix.ReqCreateRoom{Preset: "private_chat", IsDirect: direct, Invite: []id.UserID{id.UserID(bot)}}
	if direct {
		req.Preset = "trusted_private_chat"
	}
	if encrypted {
		req.InitialState = []*event.Event{{
			Type:    event.StateEncryption,
			Content: event.Content{Parsed: &event.EncryptionEventContent{Algorithm: id.AlgorithmMegolmV1}},
		}}
	}
	resp, err := p.cli.CreateRoom(context.Background(), req)
	if err != nil {
		p.t.Fatalf("create room: %v", err)
	}
	return resp.RoomID
}

// members waits until the room's joined members are want's number and
// include (or not) user.
func (p *peer) waitMember(room id.RoomID, user string, joined bool) {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := p.cli.JoinedMembers(context.Background(), room)
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

// say sends text to the room, encrypted if the room is.
func (p *peer) say(room id.RoomID, text string) {
	p.t.Helper()
	ctx := context.Background()
	if _, err := p.cli.State(ctx, room); err != nil {
		p.t.Fatalf("room state: %v", err)
	}
	content := &event.MessageEventContent{MsgType: event.MsgText, Body: text}
	enc, err := p.cli.StateStore.IsEncrypted(ctx, room)
	if err != nil {
		p.t.Fatal(err)
	}
	if !enc {
		if _, err := p.cli.SendMessageEvent(ctx, room, event.EventMessage, content); err != nil {
			p.t.Fatalf("say %q: %v", text, err)
		}
		return
	}
	p.crypto.Lock()
	defer p.crypto.Unlock()
	members, err := p.cli.StateStore.GetRoomJoinedOrInvitedMembers(ctx, room)
	if err != nil {
		p.t.Fatal(err)
	}
	if err := p.mach.ShareGroupSession(ctx, room, members); err != nil {
		p.t.Fatalf("share the room key: %v", err)
	}
	sealed, err := p.mach.EncryptMegolmEvent(ctx, room, event.EventMessage, content)
	if err != nil {
		p.t.Fatalf("encrypt: %v", err)
	}
	if _, err := p.cli.SendMessageEvent(ctx, room, event.EventEncrypted, sealed); err != nil {
		p.t.Fatalf("say %q: %v", text, err)
	}
}

// next is the next message from someone else.
func (p *peer) next() received {
	p.t.Helper()
	select {
	case r := <-p.got:
		return r
	case <-time.After(30 * time.Second):
		p.t.Fatal("no message from the bot within 30 s")
	}
	return received{}
}

// download fetches an attachment, decrypting it when it is encrypted.
func (p *peer) download(c *event.MessageEventContent) []byte {
	p.t.Helper()
	ctx := context.Background()
	if c.File != nil {
		uri, err := c.File.URL.Parse()
		if err != nil {
			p.t.Fatal(err)
		}
		data, err := p.cli.DownloadBytes(ctx, uri)
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
	data, err := p.cli.DownloadBytes(ctx, uri)
	if err != nil {
		p.t.Fatal(err)
	}
	return data
}

// handled counts, under a lock, what a handler saw.
type handled struct {
	mu    sync.Mutex
	texts map[string]int
	seen  chan string
}

func newHandled() *handled { return &handled{texts: map[string]int{}, seen: make(chan string, 100)} }

func (h *handled) add(text string) {
	h.mu.Lock()
	h.texts[text]++
	h.mu.Unlock()
	h.seen <- text
}

func (h *handled) count(text string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.texts[text]
}

func (h *handled) wait(t *testing.T, text string) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case s := <-h.seen:
			if s == text {
				return
			}
		case <-deadline:
			t.Fatalf("%q was never handled", text)
		}
	}
}

func (h *handled) String() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return fmt.Sprint(h.texts)
}
