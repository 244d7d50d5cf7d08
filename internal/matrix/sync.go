package matrix

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/relais-sante/relais/internal/chat"
)

// Event is what a person wrote to the bot in a direct chat, in the numbers
// the rest of Relais uses.
type Event struct {
	ChatID    int64  // the room's local number
	SenderID  int64  // the person's local number
	MessageID int    // the event's local number: handled once
	Sender    string // the person's Matrix id (@name:server)
	Text      string
	// Edited says the person edited an earlier message (m.replace): Text
	// is the new text, MessageID the edit's own event, as Telegram's
	// edited_message: the bot answers that an edit changes nothing.
	Edited bool
	// Press is set by the Presenter when the text names one of the
	// choices last shown (Matrix has no buttons).
	Press *Press
}

// Handler handles one event; an error leaves the event unhandled, so that
// the next sync (or the next start) delivers it again.
type Handler func(ctx context.Context, ev Event) error

// Sentences the bot says by itself.
const (
	groupSentence   = "Relais répond seulement en conversation privée : écrivez-moi dans un message direct."
	undecryptedText = "Je n'ai pas pu déchiffrer votre dernier message : pouvez-vous l'envoyer de nouveau ?"
)

// item is one thing a sync brought, handled after the batch is read.
type item struct {
	kind   itemKind
	room   id.RoomID
	evt    *event.Event
	direct bool // invitation: to a direct chat
}

type itemKind int

const (
	itemMessage itemKind = iota
	itemInvite
	itemUndecryptable
	itemGroup // a direct room became a group: leave it
)

// batch collects the items of the sync being processed.
type batch struct {
	mu    sync.Mutex
	items []item
}

func (b *batch) add(it item) {
	b.mu.Lock()
	b.items = append(b.items, it)
	b.mu.Unlock()
}

func (b *batch) take() []item {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.items
	b.items = nil
	return out
}

// listen registers the collectors: messages (decrypted here, inside the
// batch), invitations to the bot, members joining a direct chat.
func (t *Transport) listen(s *mautrix.DefaultSyncer) {
	s.OnEventType(event.EventMessage, func(ctx context.Context, evt *event.Event) {
		if evt.Mautrix.EventSource&event.SourceTimeline == 0 || evt.Mautrix.EventSource&event.SourceJoin == 0 || evt.Sender == t.cli.UserID {
			return
		}
		t.batch.add(item{kind: itemMessage, room: evt.RoomID, evt: evt})
	})
	s.OnEventType(event.EventEncrypted, func(ctx context.Context, evt *event.Event) {
		if evt.Mautrix.EventSource&event.SourceTimeline == 0 || evt.Mautrix.EventSource&event.SourceJoin == 0 || evt.Sender == t.cli.UserID {
			return
		}
		dec, err := t.crypto.decrypt(ctx, evt)
		if err != nil {
			t.log.WarnContext(ctx, "matrix: undecryptable message", "room", evt.RoomID, "event", evt.ID, "err", err)
			t.batch.add(item{kind: itemUndecryptable, room: evt.RoomID, evt: evt})
			return
		}
		if dec.Type != event.EventMessage {
			return
		}
		t.batch.add(item{kind: itemMessage, room: evt.RoomID, evt: dec})
	})
	s.OnEventType(event.StateMember, func(ctx context.Context, evt *event.Event) {
		m := evt.Content.AsMember()
		switch {
		case evt.Mautrix.EventSource&event.SourceInvite != 0:
			if evt.GetStateKey() == t.cli.UserID.String() && m.Membership == event.MembershipInvite {
				t.batch.add(item{kind: itemInvite, room: evt.RoomID, evt: evt, direct: m.IsDirect})
			}
		case evt.Mautrix.EventSource&event.SourceJoin != 0 && evt.Mautrix.EventSource&event.SourceTimeline != 0:
			if evt.GetStateKey() != t.cli.UserID.String() && (m.Membership == event.MembershipJoin || m.Membership == event.MembershipInvite) {
				t.batch.add(item{kind: itemGroup, room: evt.RoomID, evt: evt})
			}
		}
	})
}

