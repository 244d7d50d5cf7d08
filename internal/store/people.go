package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/territory"
)

// ErrDisableSelf refuses a user disabling their own account (they could not
// enable it back).
var ErrDisableSelf = errors.New("on ne peut pas désactiver son propre compte")

// Member is a registered user as /equipe and `relais user list` show them.
type Member struct {
	TelegramID ids.TelegramID
	// Linked is the account of the user's other messenger (0: none).
	Linked      ids.TelegramID
	Role        roles.Role
	DisplayName string
	// Departement and Structure: the mediator's post, or the coordinator's scope.
	Departement string
	Structure   string
	Level       territory.Level // coordinators only
	// Region is a coordinator's region (empty: national, or not a coordinator).
	Region     string
	Rural      bool
	MediatorID ids.MediatorID // 0 unless a mediator
	Identifier string         // the mediator post's identifier
	// LastActivity is the latest of: the bot last heard from the user
	// (Touch), their last sheet or action saved, their last review. Nil: never.
	LastActivity *time.Time
	DisabledAt   *time.Time
}

// Covers tells whether a place (département, structure; both empty for the
// region itself) lies inside the coordinator's scope. A national scope
// covers everything, a regional scope its region's départements, a
// département scope its département, a structure scope that structure only.
func (c Coordinator) Covers(departement, structure string) bool {
	switch c.Level {
	case territory.LevelNational:
		return true
	case territory.LevelRegion:
		if departement == "" {
			return true
		}
		d, ok := territory.FindDepartement(departement)
		return ok && d.Region == c.region()
	case territory.LevelDepartement:
		return departement != "" && departement == c.Departement
	case territory.LevelStructure:
		return departement != "" && departement == c.Departement && structure == c.Structure
	}
	return false
}

// region is the coordinator's region: rows from before regions were
// recorded belong to DefaultRegion.
func (c Coordinator) region() string {
	if c.Region == "" {
		return DefaultRegion
	}
	return c.Region
}

// territoryFilter is the SQL condition selecting the users (u, with m and c
// joined) inside scope, consistent with Covers. A region's people are its
// départements' mediators and coordinators, its regional coordinators, and
// the admins (who belong to no region, as before regions).
func territoryFilter(scope Coordinator) (string, []any, error) {
	dep := `COALESCE(m.departement, c.departement)`
	structure := `COALESCE(m.structure, c.structure)`
	switch scope.Level {
	case territory.LevelNational:
		return "TRUE", nil, nil
	case territory.LevelRegion:
		r, ok := territory.FindRegion(scope.region())
		if !ok {
			return "", nil, fmt.Errorf("unknown region %q", scope.Region)
		}
		var deps []string
		for _, d := range r.Departements() {
			deps = append(deps, d.Code)
		}
		return `(` + dep + ` = ANY($1) OR c.region = $2 OR (m.id IS NULL AND c.user_id IS NULL))`, []any{deps, r.Code}, nil
	case territory.LevelDepartement:
		if scope.Departement == "" {
			return "", nil, errors.New("departement scope without departement")
		}
		return dep + ` = $1`, []any{scope.Departement}, nil
	case territory.LevelStructure:
		if scope.Departement == "" || scope.Structure == "" {
			return "", nil, errors.New("structure scope without departement or structure")
		}
		return dep + ` = $1 AND ` + structure + ` = $2`, []any{scope.Departement, scope.Structure}, nil
	}
	return "", nil, fmt.Errorf("unknown scope %q", scope.Level)
}

