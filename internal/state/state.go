// Package state keeps dialog drafts in Redis, one per (chat, user), so a
// mediator continues exactly where they were after a restart of the bot or
// on another replica. It also de-duplicates Telegram updates and provides
// the locks of jobs that must run once across replicas.
package state

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais-sante/relais/internal/dialog"
	"github.com/relais-sante/relais/internal/ids"
)

// Durations of the keys.
const (
	// DraftTTL: a draft left alone for three days is dropped.
	DraftTTL = 72 * time.Hour
	// ProcessingTTL bounds how long a crashed handler blocks its chat; a
	// running handler renews it (see RenewUpdate).
	ProcessingTTL = 15 * time.Second
	// DoneTTL covers Telegram's redelivery window with room to spare.
	DoneTTL = 48 * time.Hour
)

// Draft is a half-filled form as kept in Redis: the engine's state (the
// pure dialog.State knows nothing of Telegram) and what the transport
// keeps around it. Its JSON is the state's, plus two fields.
type Draft struct {
	dialog.State
	// Transcript: the answer lines already shown above the open question
	// in its message (a button answer edits the question in place into
	// the next one, keeping what was answered).
	Transcript []string `json:"transcript,omitempty"`
	// LastUpdate is the Telegram update whose handling saved this draft: a
	// redelivery of that update after a crash is recognised and not
	// applied a second time.
	LastUpdate int `json:"last_update,omitempty"`
}

// Drafts is the Redis side: drafts, update ids and locks (store.Store is
// the PostgreSQL side, the records).
type Drafts struct {
	rdb    *redis.Client
	prefix string
	bot    string // "<bot id>:" in update, chat and lock keys; "" for none
}

// New returns a store whose keys all start with prefix.
func New(rdb *redis.Client, prefix string) *Drafts {
	return &Drafts{rdb: rdb, prefix: prefix}
}

// ForBot returns the store of bot botID: its update ids (numbered per bot by
// Telegram), chat leases and job locks are its own, so two bots sharing one
// Redis and prefix (staging and production) never take each other's
// updates or locks. Drafts stay keyed by chat and user.
func (s *Drafts) ForBot(botID int64) *Drafts {
	c := *s
	c.bot = strconv.FormatInt(botID, 10) + ":"
	return &c
}

func (s *Drafts) draftKey(chatID ids.ChatID, userID ids.TelegramID) string {
	return s.prefix + "draft:" + member(chatID, userID)
}

func (s *Drafts) indexKey() string { return s.prefix + "drafts" }

func member(chatID ids.ChatID, userID ids.TelegramID) string {
	return strconv.FormatInt(int64(chatID), 10) + ":" + strconv.FormatInt(int64(userID), 10)
}

// Load returns the draft of userID in chatID; false when there is none.
func (s *Drafts) Load(ctx context.Context, chatID ids.ChatID, userID ids.TelegramID) (Draft, bool, error) {
	data, err := s.rdb.Get(ctx, s.draftKey(chatID, userID)).Bytes()
	if errors.Is(err, redis.Nil) {
		return Draft{}, false, nil
	}
	if err != nil {
		return Draft{}, false, fmt.Errorf("load draft: %w", err)
	}
	var d Draft
	if err := json.Unmarshal(data, &d); err != nil {
		return Draft{}, false, fmt.Errorf("decode draft: %w", err)
	}
	return d, true, nil
}

// Save stores the draft and restarts its 72-hour lifetime.
func (s *Drafts) Save(ctx context.Context, chatID ids.ChatID, userID ids.TelegramID, st Draft) error {
	data, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode draft: %w", err)
	}
	at := st.UpdatedAt
	if at.IsZero() {
		at = time.Now()
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, s.draftKey(chatID, userID), data, DraftTTL)
		p.ZAdd(ctx, s.indexKey(), redis.Z{Score: float64(at.UnixMilli()), Member: member(chatID, userID)})
		return nil
	})
	if err != nil {
		return fmt.Errorf("save draft: %w", err)
	}
	return nil
}

