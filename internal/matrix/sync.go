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

// Run syncs until ctx ends, handing each message to h once: the sync
// position moves only when every event of a batch is handled, and events
// handled already are skipped when a batch comes again (after a failure or
// a restart). The first sync of a new device skips the rooms' history.
func (t *Transport) Run(ctx context.Context, h Handler) error {
	_, since, err := t.ids.account(ctx, t.cli.UserID)
	if err != nil {
		return err
	}
	delay := backoff{min: time.Second, max: time.Minute}
	for {
		resp, err := t.cli.FullSyncRequest(ctx, mautrix.ReqSync{Timeout: int(t.cfg.SyncTimeout.Milliseconds()), Since: since})
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			retry, wait := retryDelay(err)
			if !retry && isStatus(err, 401) {
				return fmt.Errorf("matrix sync: %w", err)
			}
			if wait == 0 {
				wait = delay.next()
			}
			t.log.WarnContext(ctx, "matrix: sync failed", "retry_in", wait, "err", err)
			if !sleep(ctx, wait) {
				return nil
			}
			continue
		}
		if err := t.process(ctx, resp, since, h); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			wait := delay.next()
			t.log.WarnContext(ctx, "matrix: batch not handled, it will come again", "retry_in", wait, "err", err)
			if !sleep(ctx, wait) {
				return nil
			}
			continue
		}
		delay = backoff{min: time.Second, max: time.Minute}
		// Written even if ctx ended meanwhile: every event is handled.
		if err := t.ids.saveNextBatch(context.WithoutCancel(ctx), t.cli.UserID, resp.NextBatch); err != nil {
			return err
		}
		since = resp.NextBatch
		if ctx.Err() != nil {
			return nil
		}
	}
}

// process reads one sync response (keys and state first, then what our
// listeners collected) and handles it: invitations, then each room's
// messages in order, rooms in parallel.
func (t *Transport) process(ctx context.Context, resp *mautrix.RespSync, since string, h Handler) error {
	t.batch.take()
	if err := t.syncer.ProcessResponse(ctx, resp, since); err != nil {
		return fmt.Errorf("read sync: %w", err)
	}
	items := t.batch.take()
	rooms := map[id.RoomID][]item{}
	var order []id.RoomID
	for _, it := range items {
		if it.kind == itemInvite {
			if err := t.invited(ctx, it); err != nil {
				return err
			}
			continue
		}
		if since == "" && it.kind != itemGroup {
			continue // the history of a new device's first sync
		}
		if _, ok := rooms[it.room]; !ok {
			order = append(order, it.room)
		}
		rooms[it.room] = append(rooms[it.room], it)
	}
	const parallel = 8
	sem := make(chan struct{}, parallel)
	errs := make(chan error, len(order))
	var wg sync.WaitGroup
	for _, room := range order {
		wg.Add(1)
		sem <- struct{}{}
		go func(room id.RoomID, its []item) {
			defer wg.Done()
			defer func() { <-sem }()
			errs <- t.handleRoom(ctx, room, its, h)
		}(room, rooms[room])
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		if err != nil {
			all = append(all, err)
		}
	}
	return errors.Join(all...)
}

// handleRoom handles a room's items in order, stopping at the first failure
// (the rest come again with the batch).
func (t *Transport) handleRoom(ctx context.Context, room id.RoomID, its []item, h Handler) error {
	chatID, err := t.ids.room(ctx, room)
	if err != nil {
		return err
	}
	for _, it := range its {
		switch it.kind {
		case itemGroup:
			if err := t.leaveIfGroup(ctx, room, chatID); err != nil {
				return err
			}
			continue
		}
		n, done, err := t.ids.received(ctx, it.evt.ID, chatID)
		if err != nil {
			return err
		}
		if done {
			continue
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
		if err := t.ids.handled(context.WithoutCancel(ctx), n, time.Now()); err != nil {
			return err
		}
	}
	return nil
}

// inbound turns a message event into an Event; edits, notices (other
// bots) and non-text messages are not for the bot.
func (t *Transport) inbound(ctx context.Context, evt *event.Event, chatID, n int64) (Event, bool, error) {
	c := evt.Content.AsMessage()
	if c == nil || (c.MsgType != event.MsgText && c.MsgType != event.MsgEmote) || c.RelatesTo.GetReplaceID() != "" {
		return Event{}, false, nil
	}
	sender, err := t.ids.user(ctx, evt.Sender)
	if err != nil {
		return Event{}, false, err
	}
	return Event{ChatID: chatID, SenderID: sender, MessageID: int(n), Sender: evt.Sender.String(), Text: strings.TrimSpace(c.Body)}, true, nil
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
	chatID, err := t.ids.room(ctx, it.room)
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
	room, err := t.ids.roomOf(ctx, chatID)
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
