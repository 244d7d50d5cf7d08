package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relais-sante/relais/internal/ids"
)

// LinkCodeTTL is how long a code of /lier may be typed on the other
// messenger: the time to open it, short enough that a code seen over a
// shoulder is soon worth nothing.
const LinkCodeTTL = 15 * time.Minute

// linkCodeLen: 31⁸ codes, of which a chat may try 5 an hour (the bot's
// /start limit) during the quarter of an hour one lives.
const linkCodeLen = 8

// Refusals of a link code, each told apart to the person.
var (
	ErrLinkUnknown  = errors.New("code de liaison inconnu")
	ErrLinkUsed     = errors.New("code de liaison déjà utilisé")
	ErrLinkExpired  = errors.New("code de liaison expiré")
	ErrLinkDisabled = errors.New("compte désactivé")
	// ErrLinkSelf: the account is already one of the code's user's.
	ErrLinkSelf = errors.New("compte déjà relié à cet utilisateur")
	// ErrLinkTaken: the account is registered as someone else.
	ErrLinkTaken = errors.New("compte déjà inscrit pour un autre utilisateur")
	// ErrLinkSameMessenger: the code was typed on the messenger of the
	// account the user registered with (a person has one account on each).
	ErrLinkSameMessenger = errors.New("code de liaison tapé sur la même messagerie")
	// ErrLinkAlreadyLinked: the user has linked an account on the other
	// messenger already.
	ErrLinkAlreadyLinked = errors.New("utilisateur déjà relié à une autre messagerie")
)

// CreateLinkCode gives user a one-use code, valid LinkCodeTTL from now, that
// links the account which types it on the other messenger (RedeemLinkCode).
// It replaces the user's previous code, used or not: one row per user.
func (s *Store) CreateLinkCode(ctx context.Context, user ids.TelegramID, now time.Time) (string, error) {
	code := RandomCode(linkCodeLen)
	_, err := s.db.Exec(ctx, `
		INSERT INTO link_codes (user_id, code_hash, expires_at) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET code_hash = EXCLUDED.code_hash, expires_at = EXCLUDED.expires_at, used_at = NULL, used_by = NULL`,
		user, hashCode(code), now.Add(LinkCodeTTL))
	if err != nil {
		return "", fmt.Errorf("create link code: %w", err)
	}
	return code, nil
}

// RedeemLinkCode links account (a Telegram id or a Matrix local number,
// writing from chat) to the user who asked for code, in one transaction so
// a code serves once, and makes chat the one their reminders go to (they
// write from it now). The user keeps their row, role, territory and post:
// only the account is added. ErrLinkUnknown when no code matches (the
// caller may try it as an invitation); the other Err* refusals otherwise.
func (s *Store) RedeemLinkCode(ctx context.Context, code string, account ids.TelegramID, chat ids.ChatID, now time.Time) (*User, error) {
	var user ids.TelegramID
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var (
			expires  time.Time
			used     bool
			disabled bool
			linked   bool
		)
		// The row lock makes a second redemption wait, then find it used.
		err := tx.QueryRow(ctx, `
			SELECT l.user_id, l.expires_at, l.used_at IS NOT NULL, u.disabled_at IS NOT NULL,
			       EXISTS (SELECT 1 FROM user_accounts a WHERE a.user_id = l.user_id)
			FROM link_codes l JOIN users u ON u.telegram_id = l.user_id
			WHERE l.code_hash = $1 FOR UPDATE OF l`, hashCode(code)).Scan(&user, &expires, &used, &disabled, &linked)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrLinkUnknown
		}
		if err != nil {
			return err
		}
		var owner *ids.TelegramID
		if err := tx.QueryRow(ctx, `
			SELECT COALESCE((SELECT user_id FROM user_accounts WHERE account = $1), (SELECT telegram_id FROM users WHERE telegram_id = $1))`,
			account).Scan(&owner); err != nil {
			return err
		}
		switch {
		case owner != nil && *owner == user:
			return ErrLinkSelf
		case owner != nil:
			return ErrLinkTaken
		case used:
			return ErrLinkUsed
		case now.After(expires):
			return ErrLinkExpired
		case disabled:
			return ErrLinkDisabled
		case account.OnMatrix() == user.OnMatrix():
			return ErrLinkSameMessenger
		case linked:
			return ErrLinkAlreadyLinked
		}
		if _, err := tx.Exec(ctx, `INSERT INTO user_accounts (account, user_id) VALUES ($1, $2)`, account, user); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE link_codes SET used_at = $2, used_by = $3 WHERE user_id = $1`, user, now, account); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET chat_id = $2, last_seen_at = $3 WHERE telegram_id = $1`, user, chat, now); err != nil {
			return err
		}
		return audit(ctx, tx, AuditEntry{Actor: &user, Action: AuditLink, Target: userTarget(user),
			Detail: map[string]any{"messenger": messengerOf(account)}})
	})
	if err != nil {
		for _, refusal := range []error{ErrLinkUnknown, ErrLinkUsed, ErrLinkExpired, ErrLinkDisabled, ErrLinkSelf, ErrLinkTaken,
			ErrLinkSameMessenger, ErrLinkAlreadyLinked} {
			if errors.Is(err, refusal) {
				return nil, err
			}
		}
		return nil, fmt.Errorf("redeem link code: %w", err)
	}
	return s.UserByTelegramID(ctx, user)
}

// messengerOf names an account's messenger in the audit trail.
func messengerOf(account ids.TelegramID) string {
	if account.OnMatrix() {
		return "matrix"
	}
	return "telegram"
}
