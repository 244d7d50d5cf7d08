// Package matrix is Relais's Matrix transport (Element, Tchap): it logs the
// bot in, syncs with a sync position kept in PostgreSQL so that a restart
// neither loses nor replays an event, encrypts end to end (mautrix's pure-Go
// Olm, build tag goolm, keys in PostgreSQL), accepts direct chats only, and
// posts the transport-neutral messages of the rest of Relais, paced under the
// homeserver's limits. Only this package names mautrix's types.
package matrix

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/rs/zerolog"
	"go.mau.fi/util/dbutil"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
	"maunium.net/go/mautrix/sqlstatestore"
)

// Config is how the bot reaches its homeserver and keeps its keys.
type Config struct {
	HomeserverURL string // MATRIX_HOMESERVER_URL
	UserID        string // MATRIX_USER_ID, @relais:example.fr
	// AccessToken (MATRIX_ACCESS_TOKEN) is a session of the bot's device;
	// without it, Password (MATRIX_PASSWORD) logs in, reusing the device
	// kept in the database. With both, the token is used and the password
	// only publishes the cross-signing keys.
	AccessToken string
	Password    string
	// DatabaseURL is Relais's PostgreSQL: the sync position, the local
	// numbers and mautrix's crypto and state stores live there.
	DatabaseURL string
	// PickleKey encrypts the Olm account and sessions in the database.
	PickleKey []byte
	Sender    SenderOptions
	Logger    *slog.Logger
	// SyncTimeout is the long poll of one sync (default 30 s).
	SyncTimeout time.Duration
}

// Errors of lookups by local number.
var (
	ErrUnknownChat    = errors.New("unknown Matrix chat")
	ErrUnknownUser    = errors.New("unknown Matrix user")
	ErrUnknownMessage = errors.New("unknown Matrix message")
)

// engine is end-to-end encryption (crypto.go with the goolm tag).
type engine interface {
	hook(mautrix.ExtensibleSyncer)
	encrypt(ctx context.Context, room id.RoomID, t event.Type, content any) (*event.EncryptedEventContent, error)
	decrypt(ctx context.Context, evt *event.Event) (*event.Event, error)
	crossSign(ctx context.Context, password string) error
}

// Transport is the bot's Matrix account: Run receives, Post sends.
type Transport struct {
	cli    *mautrix.Client
	syncer *mautrix.DefaultSyncer
	db     *sql.DB
	ids    *ids
	crypto engine
	pacer  *pacer
	log    *slog.Logger
	cfg    Config

	batch batch // what the running sync's listeners collected

	mu     sync.Mutex
	loaded map[id.RoomID]bool // rooms whose state was fetched since the start
	texts  map[int64]string   // text of messages sent, for an edit that keeps it
}

// Open logs in (or checks the access token), keeps the device, and sets up
// encryption. Close releases the database.
func Open(ctx context.Context, cfg Config) (*Transport, error) {
	if cfg.HomeserverURL == "" || cfg.UserID == "" || (cfg.AccessToken == "" && cfg.Password == "") {
		return nil, errors.New("matrix: MATRIX_HOMESERVER_URL, MATRIX_USER_ID and MATRIX_ACCESS_TOKEN or MATRIX_PASSWORD are needed")
	}
	if len(cfg.PickleKey) == 0 {
		return nil, errors.New("matrix: a key to encrypt the bot's encryption keys at rest is needed")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	if cfg.SyncTimeout <= 0 {
		cfg.SyncTimeout = 30 * time.Second
	}
	pgcfg, err := pgx.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("matrix: parse DATABASE_URL: %w", err)
	}
	db := stdlib.OpenDB(*pgcfg)
	t, err := open(ctx, cfg, db, log)
	if err != nil {
		if cerr := db.Close(); cerr != nil {
			log.Warn("matrix: close database", "err", cerr)
		}
		return nil, err
	}
	return t, nil
}

