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
	db    *sql.DB
	rooms *numbering[id.RoomID]
	users *numbering[id.UserID]
}

func newIDs(db *sql.DB) *ids {
	return &ids{db: db,
		rooms: newNumbering[id.RoomID](db, "matrix_rooms", "room_id", "chat", ErrUnknownChat),
		users: newNumbering[id.UserID](db, "matrix_users", "user_id", "user", ErrUnknownUser)}
}

// numbering gives one kind of Matrix id (rooms, users) its local numbers,
// both ways, from its table, with the pairs seen kept in memory: every
// event asks for its room's and sender's numbers, and they never change.
type numbering[K ~string] struct {
	db            *sql.DB
	table, column string
	what          string // « chat », « user »: the number's name in errors
	unknown       error  // a number that names nothing

	mu   sync.Mutex
	byID map[int64]K
	byMX map[K]int64
}

func newNumbering[K ~string](db *sql.DB, table, column, what string, unknown error) *numbering[K] {
	return &numbering[K]{db: db, table: table, column: column, what: what, unknown: unknown, byID: map[int64]K{}, byMX: map[K]int64{}}
}

// maxCached bounds each numbering's memory; past it, it starts over (the
// database answers).
const maxCached = 100_000

func (c *numbering[K]) remember(key K, n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.byMX) >= maxCached {
		c.byID, c.byMX = map[int64]K{}, map[K]int64{}
	}
	c.byID[n], c.byMX[key] = key, n
}

// number is the local number of key, given on first sight. The no-op
// update makes RETURNING answer for an existing row too.
func (c *numbering[K]) number(ctx context.Context, key K) (int64, error) {
	c.mu.Lock()
	n, ok := c.byMX[key]
	c.mu.Unlock()
	if ok {
		return n, nil
	}
	err := c.db.QueryRowContext(ctx, `INSERT INTO `+c.table+` (`+c.column+`) VALUES ($1)
		ON CONFLICT (`+c.column+`) DO UPDATE SET `+c.column+` = EXCLUDED.`+c.column+` RETURNING id`, string(key)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("number %s: %w", c.what, err)
	}
	c.remember(key, n)
	return n, nil
}

// of is the Matrix id of local number n.
func (c *numbering[K]) of(ctx context.Context, n int64) (K, error) {
	c.mu.Lock()
	key, ok := c.byID[n]
	c.mu.Unlock()
	if ok {
		return key, nil
	}
	var k string
	err := c.db.QueryRowContext(ctx, `SELECT `+c.column+` FROM `+c.table+` WHERE id = $1`, n).Scan(&k)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%s %d: %w", c.what, n, c.unknown)
	}
	if err != nil {
		return "", fmt.Errorf("matrix id of %s %d: %w", c.what, n, err)
	}
	c.remember(K(k), n)
	return K(k), nil
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
