// Package state keeps in Redis what must outlive one update and be seen by
// every replica, in four stores over one keyspace: Drafts (a half-filled
// form per chat and user, so a mediator continues exactly where they were
// after a restart; the question waiting for a typed answer; the chat's last
// question; wrong invitation codes), Updates (each chat's updates handled
// once and one at a time), Locks (the jobs that must run once across
// replicas) and Replicas (the live replicas, which share Telegram's rate).
package state

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais-sante/relais/internal/dialog"
	"github.com/relais-sante/relais/internal/ids"
)

// DraftTTL: a draft left alone for three days is dropped.
const DraftTTL = 72 * time.Hour

// Draft is a half-filled form as kept in Redis: the engine's state (the
// pure dialog.State knows nothing of Telegram) and, beside it, what the
// chat shows of it (Shown, the Telegram presenter's). Its JSON is one flat
// object: the state's fields, then these.
type Draft struct {
	dialog.State
	Shown
	// LastUpdate is the Telegram update whose handling saved this draft: a
	// redelivery of that update after a crash is recognised and not
	// applied a second time.
	LastUpdate int `json:"last_update,omitempty"`
}

// Shown is what the chat shows of a draft: the message holding its open
// question (or summary), that message's text, whether it still has
// buttons, and the answers already shown above the question in it.
type Shown struct {
	// QuestionMessageID is the message holding the open question; 0 when
	// it is not known (a question not delivered).
	QuestionMessageID int    `json:"question_message_id,omitempty"`
	QuestionText      string `json:"question_text,omitempty"`
	QuestionKeyboard  bool   `json:"question_keyboard,omitempty"`
	// Transcript: the answer lines already shown above the open question
	// in its message (a button answer edits the question in place into
	// the next one, keeping what was answered).
	Transcript []string `json:"transcript,omitempty"`
}

// Keyspace is the part of one Redis that Relais owns: every key starts with
// its prefix. The stores built from it share its keys with earlier
// versions, so an upgrade keeps the drafts, leases and locks in flight.
type Keyspace struct {
	rdb    *redis.Client
	prefix string
	bot    string // "<bot id>:" in update, chat, lock, question and failure keys; "" for none
}

// New returns the keyspace under prefix, not yet scoped to a bot: its
// update, chat, lock, question and failure keys are shared by every bot
// until ForBot (serve calls it); drafts and prompts are the same either way.
func New(rdb *redis.Client, prefix string) Keyspace {
	return Keyspace{rdb: rdb, prefix: prefix}
}

// ForBot returns the keyspace of bot botID: its update ids (numbered per
// bot by Telegram), chat leases, job locks, last questions and failures are
// its own, so two bots sharing one Redis and prefix (staging and
// production) never take each other's updates or locks. Drafts and prompts
// stay keyed by chat and user.
func (k Keyspace) ForBot(botID int64) Keyspace {
	k.bot = strconv.FormatInt(botID, 10) + ":"
	return k
}

// Drafts returns the conversation store of the keyspace.
func (k Keyspace) Drafts() *Drafts { return &Drafts{rdb: k.rdb, prefix: k.prefix, bot: k.bot} }

// Updates returns the update leases of the keyspace.
func (k Keyspace) Updates() *Updates { return &Updates{rdb: k.rdb, prefix: k.prefix, bot: k.bot} }

// Locks returns the job locks of the keyspace.
func (k Keyspace) Locks() *Locks { return &Locks{rdb: k.rdb, prefix: k.prefix, bot: k.bot} }

// Drafts keeps what a conversation leaves between two updates of a chat:
// the half-filled form, the question waiting for a typed answer, the last
// question answered and the wrong invitation codes (store.Store keeps the
// records, in PostgreSQL).
type Drafts struct {
	rdb    *redis.Client
	prefix string
	bot    string
}

func (s *Drafts) draftKey(chatID ids.ChatID, userID ids.TelegramID) string {
	return draftKey(s.prefix, chatID, userID)
}

func draftKey(prefix string, chatID ids.ChatID, userID ids.TelegramID) string {
	return prefix + "draft:" + member(chatID, userID)
}

func (s *Drafts) indexKey() string { return s.prefix + "drafts" }

func member(chatID ids.ChatID, userID ids.TelegramID) string {
	return strconv.FormatInt(int64(chatID), 10) + ":" + strconv.FormatInt(int64(userID), 10)
}

// Load returns the draft of userID in chatID; false when there is none.
// The update's Snapshot answers it when it knows the draft.
func (s *Drafts) Load(ctx context.Context, chatID ids.ChatID, userID ids.TelegramID) (Draft, bool, error) {
	data, found, err := readThrough(ctx, s.rdb, s.draftKey(chatID, userID), chatID, userID, draftPart)
	if err != nil {
		return Draft{}, false, fmt.Errorf("load draft: %w", err)
	}
	if !found {
		return Draft{}, false, nil
	}
	var d Draft
	if err := json.Unmarshal(data, &d); err != nil {
		return Draft{}, false, fmt.Errorf("decode draft: %w", err)
	}
	return d, true, nil
}

// Save stores the draft and restarts its 72-hour lifetime. Within an update
// (ctx carries its Snapshot) the draft is written by the update's
// FinishUpdate or AbandonUpdate, in the same round trip as the release of
// the chat, and read back from the snapshot until then: a form step's save
// is the last thing it does, and one Redis round trip of about four per
// input is a tenth of the bot's CPU (docs/performance.md). The chat's
// lease keeps any other update of the chat from reading it meanwhile.
func (s *Drafts) Save(ctx context.Context, chatID ids.ChatID, userID ids.TelegramID, st Draft) error {
	data, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode draft: %w", err)
	}
	at := st.UpdatedAt
	if at.IsZero() {
		at = time.Now()
	}
	d := &pendingDraft{key: s.draftKey(chatID, userID), index: s.indexKey(), member: member(chatID, userID), data: data, score: at.UnixMilli()}
	if snap := snapshotOf(ctx, chatID, userID); snap != nil {
		snap.hold(d)
		return nil
	}
	forgetPart(ctx, chatID, userID, draftPart)
	return d.write(ctx, s.rdb)
}

// Delete removes the draft (saved or cancelled).
func (s *Drafts) Delete(ctx context.Context, chatID ids.ChatID, userID ids.TelegramID) error {
	forgetPart(ctx, chatID, userID, draftPart)
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