func open(ctx context.Context, cfg Config, db *sql.DB, log *slog.Logger) (*Transport, error) {
	user := id.UserID(cfg.UserID)
	cli, err := mautrix.NewClient(cfg.HomeserverURL, user, cfg.AccessToken)
	if err != nil {
		return nil, fmt.Errorf("matrix: client: %w", err)
	}
	zlog := zerolog.New(slogWriter{log}).Level(zerolog.WarnLevel).With().Str("component", "mautrix").Logger()
	cli.Log = zlog
	// The pacer retries (429 included): mautrix makes one attempt.
	cli.DefaultHTTPRetries = 0
	cli.IgnoreRateLimit = true
	ids := newIDs(db)

	device, _, err := ids.account(ctx, user)
	if err != nil {
		return nil, err
	}
	if cfg.AccessToken != "" {
		who, err := cli.Whoami(ctx)
		if err != nil {
			return nil, fmt.Errorf("matrix: check the access token: %w", err)
		}
		if who.UserID != user {
			return nil, fmt.Errorf("matrix: the access token is %s's, not %s's", who.UserID, user)
		}
		cli.DeviceID = who.DeviceID
	} else {
		_, err := cli.Login(ctx, &mautrix.ReqLogin{
			Type:                     mautrix.AuthTypePassword,
			Identifier:               mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: user.String()},
			Password:                 cfg.Password,
			DeviceID:                 device,
			InitialDeviceDisplayName: "Relais",
			StoreCredentials:         true,
		})
		if err != nil {
			return nil, fmt.Errorf("matrix: log in: %w", err)
		}
	}
	if device != "" && device != cli.DeviceID {
		log.WarnContext(ctx, "matrix: the session is on a new device: syncing afresh", "device", cli.DeviceID, "previous", device)
	}
	if err := ids.saveDevice(ctx, user, cli.DeviceID); err != nil {
		return nil, err
	}

	mdb, err := dbutil.NewWithDB(db, "pgx")
	if err != nil {
		return nil, fmt.Errorf("matrix: database: %w", err)
	}
	state := sqlstatestore.NewSQLStateStore(mdb, dbutil.ZeroLogger(zlog), false)
	if err := state.Upgrade(ctx); err != nil {
		return nil, fmt.Errorf("matrix state store: %w", err)
	}
	cli.StateStore = state
	syncer := mautrix.NewDefaultSyncer()
	syncer.ParseEventContent = true
	cli.Syncer = syncer
	t := &Transport{cli: cli, syncer: syncer, db: db, ids: ids, pacer: newPacer(cfg.Sender, log), log: log, cfg: cfg,
		loaded: map[id.RoomID]bool{}, texts: map[int64]string{}}

	t.crypto, err = newEngine(ctx, cli, mdb, cfg.PickleKey, zlog, log)
	if err != nil {
		return nil, err
	}
	// Order matters: the Olm machine sees to-device keys first, then the
	// state store, then our listeners, which decrypt with those keys.
	t.crypto.hook(syncer)
	syncer.OnEvent(cli.StateStoreSyncHandler)
	t.listen(syncer)
	if err := t.crypto.crossSign(ctx, cfg.Password); err != nil {
		// The bot works unverified: people see a grey shield, not an error.
		log.WarnContext(ctx, "matrix: the bot's device is not cross-signed", "err", err)
	}
	return t, nil
}

// Close releases the database connections.
func (t *Transport) Close() error {
	if err := t.db.Close(); err != nil {
		return fmt.Errorf("matrix: close database: %w", err)
	}
	return nil
}

// UserID is the bot's Matrix id; DeviceID its device.
func (t *Transport) UserID() string   { return t.cli.UserID.String() }
func (t *Transport) DeviceID() string { return t.cli.DeviceID.String() }

// Stats count what the transport sent.
func (t *Transport) Stats() Stats { return t.pacer.stats() }

// ChatOf is the local number of a Matrix room (given on first sight).
func (t *Transport) ChatOf(ctx context.Context, roomID string) (int64, error) {
	return t.ids.rooms.number(ctx, id.RoomID(roomID))
}

// RoomOf is the Matrix room of a local chat number.
func (t *Transport) RoomOf(ctx context.Context, chatID int64) (string, error) {
	r, err := t.ids.rooms.of(ctx, chatID)
	return r.String(), err
}

// PersonOf is the local number of a Matrix user (given on first sight).
func (t *Transport) PersonOf(ctx context.Context, userID string) (int64, error) {
	return t.ids.users.number(ctx, id.UserID(userID))
}

// UserOf is the Matrix user of a local person number.
func (t *Transport) UserOf(ctx context.Context, personID int64) (string, error) {
	u, err := t.ids.users.of(ctx, personID)
	return u.String(), err
}

// PurgeEvents forgets the numbers of the events handled or sent more than
// EventsKept before now (the daily purge): without it matrix_events grows
// by every message in and out, forever.
func (t *Transport) PurgeEvents(ctx context.Context, now time.Time) (int64, error) {
	return t.ids.purge(ctx, now.Add(-EventsKept))
}

// slogWriter passes mautrix's zerolog lines (warnings and errors, which
// carry ids and error texts, never message bodies) to slog.
type slogWriter struct{ log *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	w.log.Warn("matrix: mautrix", "line", strings.TrimSpace(string(p)))
	return len(p), nil
}

// isStatus reports an HTTP answer of the homeserver with that status.
func isStatus(err error, status int) bool {
	var h mautrix.HTTPError
	return errors.As(err, &h) && h.IsStatus(status)
}