// Run syncs until ctx ends, handing each message to h once. A sync's
// messages go to their room's lane at once (each room's in order, rooms in
// parallel) and the next sync starts without waiting for them, so that a
// slow answer in one room (a homeserver slow to take a send, a report
// being computed) holds no one else's: with a sync that waited for its
// whole batch, 50 mediators typing every 3 s waited 10 s for an answer
// (docs/performance.md). The sync position saved moves to a sync's
// next_batch only once every event of that sync and of the syncs before it
// is handled; after a failure or a restart the syncs after it come again,
// and the events handled already are skipped. The first sync of a new
// device skips the rooms' history.
func (t *Transport) Run(ctx context.Context, h Handler) error {
	_, since, err := t.ids.account(ctx, t.cli.UserID)
	if err != nil {
		return err
	}
	delay := backoff{min: time.Second, max: time.Minute}
	for {
		saved, err := t.runFrom(ctx, since, h)
		if ctx.Err() != nil {
			return nil
		}
		var fatal fatalError
		if errors.As(err, &fatal) {
			return fatal.err
		}
		if saved != since {
			delay = backoff{min: time.Second, max: time.Minute}
		}
		since = saved
		wait := delay.next()
		t.log.WarnContext(ctx, "matrix: events not handled, they will come again", "retry_in", wait, "err", err)
		if !sleep(ctx, wait) {
			return nil
		}
	}
}

// fatalError ends Run: the homeserver refused the bot's session.
type fatalError struct{ err error }

func (e fatalError) Error() string { return e.err.Error() }

// Limits of the pipeline: events handled at once (each in its own room,
// as Telegram's poller), and syncs read ahead of the position saved.
const (
	maxHandling = 64
	maxAhead    = 32
)

// runFrom syncs from since until ctx ends or an event fails, and returns
// the sync position saved by then, the last save included.
func (t *Transport) runFrom(ctx context.Context, since string, h Handler) (saved string, err error) {
	syncCtx, stopSync := context.WithCancel(ctx)
	defer stopSync()
	p := &pipeline{t: t, h: h, saved: since, rooms: map[id.RoomID]*roomLane{}, sem: make(chan struct{}, maxHandling),
		changed: make(chan struct{}, 1), stop: stopSync}
	committed := make(chan struct{})
	go func() {
		defer close(committed)
		p.commitLoop(syncCtx)
	}()
	defer func() {
		// Every handler started finishes (with ctx) before the position is
		// saved for the last time.
		stopSync()
		<-committed
		p.handling.Wait()
		if err := p.commit(context.WithoutCancel(ctx)); err != nil {
			// The events handled since the last save come again, and are
			// skipped as handled.
			t.log.WarnContext(ctx, "matrix: last sync position not saved", "err", err)
		}
		saved = p.position()
	}()
	delay := backoff{min: time.Second, max: time.Minute}
	read := since
	for {
		if err := p.waitRoom(syncCtx); err != nil {
			return p.position(), err
		}
		resp, err := t.cli.FullSyncRequest(syncCtx, mautrix.ReqSync{Timeout: int(t.cfg.SyncTimeout.Milliseconds()), Since: read})
		if err != nil {
			if syncCtx.Err() != nil {
				return p.position(), p.err()
			}
			retry, wait := retryDelay(err)
			if !retry && isStatus(err, 401) {
				return p.position(), fatalError{fmt.Errorf("matrix sync: %w", err)}
			}
			if wait == 0 {
				wait = delay.next()
			}
			t.log.WarnContext(ctx, "matrix: sync failed", "retry_in", wait, "err", err)
			if !sleep(syncCtx, wait) {
				return p.position(), p.err()
			}
			continue
		}
		delay = backoff{min: time.Second, max: time.Minute}
		items, err := t.read(ctx, resp, read)
		if err != nil {
			p.fail(err)
			return p.position(), p.err()
		}
		p.add(ctx, resp.NextBatch, items)
		read = resp.NextBatch
	}
}

// read processes one sync response (keys and state first, then what our
// listeners collected), joins the rooms the bot is invited to, and returns
// the items to handle.
func (t *Transport) read(ctx context.Context, resp *mautrix.RespSync, since string) ([]item, error) {
	t.batch.take()
	if err := t.syncer.ProcessResponse(ctx, resp, since); err != nil {
		return nil, fmt.Errorf("read sync: %w", err)
	}
	var out []item
	for _, it := range t.batch.take() {
		if it.kind == itemInvite {
			if err := t.invited(ctx, it); err != nil {
				return nil, err
			}
			continue
		}
		if since == "" && it.kind != itemGroup {
			continue // the history of a new device's first sync
		}
		out = append(out, it)
	}
	return out, nil
}

