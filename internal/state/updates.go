package state

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais-sante/relais/internal/ids"
)

// Durations of the update keys.
const (
	// ProcessingTTL bounds how long a crashed handler blocks its chat; a
	// running handler renews it (see RenewUpdate).
	ProcessingTTL = 15 * time.Second
	// DoneTTL covers Telegram's redelivery window with room to spare.
	DoneTTL = 48 * time.Hour
)

// Updates has each Telegram update handled once, and the updates of one
// chat one at a time, in order, whichever replica receives them.
type Updates struct {
	rdb    *redis.Client
	prefix string
	bot    string
}

func (s *Updates) updateKey(updateID int) string {
	return s.prefix + "update:" + s.bot + strconv.Itoa(updateID)
}

func (s *Updates) chatKey(chatID ids.ChatID) string {
	return s.prefix + "chat:" + s.bot + strconv.FormatInt(int64(chatID), 10)
}

// UpdateStatus says what Claim found.
type UpdateStatus int

const (
	// UpdateNew: the update is claimed; handle it, then FinishUpdate or AbandonUpdate.
	UpdateNew UpdateStatus = iota
	// UpdateDone: the update was handled already (a redelivery): skip it.
	UpdateDone
	// UpdateBusy: another update of the chat (or this one, delivered twice)
	// is being handled, here or on another replica: deliver it again later,
	// so the chat's updates are handled one at a time, in order.
	UpdateBusy
)

// finishScript marks the update done and frees the chat's lease if it still
// holds it.
var finishScript = redis.NewScript(`
if ARGV[3] == "1" then redis.call("set", KEYS[1], "done", "PX", ARGV[2]) end
if redis.call("get", KEYS[2]) == ARGV[1] then redis.call("del", KEYS[2]) end
return 0`)

// renewScript extends the chat's lease while the update holds it.
var renewScript = redis.NewScript(`
if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) end
return 0`)

// RenewUpdate extends the lease of an update being handled.
func (s *Updates) RenewUpdate(ctx context.Context, chatID ids.ChatID, updateID int) error {
	if err := renewScript.Run(ctx, s.rdb, []string{s.chatKey(chatID)}, strconv.Itoa(updateID), ProcessingTTL.Milliseconds()).Err(); err != nil {
		return fmt.Errorf("renew update %d: %w", updateID, err)
	}
	return nil
}

// finishSaveScript is finishScript writing first the draft the update saved
// (KEYS[3], with its index KEYS[4]).
var finishSaveScript = redis.NewScript(`
redis.call("set", KEYS[3], ARGV[4], "PX", ARGV[5])
redis.call("zadd", KEYS[4], ARGV[6], ARGV[7])
if ARGV[3] == "1" then redis.call("set", KEYS[1], "done", "PX", ARGV[2]) end
if redis.call("get", KEYS[2]) == ARGV[1] then redis.call("del", KEYS[2]) end
return 0`)

// ErrDraftNotSaved: the draft the update saved was not written (Redis
// failed as the update finished). The user's last step is lost, as when
// Drafts.Save fails outside an update: tell them to try again.
var ErrDraftNotSaved = errors.New("draft not saved")

// FinishUpdate marks a claimed update as handled and frees its chat,
// writing first the draft the update saved (ctx's Snapshot, see
// Drafts.Save), in the same round trip.
func (s *Updates) FinishUpdate(ctx context.Context, chatID ids.ChatID, updateID int) error {
	if err := s.finish(ctx, chatID, updateID, "1"); err != nil {
		return fmt.Errorf("finish update %d: %w", updateID, err)
	}
	return nil
}

// AbandonUpdate frees the chat of a claimed update whose handling did not
// finish, so that a redelivery is handled; the draft it saved is written
// as FinishUpdate does (its LastUpdate tells the redelivery what was done).
func (s *Updates) AbandonUpdate(ctx context.Context, chatID ids.ChatID, updateID int) error {
	if err := s.finish(ctx, chatID, updateID, "0"); err != nil {
		return fmt.Errorf("abandon update %d: %w", updateID, err)
	}
	return nil
}

func (s *Updates) finish(ctx context.Context, chatID ids.ChatID, updateID int, done string) error {
	id := strconv.Itoa(updateID)
	d := pendingOf(ctx, chatID)
	if d == nil {
		return finishScript.Run(ctx, s.rdb, []string{s.updateKey(updateID), s.chatKey(chatID)}, id, DoneTTL.Milliseconds(), done).Err()
	}
	err := finishSaveScript.Run(ctx, s.rdb, []string{s.updateKey(updateID), s.chatKey(chatID), d.key, d.index},
		id, DoneTTL.Milliseconds(), done, d.data, DraftTTL.Milliseconds(), d.score, d.member).Err()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrDraftNotSaved, err)
	}
	return nil
}