// Delete removes the draft (saved or cancelled).
func (s *Drafts) Delete(ctx context.Context, chatID ids.ChatID, userID ids.TelegramID) error {
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, s.draftKey(chatID, userID))
		p.ZRem(ctx, s.indexKey(), member(chatID, userID))
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete draft: %w", err)
	}
	return nil
}

// DraftRef identifies a draft left open.
type DraftRef struct {
	ChatID    ids.ChatID
	UserID    ids.TelegramID
	FormID    string
	RecordID  string // the record the draft will save: binds buttons to this draft
	UpdatedAt time.Time
}

// Idle lists the drafts not touched for olderThan at now, oldest first, for
// the "you have a sheet in progress" nudges. Expired drafts are forgotten.
func (s *Drafts) Idle(ctx context.Context, olderThan time.Duration, now time.Time) ([]DraftRef, error) {
	max := strconv.FormatInt(now.Add(-olderThan).UnixMilli(), 10)
	members, err := s.rdb.ZRangeArgs(ctx, redis.ZRangeArgs{Key: s.indexKey(), Start: "-inf", Stop: max, ByScore: true}).Result()
	if err != nil {
		return nil, fmt.Errorf("list idle drafts: %w", err)
	}
	var out []DraftRef
	for _, m := range members {
		chat, user, ok := parseMember(m)
		if !ok {
			continue
		}
		st, found, err := s.Load(ctx, chat, user)
		if err != nil {
			return nil, err
		}
		if !found {
			if err := s.rdb.ZRem(ctx, s.indexKey(), m).Err(); err != nil {
				return nil, fmt.Errorf("forget expired draft: %w", err)
			}
			continue
		}
		if st.Untouched {
			continue // a stored record opened and left as it was: nothing to lose
		}
		out = append(out, DraftRef{ChatID: chat, UserID: user, FormID: st.FormID, RecordID: st.RecordID, UpdatedAt: st.UpdatedAt})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].UpdatedAt.Before(out[j].UpdatedAt) })
	return out, nil
}

func parseMember(m string) (chat ids.ChatID, user ids.TelegramID, ok bool) {
	c, u, found := strings.Cut(m, ":")
	if !found {
		return 0, 0, false
	}
	ch, err1 := strconv.ParseInt(c, 10, 64)
	us, err2 := strconv.ParseInt(u, 10, 64)
	return ids.ChatID(ch), ids.TelegramID(us), err1 == nil && err2 == nil
}

func (s *Drafts) updateKey(updateID int) string {
	return s.prefix + "update:" + s.bot + strconv.Itoa(updateID)
}

func (s *Drafts) chatKey(chatID ids.ChatID) string {
	return s.prefix + "chat:" + s.bot + strconv.FormatInt(int64(chatID), 10)
}

// UpdateStatus says what BeginUpdate found.
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

// beginScript: done already → 1; chat lease taken by someone else → 2;
// else take the chat's lease (value: the update id) → 0.
var beginScript = redis.NewScript(`
if redis.call("exists", KEYS[1]) == 1 then return 1 end
if redis.call("set", KEYS[2], ARGV[1], "NX", "PX", ARGV[2]) then return 0 end
return 2`)

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

// BeginUpdate claims a Telegram update of chatID for handling. The claim is
// a lease on the chat (ProcessingTTL, kept alive by RenewUpdate): a crashed
// handler blocks its chat for at most ProcessingTTL, after which the
// redelivered update is handled.
func (s *Drafts) BeginUpdate(ctx context.Context, chatID ids.ChatID, updateID int) (UpdateStatus, error) {
	n, err := beginScript.Run(ctx, s.rdb, []string{s.updateKey(updateID), s.chatKey(chatID)},
		strconv.Itoa(updateID), ProcessingTTL.Milliseconds()).Int()
	if err != nil {
		return 0, fmt.Errorf("claim update %d: %w", updateID, err)
	}
	return UpdateStatus(n), nil
}