// ListUsers lists the users of a territory (Coordinator{Level: territory.LevelNational} for
// everyone), enabled first, by département, structure, role and name.
func (s *Store) ListUsers(ctx context.Context, scope Coordinator) ([]Member, error) {
	cond, args, err := territoryFilter(scope)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	rows, err := s.db.Query(ctx, `
		SELECT u.telegram_id, COALESCE(a.account, 0), u.role, u.display_name,
		       COALESCE(m.departement, c.departement, ''), COALESCE(m.structure, c.structure, ''),
		       COALESCE(c.scope, ''), COALESCE(c.region, ''), COALESCE(m.rural, FALSE), COALESCE(m.id, 0), COALESCE(m.identifier, ''),
		       GREATEST(u.last_seen_at,
		                (SELECT max(created_at) FROM sheets WHERE mediator_id = m.id),
		                (SELECT max(created_at) FROM actions WHERE mediator_id = m.id),
		                (SELECT max(updated_at) FROM reviews WHERE mediator_id = m.id)),
		       u.disabled_at
		FROM users u
		LEFT JOIN mediators m ON m.user_id = u.telegram_id
		LEFT JOIN coordinators c ON c.user_id = u.telegram_id
		LEFT JOIN user_accounts a ON a.user_id = u.telegram_id
		WHERE `+cond+`
		ORDER BY u.disabled_at IS NOT NULL, 5, 6, u.role, u.display_name, u.telegram_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Member, error) {
		var m Member
		err := r.Scan(&m.TelegramID, &m.Linked, &m.Role, &m.DisplayName, &m.Departement, &m.Structure, &m.Level, &m.Region, &m.Rural,
			&m.MediatorID, &m.Identifier, &m.LastActivity, &m.DisabledAt)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// SetUserDisabled disables (or enables back) a user, audited with actor (nil:
// the command line). A disabled user is a stranger to the bot at once: no
// command, button, reminder nor digest; their records stay and stay counted.
// A mediator's post closes with the account (closed_at dates it, for the
// reports of past periods) and reopens with it; the
// invitations the user sent and that were not used yet are revoked. Setting the
// state a user already has changes nothing and writes no audit line.
// ErrNotFound: no such user.
func (s *Store) SetUserDisabled(ctx context.Context, telegramID ids.TelegramID, disabled bool, actor *ids.TelegramID) error {
	if disabled && actor != nil && *actor == telegramID {
		return ErrDisableSelf
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var was bool
		err := tx.QueryRow(ctx, `SELECT disabled_at IS NOT NULL FROM users WHERE telegram_id = $1 FOR UPDATE`, telegramID).Scan(&was)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if was == disabled {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET disabled_at = CASE WHEN $2 THEN now() END WHERE telegram_id = $1`, telegramID, disabled); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE mediators SET active = NOT $2, closed_at = CASE WHEN $2 THEN now() END WHERE user_id = $1`, telegramID, disabled); err != nil {
			return err
		}
		if !disabled {
			return audit(ctx, tx, AuditEntry{Actor: actor, Action: AuditEnable, Target: userTarget(telegramID)})
		}
		if err := audit(ctx, tx, AuditEntry{Actor: actor, Action: AuditDisable, Target: userTarget(telegramID)}); err != nil {
			return err
		}
		// A departed coordinator's links must not keep opening accounts:
		// their pending invitations go with their access (enabling them
		// back does not revive these).
		tag, err := tx.Exec(ctx, `UPDATE invitations SET revoked_at = now()
			WHERE created_by = $1 AND used_at IS NULL AND revoked_at IS NULL`, telegramID)
		if err != nil {
			return err
		}
		if n := tag.RowsAffected(); n > 0 {
			return audit(ctx, tx, AuditEntry{Actor: actor, Action: AuditInviteRevoke, Target: userTarget(telegramID),
				Detail: map[string]any{"revoked": n, "reason": "creator_disabled"}})
		}
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return err
	}
	if err != nil {
		return fmt.Errorf("set user disabled: %w", err)
	}
	return nil
}

// ErrPostDates: the end date of a post is before its start date.
var ErrPostDates = errors.New("post end before start")

// Post is a mediator post with its dates, for who sets them.
type Post struct {
	Identifier  string
	Departement string
	Structure   string
	Name        string // its mediator's display name, "" for a post without an account
}

// PostByIdentifier returns the post of a mediator identifier (MED-59-01),
// or the post of a mediator's Telegram id when identifier is "" .
// ErrNotFound: no such post.
func (s *Store) PostByIdentifier(ctx context.Context, identifier string, telegramID ids.TelegramID) (Post, error) {
	var p Post
	err := s.db.QueryRow(ctx, `
		SELECT m.identifier, m.departement, m.structure, COALESCE(u.display_name, '')
		FROM mediators m LEFT JOIN users u ON u.telegram_id = m.user_id
		WHERE ($1 <> '' AND m.identifier = $1) OR ($1 = '' AND m.user_id = $2)`, identifier, telegramID).
		Scan(&p.Identifier, &p.Departement, &p.Structure, &p.Name)
	if errors.Is(err, pgx.ErrNoRows) {
		return Post{}, ErrNotFound
	}
	if err != nil {
		return Post{}, fmt.Errorf("load post: %w", err)
	}
	return p, nil
}

// SetPostDates sets the start and end dates of the post identifier (nil:
// no date), audited with actor (nil: the command line). The report counts a
// post for a period when it was active during it (indicators.Definitions).
// ErrNotFound: no such post; ErrPostDates: the end is before the start.
func (s *Store) SetPostDates(ctx context.Context, identifier string, start, end *time.Time, actor *ids.TelegramID) error {
	if start != nil && end != nil && end.Before(*start) {
		return ErrPostDates
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE mediators SET post_start = $2, post_end = $3 WHERE identifier = $1`, identifier, start, end)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		detail := map[string]any{"start": nil, "end": nil}
		if start != nil {
			detail["start"] = start.Format(time.DateOnly)
		}
		if end != nil {
			detail["end"] = end.Format(time.DateOnly)
		}
		return audit(ctx, tx, AuditEntry{Actor: actor, Action: AuditPostDates, Target: "post:" + identifier, Detail: detail})
	})
	if errors.Is(err, ErrNotFound) {
		return err
	}
	if err != nil {
		return fmt.Errorf("set post dates: %w", err)
	}
	return nil
}

