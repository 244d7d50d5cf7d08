//go:build goolm

package matrix

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/rs/zerolog"
	"go.mau.fi/util/dbutil"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/crypto"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// E2EEAvailable says whether this build can encrypt: Relais is built with
// the goolm tag (mautrix's pure-Go Olm, no cgo).
const E2EEAvailable = true

// olmEngine is the bot's end-to-end encryption: one Olm account (its
// device's keys) and its Megolm sessions, kept in PostgreSQL by mautrix's
// SQL crypto store. It replaces mautrix's cryptohelper, which would link
// SQLite (cgo) in, and decrypts inside the sync batch so that an event is
// handled before the sync position moves.
type olmEngine struct {
	cli   *mautrix.Client
	mach  *crypto.OlmMachine
	store *crypto.SQLCryptoStore
	log   *slog.Logger
}

// sessionWait is how long a message whose room key has not arrived yet
// waits for it (the key travels as a to-device event, usually in the same
// sync).
const sessionWait = 5 * time.Second

func newEngine(ctx context.Context, cli *mautrix.Client, db *dbutil.Database, pickleKey []byte, zlog zerolog.Logger, log *slog.Logger) (engine, error) {
	store := crypto.NewSQLCryptoStore(db, dbutil.ZeroLogger(zlog), cli.UserID.String(), cli.DeviceID, pickleKey)
	if err := store.DB.Upgrade(ctx); err != nil {
		return nil, fmt.Errorf("matrix crypto store: %w", err)
	}
	stored, err := store.FindDeviceID(ctx)
	if err != nil {
		return nil, fmt.Errorf("matrix crypto store: device: %w", err)
	}
	if stored != "" && stored != cli.DeviceID {
		return nil, fmt.Errorf("matrix: the encryption keys in the database belong to device %s, the session is device %s: use the same device (or its access token)", stored, cli.DeviceID)
	}
	stateStore, ok := cli.StateStore.(crypto.StateStore)
	if !ok {
		return nil, errors.New("matrix: the state store cannot serve encryption")
	}
	mach := crypto.NewOlmMachine(cli, &zlog, store, stateStore)
	if err := mach.Load(ctx); err != nil {
		return nil, fmt.Errorf("matrix: load the Olm account: %w", err)
	}
	e := &olmEngine{cli: cli, mach: mach, store: store, log: log}
	if err := e.publishDeviceKeys(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

// publishDeviceKeys uploads the device's keys the first time, and checks on
// later starts that the server still has the same ones.
func (e *olmEngine) publishDeviceKeys(ctx context.Context) error {
	resp, err := e.cli.QueryKeys(ctx, &mautrix.ReqQueryKeys{
		DeviceKeys: map[id.UserID]mautrix.DeviceIDList{e.cli.UserID: {e.cli.DeviceID}},
	})
	if err != nil {
		return fmt.Errorf("matrix: query the device's keys: %w", err)
	}
	own := e.mach.OwnIdentity()
	shared := e.mach.GetAccount().Shared
	device, ok := resp.DeviceKeys[e.cli.UserID][e.cli.DeviceID]
	switch {
	case !ok || len(device.Keys) == 0:
		if shared {
			return errors.New("matrix: the device's keys disappeared from the homeserver")
		}
		if err := e.mach.ShareKeys(ctx, -1); err != nil {
			return fmt.Errorf("matrix: upload the device's keys: %w", err)
		}
	case !shared:
		return errors.New("matrix: the homeserver has keys for this device that the database does not: log in on a new device")
	case device.Keys.GetEd25519(e.cli.DeviceID) != own.SigningKey:
		return errors.New("matrix: the homeserver's identity key for this device differs from the database's")
	}
	return nil
}

// hook registers what the Olm machine must see of every sync: to-device
// messages (room keys), device lists, one-time key counts, members.
func (e *olmEngine) hook(s mautrix.ExtensibleSyncer) {
	s.OnSync(e.mach.ProcessSyncResponse)
	s.OnEventType(event.StateMember, e.mach.HandleMemberEvent)
	s.OnEventType(event.StateHistoryVisibility, e.mach.HandleHistoryVisibility)
}

// encrypt encrypts content for the room's members, sharing a new Megolm
// session with their devices when needed.
func (e *olmEngine) encrypt(ctx context.Context, room id.RoomID, t event.Type, content any) (*event.EncryptedEventContent, error) {
	enc, err := e.mach.EncryptMegolmEvent(ctx, room, t, content)
	if err == nil {
		return enc, nil
	}
	if !errors.Is(err, crypto.ErrSessionExpired) && !errors.Is(err, crypto.ErrNoGroupSession) && !errors.Is(err, crypto.ErrSessionNotShared) {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	users, err := e.cli.StateStore.GetRoomJoinedOrInvitedMembers(ctx, room)
	if err != nil {
		return nil, fmt.Errorf("encrypt: room members: %w", err)
	}
	if err := e.mach.ShareGroupSession(ctx, room, users); err != nil {
		return nil, fmt.Errorf("encrypt: share the room key: %w", err)
	}
	enc, err = e.mach.EncryptMegolmEvent(ctx, room, t, content)
	if err != nil {
		return nil, fmt.Errorf("encrypt after sharing the room key: %w", err)
	}
	return enc, nil
}

// decrypt decrypts an m.room.encrypted event, waiting sessionWait for its
// room key if it has not arrived, then asking the sender's devices for it.
func (e *olmEngine) decrypt(ctx context.Context, evt *event.Event) (*event.Event, error) {
	out, err := e.mach.DecryptMegolmEvent(ctx, evt)
	if !errors.Is(err, crypto.ErrNoSessionFound) {
		return out, err
	}
	content := evt.Content.AsEncrypted()
	if !e.mach.WaitForSession(ctx, evt.RoomID, content.SenderKey, content.SessionID, sessionWait) {
		if rerr := e.mach.SendRoomKeyRequest(ctx, evt.RoomID, content.SenderKey, content.SessionID, "", map[id.UserID][]id.DeviceID{evt.Sender: {"*"}}); rerr != nil {
			e.log.WarnContext(ctx, "matrix: room key request failed", "room", evt.RoomID, "err", rerr)
		}
		return nil, err
	}
	return e.mach.DecryptMegolmEvent(ctx, evt)
}

// crossSign makes the bot's device verified for the people who trust the
// bot's account: the first time, it generates the account's cross-signing
// keys, publishes them (the homeserver asks for the password) and signs the
// device with them. The private keys are not kept: the bot keeps its
// device, so it never has to sign another one.
func (e *olmEngine) crossSign(ctx context.Context, password string) error {
	user := e.cli.UserID
	resp, err := e.cli.QueryKeys(ctx, &mautrix.ReqQueryKeys{DeviceKeys: map[id.UserID]mautrix.DeviceIDList{user: {}}})
	if err != nil {
		return fmt.Errorf("cross-signing: query the account's keys: %w", err)
	}
	if _, ok := resp.MasterKeys[user]; ok {
		ssk := resp.SelfSigningKeys[user]
		device := resp.DeviceKeys[user][e.cli.DeviceID]
		if key := ssk.FirstKey(); key != "" && device.Signatures[user][id.NewKeyID(id.KeyAlgorithmEd25519, key.String())] != "" {
			return nil
		}
		return errors.New("the account has cross-signing keys that did not sign this device: verify the bot's device from another session")
	}
	if password == "" {
		return errors.New("publishing cross-signing keys needs the account's password (MATRIX_PASSWORD)")
	}
	cache, err := e.mach.GenerateCrossSigningKeys()
	if err != nil {
		return fmt.Errorf("generate cross-signing keys: %w", err)
	}
	err = e.mach.PublishCrossSigningKeys(ctx, cache, func(ui *mautrix.RespUserInteractive) any {
		return &mautrix.ReqUIAuthLogin{
			BaseAuthData: mautrix.BaseAuthData{Type: mautrix.AuthTypePassword, Session: ui.Session},
			User:         e.cli.UserID.String(),
			Password:     password,
		}
	})
	if err != nil {
		return fmt.Errorf("publish cross-signing keys: %w", err)
	}
	if err := e.mach.SignOwnDevice(ctx, e.mach.OwnIdentity()); err != nil {
		return fmt.Errorf("sign the device: %w", err)
	}
	if err := e.mach.SignOwnMasterKey(ctx); err != nil {
		return fmt.Errorf("sign the master key: %w", err)
	}
	return nil
}
