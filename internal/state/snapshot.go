package state

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/relais-sante/relais/internal/ids"
)

// Snapshot is the draft and the prompt of one chat and user as Claim read
// them, in the same round trip as the claim on the chat. Carried by the
// update's context (WithSnapshot), it answers that update's first
// Drafts.Load and Drafts.Prompt without asking Redis again: every input
// reads both (a press drops the waiting question, a form step loads the
// draft), and two round trips of about five per input were 8 % of the
// bot's CPU at 100 mediators tapping every 3 s (docs/performance.md).
//
// It stays true while the update holds the chat's lease: only this update
// writes them, through the same Drafts, and each write (Delete, SetPrompt,
// ClearPrompt) forgets the part it changes, so the next read goes to
// Redis; Save keeps the draft it saves, which the update's finish writes.
// A draft written meanwhile by another chat's update (an admin disabling
// its user) or a job is seen as late as before, when the update read it a
// few milliseconds after its claim.
type Snapshot struct {
	chatID ids.ChatID
	userID ids.TelegramID

	mu    sync.Mutex
	val   [2][]byte // by part; nil: none stored
	known [2]bool   // val[p] holds what Redis holds, or will once pending is written
	// pending is the draft the update saved, written by its FinishUpdate
	// or AbandonUpdate (see Drafts.Save).
	pending *pendingDraft
}

// pendingDraft is a draft saved by an update, not yet written to Redis:
// its keys and values as Drafts.Save would write them.
type pendingDraft struct {
	key, index, member string
	data               []byte
	score              int64 // the index's score: the draft's last change, Unix ms
}

// part names what a Snapshot holds, in the order Claim reads them.
type part int

const (
	draftPart part = iota
	promptPart
)

type snapshotKey struct{}

// WithSnapshot returns ctx carrying s, for the Drafts calls of the update
// that claimed it. A nil s leaves ctx as it is.
func WithSnapshot(ctx context.Context, s *Snapshot) context.Context {
	if s == nil {
		return ctx
	}
	return context.WithValue(ctx, snapshotKey{}, s)
}

// snapshotOf returns ctx's snapshot of chatID and userID, nil when there is
// none for them.
func snapshotOf(ctx context.Context, chatID ids.ChatID, userID ids.TelegramID) *Snapshot {
	s, _ := ctx.Value(snapshotKey{}).(*Snapshot)
	if s == nil || s.chatID != chatID || s.userID != userID {
		return nil
	}
	return s
}

// cached returns p's bytes if the snapshot still knows them.
func (s *Snapshot) cached(p part) (data []byte, known bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.val[p], s.known[p]
}

func (s *Snapshot) forget(p part) {
	s.mu.Lock()
	s.val[p], s.known[p] = nil, false
	if p == draftPart {
		s.pending = nil // a later write of the draft replaces it
	}
	s.mu.Unlock()
}

// hold keeps d as the update's draft, to be written at its finish.
func (s *Snapshot) hold(d *pendingDraft) {
	s.mu.Lock()
	s.val[draftPart], s.known[draftPart], s.pending = d.data, true, d
	s.mu.Unlock()
}

// takePending returns the draft waiting to be written, if any, and forgets
// it: whoever takes it writes it or reports it lost.
func (s *Snapshot) takePending() *pendingDraft {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.pending
	s.pending = nil
	return d
}

// pendingOf takes the draft ctx's snapshot of chatID holds for writing.
func pendingOf(ctx context.Context, chatID ids.ChatID) *pendingDraft {
	s, _ := ctx.Value(snapshotKey{}).(*Snapshot)
	if s == nil || s.chatID != chatID {
		return nil
	}
	return s.takePending()
}

// flushPending writes now the draft ctx's snapshot holds for its finish
// (before an erasure scans the keys).
func flushPending(ctx context.Context, rdb *redis.Client) error {
	s, _ := ctx.Value(snapshotKey{}).(*Snapshot)
	if s == nil {
		return nil
	}
	d := s.takePending()
	if d == nil {
		return nil
	}
	return d.write(ctx, rdb)
}