// RenewUpdate extends the lease of an update being handled.
func (s *Drafts) RenewUpdate(ctx context.Context, chatID ids.ChatID, updateID int) error {
	if err := renewScript.Run(ctx, s.rdb, []string{s.chatKey(chatID)}, strconv.Itoa(updateID), ProcessingTTL.Milliseconds()).Err(); err != nil {
		return fmt.Errorf("renew update %d: %w", updateID, err)
	}
	return nil
}

// FinishUpdate marks a claimed update as handled and frees its chat.
func (s *Drafts) FinishUpdate(ctx context.Context, chatID ids.ChatID, updateID int) error {
	if err := finishScript.Run(ctx, s.rdb, []string{s.updateKey(updateID), s.chatKey(chatID)},
		strconv.Itoa(updateID), DoneTTL.Milliseconds(), "1").Err(); err != nil {
		return fmt.Errorf("finish update %d: %w", updateID, err)
	}
	return nil
}

// AbandonUpdate frees the chat of a claimed update whose handling did not
// finish, so that a redelivery is handled.
func (s *Drafts) AbandonUpdate(ctx context.Context, chatID ids.ChatID, updateID int) error {
	if err := finishScript.Run(ctx, s.rdb, []string{s.updateKey(updateID), s.chatKey(chatID)},
		strconv.Itoa(updateID), DoneTTL.Milliseconds(), "0").Err(); err != nil {
		return fmt.Errorf("abandon update %d: %w", updateID, err)
	}
	return nil
}

// releaseScript deletes the lock only if it still holds our token: a holder
// whose lock expired must not release the next holder's lock.
var releaseScript = redis.NewScript(`
if redis.call("get", KEYS[1]) == ARGV[1] then
	return redis.call("del", KEYS[1])
end
return 0`)

// TryLock takes the lock key for ttl, if free. release gives it back; it is
// safe to call after the lock expired.
func (s *Drafts) TryLock(ctx context.Context, key string, ttl time.Duration) (release func(), ok bool, err error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return nil, false, fmt.Errorf("lock token: %w", err)
	}
	token := hex.EncodeToString(b)
	k := s.prefix + "lock:" + s.bot + key
	ok, err = s.rdb.SetNX(ctx, k, token, ttl).Result()
	if err != nil {
		return nil, false, fmt.Errorf("take lock %s: %w", key, err)
	}
	if !ok {
		return func() {}, false, nil
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := releaseScript.Run(ctx, s.rdb, []string{k}, token).Err(); err != nil {
			slog.Warn("release lock", "key", key, "err", err)
		}
	}, true, nil
}

// failuresKey holds the times of one chat's (or one key's) failures.
func (s *Drafts) failuresKey(key string) string { return s.prefix + "failures:" + s.bot + key }

// AddFailure records one failure of key (a chat's wrong invitation code) at
// at; the record is kept for window, after which it no longer counts.
func (s *Drafts) AddFailure(ctx context.Context, key string, at time.Time, window time.Duration) error {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return fmt.Errorf("failure id: %w", err)
	}
	k := s.failuresKey(key)
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.ZAdd(ctx, k, redis.Z{Score: float64(at.UnixMilli()), Member: hex.EncodeToString(b)})
		p.ZRemRangeByScore(ctx, k, "-inf", "("+strconv.FormatInt(at.Add(-window).UnixMilli(), 10))
		p.PExpire(ctx, k, window)
		return nil
	})
	if err != nil {
		return fmt.Errorf("record failure %s: %w", key, err)
	}
	return nil
}

// Failures counts the failures of key recorded after since: a sliding
// window, so a limit cannot be doubled across a clock hour.
func (s *Drafts) Failures(ctx context.Context, key string, since time.Time) (int, error) {
	n, err := s.rdb.ZCount(ctx, s.failuresKey(key), "("+strconv.FormatInt(since.UnixMilli(), 10), "+inf").Result()
	if err != nil {
		return 0, fmt.Errorf("count failures %s: %w", key, err)
	}
	return int(n), nil
}