// pipeline handles the items of the syncs read from one position, each
// room's in order, and saves a sync's next_batch once it and the syncs
// before it are handled.
type pipeline struct {
	t        *Transport
	h        Handler
	sem      chan struct{} // maxHandling
	changed  chan struct{} // an item is handled or failed
	stop     context.CancelFunc
	handling sync.WaitGroup
	commitMu sync.Mutex // one save at a time, in order

	mu      sync.Mutex
	ahead   []*readSync // read, not saved yet, oldest first
	rooms   map[id.RoomID]*roomLane
	saved   string
	failure error // the first failure: nothing more is read or handled
}

// readSync is one sync read and the number of its items not handled yet.
type readSync struct {
	next string
	left int
}

// roomLane is a room's items waiting, handled by one goroutine at a time.
type roomLane struct {
	items []laneItem
}

type laneItem struct {
	it   item
	sync *readSync
}

func (p *pipeline) position() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.saved
}

func (p *pipeline) err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.failure
}

// fail records the first failure and stops the sync: the events not handled
// come again from the position saved.
func (p *pipeline) fail(err error) {
	p.mu.Lock()
	if p.failure == nil {
		p.failure = fmt.Errorf("an event was not handled: %w", err)
	}
	p.mu.Unlock()
	p.stop()
}

func (p *pipeline) signal() {
	select {
	case p.changed <- struct{}{}:
	default:
	}
}

// waitRoom waits while maxAhead syncs are read and not saved (the
// handlers are that far behind).
func (p *pipeline) waitRoom(ctx context.Context) error {
	for {
		p.mu.Lock()
		n, failure := len(p.ahead), p.failure
		p.mu.Unlock()
		if failure != nil || n < maxAhead {
			return failure
		}
		if !sleep(ctx, 10*time.Millisecond) {
			return p.err()
		}
	}
}

// add queues a sync's items in their rooms' lanes.
func (p *pipeline) add(ctx context.Context, next string, items []item) {
	s := &readSync{next: next, left: len(items)}
	p.mu.Lock()
	p.ahead = append(p.ahead, s)
	for _, it := range items {
		lane := p.rooms[it.room]
		if lane == nil {
			lane = &roomLane{}
			p.rooms[it.room] = lane
			p.handling.Add(1)
			go p.drain(ctx, it.room, lane)
		}
		lane.items = append(lane.items, laneItem{it: it, sync: s})
	}
	p.mu.Unlock()
	p.signal()
}

// drain handles a room's items in order until none is left; after a
// failure it handles nothing more (the items come again).
func (p *pipeline) drain(ctx context.Context, room id.RoomID, lane *roomLane) {
	defer p.handling.Done()
	chatID, err := p.t.ids.rooms.number(ctx, room)
	for {
		p.mu.Lock()
		if len(lane.items) == 0 || p.failure != nil || err != nil {
			delete(p.rooms, room)
			p.mu.Unlock()
			if err != nil {
				p.fail(err)
			}
			return
		}
		next := lane.items[0]
		lane.items = lane.items[1:]
		p.mu.Unlock()
		p.sem <- struct{}{}
		err = p.t.handleItem(ctx, room, chatID, next.it, p.h)
		<-p.sem
		if err == nil {
			p.mu.Lock()
			next.sync.left--
			p.mu.Unlock()
			p.signal()
		}
	}
}

// commitLoop saves the position each time an item is handled, until ctx
// ends.
func (p *pipeline) commitLoop(ctx context.Context) {
	for {
		select {
		case <-p.changed:
			if err := p.commit(ctx); err != nil && ctx.Err() == nil {
				p.fail(err)
			}
		case <-ctx.Done():
			return
		}
	}
}

// commit saves the next_batch of the newest sync that, with every sync
// before it, is handled.
func (p *pipeline) commit(ctx context.Context) error {
	p.commitMu.Lock()
	defer p.commitMu.Unlock()
	p.mu.Lock()
	n := 0
	for n < len(p.ahead) && p.ahead[n].left == 0 {
		n++
	}
	if n == 0 {
		p.mu.Unlock()
		return nil
	}
	next := p.ahead[n-1].next
	p.ahead = p.ahead[n:]
	p.mu.Unlock()
	if err := p.t.ids.saveNextBatch(ctx, p.t.cli.UserID, next); err != nil {
		return err
	}
	p.mu.Lock()
	p.saved = next
	p.mu.Unlock()
	return nil
}