// write stores the draft and its place in the drafts' index, restarting
// its 72-hour lifetime.
func (d *pendingDraft) write(ctx context.Context, rdb *redis.Client) error {
	_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, d.key, d.data, DraftTTL)
		p.ZAdd(ctx, d.index, redis.Z{Score: float64(d.score), Member: d.member})
		return nil
	})
	if err != nil {
		return fmt.Errorf("save draft: %w", err)
	}
	return nil
}

// forgetPart drops what ctx's snapshot of chatID and userID knows of p:
// called before each write of p, so that the update's next read asks
// Redis (even when the write fails and leaves Redis unknown).
func forgetPart(ctx context.Context, chatID ids.ChatID, userID ids.TelegramID, p part) {
	if snap := snapshotOf(ctx, chatID, userID); snap != nil {
		snap.forget(p)
	}
}

// forgetSnapshot drops whatever ctx's snapshot knows (a write that may
// touch any key, such as an erasure).
func forgetSnapshot(ctx context.Context) {
	if s, _ := ctx.Value(snapshotKey{}).(*Snapshot); s != nil {
		s.forget(draftPart)
		s.forget(promptPart)
	}
}

// readThrough returns chatID and userID's p stored at key: from ctx's
// snapshot when it still knows it, else from Redis. found is false when
// none is stored.
func readThrough(ctx context.Context, rdb *redis.Client, key string, chatID ids.ChatID, userID ids.TelegramID, p part) (data []byte, found bool, err error) {
	if snap := snapshotOf(ctx, chatID, userID); snap != nil {
		if data, known := snap.cached(p); known {
			return data, data != nil, nil
		}
	}
	data, err = rdb.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return data, true, nil
}

// claimScript: done already → {1}; chat lease taken by someone else → {2};
// else take the chat's lease (value: the update id) and read the draft
// (KEYS[3]) and the prompt (KEYS[4]) of the update's user → {0, draft, prompt}.
var claimScript = redis.NewScript(`
if redis.call("exists", KEYS[1]) == 1 then return {1} end
if not redis.call("set", KEYS[2], ARGV[1], "NX", "PX", ARGV[2]) then return {2} end
return {0, redis.call("get", KEYS[3]), redis.call("get", KEYS[4])}`)

// Claim claims a Telegram update sent by userID in chatID for handling and
// reads, in the same round trip, their draft and prompt: the Snapshot is
// non-nil when the status is UpdateNew. The claim is a lease on the chat
// (ProcessingTTL, kept alive by RenewUpdate): a crashed handler blocks its
// chat for at most ProcessingTTL, after which the redelivered update is
// handled.
func (s *Updates) Claim(ctx context.Context, chatID ids.ChatID, userID ids.TelegramID, updateID int) (UpdateStatus, *Snapshot, error) {
	vals, err := claimScript.Run(ctx, s.rdb,
		[]string{s.updateKey(updateID), s.chatKey(chatID), draftKey(s.prefix, chatID, userID), promptKey(s.prefix, chatID, userID)},
		strconv.Itoa(updateID), ProcessingTTL.Milliseconds()).Slice()
	if err != nil {
		return 0, nil, fmt.Errorf("claim update %d: %w", updateID, err)
	}
	status, ok := vals[0].(int64)
	if !ok {
		return 0, nil, fmt.Errorf("claim update %d: unexpected reply %T", updateID, vals[0])
	}
	if UpdateStatus(status) != UpdateNew {
		return UpdateStatus(status), nil, nil
	}
	if len(vals) != 3 {
		return 0, nil, fmt.Errorf("claim update %d: unexpected reply of %d values", updateID, len(vals))
	}
	snap := &Snapshot{chatID: chatID, userID: userID, known: [2]bool{true, true}}
	for p := range snap.val {
		switch v := vals[p+1].(type) {
		case nil:
		case string:
			snap.val[p] = []byte(v)
		default:
			return 0, nil, fmt.Errorf("claim update %d: unexpected value %T", updateID, v)
		}
	}
	return UpdateNew, snap, nil
}
