package matrix

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"maunium.net/go/mautrix/id"
)

// ids gives Matrix rooms, users and events the local numbers the rest of
// Relais addresses chats, people and messages with (migration 00050: one
// sequence above any Telegram id), and keeps the account's device and sync
// position. It is the transport's own bookkeeping, beside mautrix's crypto
// and state stores in the same database.
type ids struct {
	db *sql.DB

	mu        sync.Mutex
	roomByID  map[int64]id.RoomID
	roomByMX  map[id.RoomID]int64
	userByID  map[int64]id.UserID
	userByMX  map[id.UserID]int64
	cacheSize int
}

func newIDs(db *sql.DB) *ids {
	return &ids{db: db, roomByID: map[int64]id.RoomID{}, roomByMX: map[id.RoomID]int64{}, userByID: map[int64]id.UserID{}, userByMX: map[id.UserID]int64{}}
}

// maxCached bounds the in-memory maps; past it they start over (the
// database answers).
const maxCached = 100_000

func (s *ids) remember(room id.RoomID, n int64, user id.UserID, u int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cacheSize > maxCached {
		s.roomByID, s.roomByMX = map[int64]id.RoomID{}, map[id.RoomID]int64{}
		s.userByID, s.userByMX = map[int64]id.UserID{}, map[id.UserID]int64{}
		s.cacheSize = 0
	}
	if room != "" {
		s.roomByID[n], s.roomByMX[room] = room, n
	}
	if user != "" {
		s.userByID[u], s.userByMX[user] = user, u
	}
	s.cacheSize++
}

// room is the local number of a Matrix room, given on first sight.
func (s *ids) room(ctx context.Context, room id.RoomID) (int64, error) {
	s.mu.Lock()
	n, ok := s.roomByMX[room]
	s.mu.Unlock()
	if ok {
		return n, nil
	}
	n, err := upsertID(ctx, s.db, "matrix_rooms", "room_id", string(room))
	if err != nil {
		return 0, fmt.Errorf("number room: %w", err)
	}
	s.remember(room, n, "", 0)
	return n, nil
}

// roomOf is the Matrix room of a local number.
func (s *ids) roomOf(ctx context.Context, n int64) (id.RoomID, error) {
	s.mu.Lock()
	room, ok := s.roomByID[n]
	s.mu.Unlock()
	if ok {
		return room, nil
	}
	var r string
	err := s.db.QueryRowContext(ctx, `SELECT room_id FROM matrix_rooms WHERE id = $1`, n).Scan(&r)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("chat %d: %w", n, ErrUnknownChat)
	}
	if err != nil {
		return "", fmt.Errorf("room of chat %d: %w", n, err)
	}
	s.remember(id.RoomID(r), n, "", 0)
	return id.RoomID(r), nil
}

// user is the local number of a Matrix user, given on first sight.
func (s *ids) user(ctx context.Context, user id.UserID) (int64, error) {
	s.mu.Lock()
	n, ok := s.userByMX[user]
	s.mu.Unlock()
	if ok {
		return n, nil
	}
	n, err := upsertID(ctx, s.db, "matrix_users", "user_id", string(user))
	if err != nil {
		return 0, fmt.Errorf("number user: %w", err)
	}
	s.remember("", 0, user, n)
	return n, nil
}

// userOf is the Matrix user of a local number.
func (s *ids) userOf(ctx context.Context, n int64) (id.UserID, error) {
	s.mu.Lock()
	user, ok := s.userByID[n]
	s.mu.Unlock()
	if ok {
		return user, nil
	}
	var u string
	err := s.db.QueryRowContext(ctx, `SELECT user_id FROM matrix_users WHERE id = $1`, n).Scan(&u)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("user %d: %w", n, ErrUnknownUser)
	}
	if err != nil {
		return "", fmt.Errorf("user %d: %w", n, err)
	}
	s.remember("", 0, id.UserID(u), n)
	return id.UserID(u), nil
}

// upsertID returns the number of key in table, inserting it if new. The
// no-op update makes RETURNING answer for an existing row too.
func upsertID(ctx context.Context, db *sql.DB, table, column, key string) (int64, error) {
	var n int64
	q := `INSERT INTO ` + table + ` (` + column + `) VALUES ($1)
		ON CONFLICT (` + column + `) DO UPDATE SET ` + column + ` = EXCLUDED.` + column + ` RETURNING id`
	err := db.QueryRowContext(ctx, q, key).Scan(&n)
	return n, err
}