// handleItem handles one item of a room: a group to leave, an event not
// handled yet.
func (t *Transport) handleItem(ctx context.Context, room id.RoomID, chatID int64, it item, h Handler) error {
	if it.kind == itemGroup {
		return t.leaveIfGroup(ctx, room, chatID)
	}
	n, done, err := t.ids.received(ctx, it.evt.ID, chatID)
	if err != nil {
		return err
	}
	if done {
		return nil
	}
	if it.kind == itemUndecryptable {
		if _, err := t.Post(ctx, chat.Message{ChatID: chatID, Text: undecryptedText}); err != nil {
			return fmt.Errorf("say a message was undecryptable: %w", err)
		}
	} else if ev, ok, err := t.inbound(ctx, it.evt, chatID, n); err != nil {
		return err
	} else if ok {
		if err := h(ctx, ev); err != nil {
			return fmt.Errorf("handle event %d: %w", n, err)
		}
	}
	// Recorded even if ctx ended meanwhile: the handler did its work.
	return t.ids.handled(context.WithoutCancel(ctx), n, time.Now())
}

// inbound turns a message event into an Event (an edit too, with its new
// text); notices (other bots) and non-text messages are not for the bot.
func (t *Transport) inbound(ctx context.Context, evt *event.Event, chatID, n int64) (Event, bool, error) {
	c := evt.Content.AsMessage()
	if c == nil || (c.MsgType != event.MsgText && c.MsgType != event.MsgEmote) {
		return Event{}, false, nil
	}
	sender, err := t.ids.users.number(ctx, evt.Sender)
	if err != nil {
		return Event{}, false, err
	}
	ev := Event{ChatID: chatID, SenderID: sender, MessageID: int(n), Sender: evt.Sender.String(), Text: strings.TrimSpace(c.Body)}
	if c.RelatesTo.GetReplaceID() != "" {
		ev.Edited = true
		if c.NewContent != nil {
			ev.Text = strings.TrimSpace(c.NewContent.Body)
		} else {
			ev.Text = strings.TrimSpace(strings.TrimPrefix(c.Body, "* ")) // the fallback body of an edit
		}
	}
	return ev, true, nil
}

// invited joins a direct chat; a group room gets one sentence and is left.
func (t *Transport) invited(ctx context.Context, it item) error {
	if _, err := t.cli.JoinRoomByID(ctx, it.room); err != nil {
		if isStatus(err, 403) || isStatus(err, 404) {
			// The invitation was withdrawn meanwhile: nothing to join.
			t.log.InfoContext(ctx, "matrix: invitation gone", "room", it.room, "err", err)
			return nil
		}
		return fmt.Errorf("join %s: %w", it.room, err)
	}
	chatID, err := t.ids.rooms.number(ctx, it.room)
	if err != nil {
		return err
	}
	if !it.direct {
		return t.leaveGroup(ctx, it.room, chatID)
	}
	return t.loadState(ctx, it.room, true)
}

// leaveIfGroup leaves a room that now has more than the bot and one person.
func (t *Transport) leaveIfGroup(ctx context.Context, room id.RoomID, chatID int64) error {
	members, err := t.cli.StateStore.GetRoomJoinedOrInvitedMembers(ctx, room)
	if err != nil {
		return fmt.Errorf("members of %s: %w", room, err)
	}
	if len(members) <= 2 {
		return nil
	}
	return t.leaveGroup(ctx, room, chatID)
}

func (t *Transport) leaveGroup(ctx context.Context, room id.RoomID, chatID int64) error {
	if err := t.loadState(ctx, room, true); err != nil {
		return err
	}
	if _, err := t.Post(ctx, chat.Message{ChatID: chatID, Text: groupSentence}); err != nil {
		t.log.WarnContext(ctx, "matrix: could not say why the bot leaves a group", "chat", chatID, "err", err)
	}
	return t.LeaveChat(ctx, chatID)
}

// LeaveChat makes the bot leave a room.
func (t *Transport) LeaveChat(ctx context.Context, chatID int64) error {
	room, err := t.ids.rooms.of(ctx, chatID)
	if err != nil {
		return err
	}
	return t.pacer.do(ctx, chatID, "leave", false, func(ctx context.Context) error {
		_, err := t.cli.LeaveRoom(ctx, room)
		return err
	})
}

// loadState fetches a room's state (encryption, members) into the state
// store once per start, or again when force is set.
func (t *Transport) loadState(ctx context.Context, room id.RoomID, force bool) error {
	t.mu.Lock()
	done := t.loaded[room]
	t.mu.Unlock()
	if done && !force {
		return nil
	}
	if _, err := t.cli.State(ctx, room); err != nil {
		return fmt.Errorf("state of %s: %w", room, err)
	}
	t.mu.Lock()
	t.loaded[room] = true
	t.mu.Unlock()
	return nil
}