// TouchEvery is how often a user's last activity is written at most.
const TouchEvery = time.Hour

// NeedsTouch tells whether the last activity loaded with the user is old
// enough to be written again: callers skip the round trip otherwise.
func (u *User) NeedsTouch(now time.Time) bool {
	return u.LastSeen == nil || now.Sub(*u.LastSeen) >= TouchEvery
}

// NeedsTouchFrom is NeedsTouch, or the user writes from another chat than
// the one their scheduled messages go to (their other messenger).
func (u *User) NeedsTouchFrom(chat ids.ChatID, now time.Time) bool {
	return u.NeedsTouch(now) || u.ChatID != chat
}

// Touch records that the bot heard from the user in chat (last activity in
// /equipe), at most one write every TouchEvery per user, and at once when
// they write from another chat: the same write moves users.chat_id, so
// reminders and the digest go to the messenger the person last wrote from
// without a write of their own.
func (s *Store) Touch(ctx context.Context, telegramID ids.TelegramID, chat ids.ChatID, now time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE users SET last_seen_at = $2, chat_id = $4
		WHERE telegram_id = $1 AND (last_seen_at IS NULL OR last_seen_at <= $2::timestamptz - $3::interval OR chat_id <> $4)`,
		telegramID, now, TouchEvery, chat)
	if err != nil {
		return fmt.Errorf("touch user: %w", err)
	}
	return nil
}

// PendingInvitation is an invitation that can still be redeemed.
type PendingInvitation struct {
	ID          int64
	Role        roles.Role
	Departement string
	Structure   string
	Level       territory.Level
	Region      string // empty for a national coordinator
	Rural       bool
	CreatedAt   time.Time
	ExpiresAt   time.Time
	CreatedBy   *ids.TelegramID
}

// ListInvitations lists the invitations still redeemable at now (not used,
// not revoked, not expired), oldest first.
func (s *Store) ListInvitations(ctx context.Context, now time.Time) ([]PendingInvitation, error) {
	rows, err := s.db.Query(ctx, `
		SELECT id, role, COALESCE(departement, ''), COALESCE(structure, ''), COALESCE(scope, ''), COALESCE(region, ''), rural, created_at, expires_at, created_by
		FROM invitations
		WHERE used_at IS NULL AND revoked_at IS NULL AND expires_at >= $1
		ORDER BY created_at, id`, now)
	if err != nil {
		return nil, fmt.Errorf("list invitations: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (PendingInvitation, error) {
		var p PendingInvitation
		err := r.Scan(&p.ID, &p.Role, &p.Departement, &p.Structure, &p.Level, &p.Region, &p.Rural, &p.CreatedAt, &p.ExpiresAt, &p.CreatedBy)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("list invitations: %w", err)
	}
	return out, nil
}

// RevokeInvitation makes an invitation unusable, audited with actor (nil:
// the command line). ErrNotFound: no such invitation; ErrInvitationUsed:
// already redeemed (disable the user instead); ErrInvitationRevoked: already
// revoked.
func (s *Store) RevokeInvitation(ctx context.Context, id int64, actor *ids.TelegramID) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var used, revoked bool
		err := tx.QueryRow(ctx, `SELECT used_at IS NOT NULL, revoked_at IS NOT NULL FROM invitations WHERE id = $1 FOR UPDATE`, id).Scan(&used, &revoked)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return ErrNotFound
		case err != nil:
			return err
		case used:
			return ErrInvitationUsed
		case revoked:
			return ErrInvitationRevoked
		}
		if _, err := tx.Exec(ctx, `UPDATE invitations SET revoked_at = now() WHERE id = $1`, id); err != nil {
			return err
		}
		return audit(ctx, tx, AuditEntry{Actor: actor, Action: AuditInviteRevoke, Target: invitationTarget(id)})
	})
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvitationUsed) || errors.Is(err, ErrInvitationRevoked) {
		return err
	}
	if err != nil {
		return fmt.Errorf("revoke invitation: %w", err)
	}
	return nil
}