// received numbers an event that came in and says whether it was handled
// already (a redelivery after a restart).
func (s *ids) received(ctx context.Context, evt id.EventID, room int64) (n int64, handled bool, err error) {
	var at sql.NullTime
	err = s.db.QueryRowContext(ctx, `INSERT INTO matrix_events (event_id, room, sent) VALUES ($1, $2, false)
		ON CONFLICT (event_id) DO UPDATE SET event_id = EXCLUDED.event_id RETURNING id, handled_at`, string(evt), room).Scan(&n, &at)
	if err != nil {
		return 0, false, fmt.Errorf("number event: %w", err)
	}
	return n, at.Valid, nil
}

// handled records that the event's handler finished.
func (s *ids) handled(ctx context.Context, n int64, at time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE matrix_events SET handled_at = $2 WHERE id = $1`, n, at); err != nil {
		return fmt.Errorf("mark event %d handled: %w", n, err)
	}
	return nil
}

// sent numbers an event the bot sent.
func (s *ids) sent(ctx context.Context, evt id.EventID, room int64) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `INSERT INTO matrix_events (event_id, room, sent) VALUES ($1, $2, true)
		ON CONFLICT (event_id) DO UPDATE SET event_id = EXCLUDED.event_id RETURNING id`, string(evt), room).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("number sent event: %w", err)
	}
	return n, nil
}

// event is the Matrix event of a local message number in a room.
func (s *ids) event(ctx context.Context, n int64, room int64) (id.EventID, error) {
	var e string
	err := s.db.QueryRowContext(ctx, `SELECT event_id FROM matrix_events WHERE id = $1 AND room = $2`, n, room).Scan(&e)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("message %d in chat %d: %w", n, room, ErrUnknownMessage)
	}
	if err != nil {
		return "", fmt.Errorf("message %d: %w", n, err)
	}
	return id.EventID(e), nil
}

// account returns the device and sync position stored for user ("" when
// the account was never used).
func (s *ids) account(ctx context.Context, user id.UserID) (device id.DeviceID, nextBatch string, err error) {
	var d string
	err = s.db.QueryRowContext(ctx, `SELECT device_id, next_batch FROM matrix_accounts WHERE user_id = $1`, string(user)).Scan(&d, &nextBatch)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("matrix account: %w", err)
	}
	return id.DeviceID(d), nextBatch, nil
}

// saveDevice keeps the device of user; a new device starts syncing afresh.
func (s *ids) saveDevice(ctx context.Context, user id.UserID, device id.DeviceID) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO matrix_accounts (user_id, device_id) VALUES ($1, $2)
		ON CONFLICT (user_id) DO UPDATE SET device_id = EXCLUDED.device_id,
			next_batch = CASE WHEN matrix_accounts.device_id = EXCLUDED.device_id THEN matrix_accounts.next_batch ELSE '' END,
			updated_at = now()`, string(user), string(device))
	if err != nil {
		return fmt.Errorf("save matrix device: %w", err)
	}
	return nil
}

// saveNextBatch moves the sync position once a batch is handled.
func (s *ids) saveNextBatch(ctx context.Context, user id.UserID, next string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE matrix_accounts SET next_batch = $2, updated_at = now() WHERE user_id = $1`, string(user), next); err != nil {
		return fmt.Errorf("save sync position: %w", err)
	}
	return nil
}

// EventsKept is how long the number of an event handled or sent is kept.
// A received event's number dedupes a redelivery, and the homeserver
// redelivers only what follows the stored sync position, which moves once
// a batch is handled: minutes, or the length of an outage. A sent event's
// number lets the bot edit its message, which it does while a draft asks
// its question (a draft lives 72 hours after its last answer) or when the
// person types one of the choices last shown to them (kept while they are
// the last). A week covers both with room to spare.
const EventsKept = 7 * 24 * time.Hour

// purge forgets the numbers of events handled or sent before before,
// except the message whose choices a person was last shown; an event not
// yet handled stays (its batch comes again).
func (s *ids) purge(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM matrix_events e WHERE e.created_at < $1 AND (e.sent OR e.handled_at IS NOT NULL)
		AND NOT EXISTS (SELECT 1 FROM matrix_people p WHERE p.choices_message = e.id)`, before)
	if err != nil {
		return 0, fmt.Errorf("purge matrix events: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("purge matrix events: %w", err)
	}
	return n, nil
}
