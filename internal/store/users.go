package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relais-sante/relais/internal/frtext"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/orgname"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/territory"
)

// User is a registered person with what their role needs.
type User struct {
	// TelegramID is the account the person registered with (a Telegram id,
	// or a Matrix local number): their row's key, whichever messenger
	// they write from.
	TelegramID ids.TelegramID
	// Linked is the account of their other messenger, linked with /lier
	// (0: none).
	Linked ids.TelegramID
	// ChatID is the chat they last wrote from: reminders and the digest
	// go there.
	ChatID       ids.ChatID
	Role         roles.Role
	DisplayName  string
	ReminderHour int // -1: never chosen, RELAIS_REMINDER_HOUR applies
	Nudges       bool
	Digest       bool
	Mediator     *Mediator    // set for mediators
	Coordinator  *Coordinator // set for coordinators

	// Disabled: the user was disabled (SetUserDisabled). The bot treats a
	// disabled user as a stranger; their records stay.
	Disabled bool
	// LastSeen is when the bot last recorded hearing from the user (Touch);
	// nil: never.
	LastSeen *time.Time
	// Unreachable: Telegram said the user blocked the bot (MarkUnreachable);
	// scheduled messages skip them until they write again.
	Unreachable bool
}

// Mediator is a mediator post.
type Mediator struct {
	ID          ids.MediatorID
	Identifier  string
	Departement string
	Structure   string
	Rural       bool
	Active      bool
}

// Coordinator is what a coordinator may see: every served region (national), a region, one département or one structure.
type Coordinator struct {
	Level       territory.Level
	Region      string // INSEE code of the region the territory lies in; empty for a national scope
	Departement string
	Structure   string
}

// Invitation is what an admin grants; the code itself is only returned once.
type Invitation struct {
	Role        roles.Role
	Departement string
	Structure   string
	Rural       bool
	Level       territory.Level // coordinators only
	// Region is the INSEE code of the region the invitation is for (its
	// département, if any, must lie in it); empty: DefaultRegion.
	Region    string
	ExpiresAt time.Time
	// CreatedBy is the inviting Telegram user, nil from the command line
	// (kept on the invitation and in the audit trail).
	CreatedBy *ids.TelegramID
}

// Invitation refusals, each told apart to the user.
var (
	ErrInvitationUnknown = errors.New("invitation inconnue")
	ErrInvitationUsed    = errors.New("invitation déjà utilisée")
	ErrInvitationExpired = errors.New("invitation expirée")
	ErrInvitationRevoked = errors.New("invitation révoquée")
	// ErrInvitationCreatorDisabled: whoever created the invitation has lost
	// their access since.
	ErrInvitationCreatorDisabled = errors.New("invitation d'un utilisateur désactivé")
	ErrAlreadyRegistered         = errors.New("utilisateur déjà inscrit")
	ErrInvalidInvitation         = errors.New("invitation invalide")
	codeAlphabet                 = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
	mediatorIdentifierLen        = 6
)

// RandomCode returns n characters from an alphabet without look-alikes (0/O, 1/I/L).
func RandomCode(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b)
}

func hashCode(code string) string {
	h := sha256.Sum256([]byte(code))
	return hex.EncodeToString(h[:])
}

// CreateInvitation stores a single-use invitation and returns its code.
func (s *Store) CreateInvitation(ctx context.Context, inv Invitation) (string, error) {
	inv.Structure = strings.Join(strings.Fields(inv.Structure), " ")
	if err := inv.validate(); err != nil {
		return "", err
	}
	// Structure scopes compare names exactly: "ccas roubaix" joins the
	// "CCAS Roubaix" already known in the département instead of making a
	// second structure.
	if inv.Structure != "" {
		var known string
		err := s.db.QueryRow(ctx, `
			SELECT structure FROM (
				SELECT structure FROM mediators WHERE departement = $1
				UNION ALL SELECT structure FROM coordinators WHERE departement = $1
			) AS k WHERE lower(structure) = lower($2) ORDER BY structure = $2 DESC LIMIT 1`, inv.Departement, inv.Structure).Scan(&known)
		if err == nil {
			inv.Structure = known
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return "", fmt.Errorf("create invitation: %w", err)
		}
	}
	code := RandomCode(10)
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `
			INSERT INTO invitations (code_hash, role, departement, structure, rural, scope, expires_at, created_by, region)
			VALUES ($1, $2, NULLIF($3, ''), NULLIF($4, ''), $5, NULLIF($6, ''), $7, $8, NULLIF($9, '')) RETURNING id`,
			hashCode(code), inv.Role, inv.Departement, inv.Structure, inv.Rural, inv.Level, inv.ExpiresAt, inv.CreatedBy, inv.Region).Scan(&id)
		if err != nil {
			return err
		}
		return audit(ctx, tx, AuditEntry{Actor: inv.CreatedBy, Action: AuditInvite, Target: invitationTarget(id), Detail: map[string]any{
			"role": inv.Role, "departement": inv.Departement, "structure": inv.Structure, "scope": inv.Level, "region": inv.Region, "rural": inv.Rural,
		}})
	})
	if err != nil {
		return "", fmt.Errorf("create invitation: %w", err)
	}
	return code, nil
}

func (inv *Invitation) validate() error {
	bad := func(msg string) error { return fmt.Errorf("%w : %s", ErrInvalidInvitation, msg) }
	switch inv.Role {
	case roles.Mediator:
		if inv.Departement == "" {
			return bad("un médiateur a besoin de --departement")
		}
		inv.Level = ""
	case roles.Coordinator:
		switch inv.Level {
		case territory.LevelNational:
			if inv.Departement != "" || inv.Structure != "" || inv.Region != "" {
				return bad("la portée national couvre toutes les régions servies : ni --departement, ni --structure, ni --region")
			}
			return nil
		case territory.LevelRegion:
		case territory.LevelDepartement:
			if inv.Departement == "" {
				return bad("la portée departement a besoin de --departement")
			}
		case territory.LevelStructure:
			if inv.Departement == "" || inv.Structure == "" {
				return bad("la portée structure a besoin de --departement et --structure")
			}
		default:
			return bad("un coordinateur a besoin de --scope national|region|departement|structure")
		}
	case roles.Admin:
		inv.Level = ""
	default:
		return bad("le rôle doit être mediator, coordinator ou admin")
	}
	if err := orgname.Check(inv.Structure); err != nil {
		return bad(err.Error())
	}
	if inv.Region == "" {
		inv.Region = DefaultRegion
	}
	region, ok := territory.FindRegion(inv.Region)
	if !ok {
		return bad(fmt.Sprintf("la région « %s » est inconnue", inv.Region))
	}
	if inv.Departement != "" {
		if d, ok := territory.FindDepartement(inv.Departement); !ok || d.Region != region.Code {
			var codes []string
			for _, d := range region.Departements() {
				codes = append(codes, d.Code)
			}
			return bad("le département doit être " + frtext.OrList(codes))
		}
	}
	return nil
}

// DefaultRegion is the region of the rows written before regions were
// recorded (INSEE code 32, the Hauts-de-France).
const DefaultRegion = "32"

// RedeemInvitation registers a Telegram user with the invitation's role, in
// one transaction so a code can never serve twice.
func (s *Store) RedeemInvitation(ctx context.Context, code string, telegramID ids.TelegramID, chatID ids.ChatID, displayName string, now time.Time) (*User, error) {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var (
			id                    int64
			role                  roles.Role
			dep, structure, scope *string
			region                *string // nil for a national coordinator
			rural                 bool
			expires               time.Time
			usedAt, revokedAt     *time.Time
			creatorGone           bool
		)
		// Disabling the creator revokes the invitation in a transaction that
		// waits for this row lock: it either comes first (refused here) or
		// finds the invitation used.
		err := tx.QueryRow(ctx, `
			SELECT i.id, i.role, i.departement, i.structure, i.rural, i.scope, i.region, i.expires_at, i.used_at, i.revoked_at,
			       u.disabled_at IS NOT NULL
			FROM invitations i LEFT JOIN users u ON u.telegram_id = i.created_by
			WHERE i.code_hash = $1 FOR UPDATE OF i`, hashCode(code)).
			Scan(&id, &role, &dep, &structure, &rural, &scope, &region, &expires, &usedAt, &revokedAt, &creatorGone)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrInvitationUnknown
		}
		if err != nil {
			return err
		}
		if usedAt != nil {
			return ErrInvitationUsed
		}
		if revokedAt != nil {
			return ErrInvitationRevoked
		}
		if now.After(expires) {
			return ErrInvitationExpired
		}
		if creatorGone {
			return ErrInvitationCreatorDisabled
		}
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE telegram_id = $1)
			OR EXISTS (SELECT 1 FROM user_accounts WHERE account = $1)`, telegramID).Scan(&exists); err != nil {
			return err
		}
		if exists {
			return ErrAlreadyRegistered
		}
		if _, err := tx.Exec(ctx, `INSERT INTO users (telegram_id, role, display_name, chat_id) VALUES ($1, $2, $3, $4)`,
			telegramID, role, displayName, chatID); err != nil {
			return err
		}
		switch role {
		case roles.Mediator:
			if _, err := tx.Exec(ctx, `
				INSERT INTO mediators (identifier, user_id, departement, structure, rural)
				VALUES ($1, $2, $3, COALESCE($4, ''), $5)`,
				"M-"+RandomCode(mediatorIdentifierLen), telegramID, dep, structure, rural); err != nil {
				return err
			}
		case roles.Coordinator:
			if _, err := tx.Exec(ctx, `
				INSERT INTO coordinators (user_id, scope, departement, structure, region) VALUES ($1, $2, $3, $4, $5)`,
				telegramID, scope, dep, structure, region); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE invitations SET used_at = $2, used_by = $3 WHERE id = $1`, id, now, telegramID); err != nil {
			return err
		}
		return audit(ctx, tx, AuditEntry{Actor: &telegramID, Action: AuditRegister, Target: userTarget(telegramID),
			Detail: map[string]any{"invitation": id, "role": role}})
	})
	if err != nil {
		if errors.Is(err, ErrInvitationUnknown) || errors.Is(err, ErrInvitationUsed) || errors.Is(err, ErrInvitationExpired) ||
			errors.Is(err, ErrInvitationRevoked) || errors.Is(err, ErrAlreadyRegistered) || errors.Is(err, ErrInvitationCreatorDisabled) {
			return nil, err
		}
		return nil, fmt.Errorf("redeem invitation: %w", err)
	}
	return s.UserByTelegramID(ctx, telegramID)
}

// UserByTelegramID loads a registered user by either of their accounts (the
// one they registered with, or the one they linked), or ErrNotFound. A
// disabled user is returned with Disabled set: the caller must treat them
// as a stranger.
func (s *Store) UserByTelegramID(ctx context.Context, telegramID ids.TelegramID) (*User, error) {
	u := &User{}
	var (
		medID                       *ids.MediatorID
		medIdent, medDep, medStruct *string
		medRural, medActive         *bool
		coDep, coStruct, coRegion   *string
		coLevel                     *territory.Level
	)
	err := s.db.QueryRow(ctx, `
		SELECT u.telegram_id, COALESCE(a.account, 0), u.chat_id, u.role, u.display_name, COALESCE(u.reminder_hour, -1), u.nudges, u.digest,
		       u.disabled_at IS NOT NULL, u.last_seen_at, u.unreachable_since IS NOT NULL, m.id, m.identifier, m.departement, m.structure, m.rural, m.active,
		       c.scope, c.departement, c.structure, c.region
		FROM users u
		LEFT JOIN mediators m ON m.user_id = u.telegram_id
		LEFT JOIN coordinators c ON c.user_id = u.telegram_id
		LEFT JOIN user_accounts a ON a.user_id = u.telegram_id
		WHERE u.telegram_id = COALESCE((SELECT user_id FROM user_accounts WHERE account = $1), $1)`, telegramID).
		Scan(&u.TelegramID, &u.Linked, &u.ChatID, &u.Role, &u.DisplayName, &u.ReminderHour, &u.Nudges, &u.Digest,
			&u.Disabled, &u.LastSeen, &u.Unreachable, &medID, &medIdent, &medDep, &medStruct, &medRural, &medActive, &coLevel, &coDep, &coStruct, &coRegion)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load user: %w", err)
	}
	if medID != nil {
		u.Mediator = &Mediator{ID: *medID, Identifier: *medIdent, Departement: *medDep, Structure: *medStruct, Rural: *medRural, Active: *medActive}
	}
	if coLevel != nil {
		u.Coordinator = &Coordinator{Level: *coLevel, Region: deref(coRegion), Departement: deref(coDep), Structure: deref(coStruct)}
	}
	return u, nil
}

// SetUserPreferences stores the reminder hour and the nudge and digest switches.
func (s *Store) SetUserPreferences(ctx context.Context, telegramID ids.TelegramID, reminderHour int, nudges, digest bool) error {
	_, err := s.db.Exec(ctx, `UPDATE users SET reminder_hour = $2, nudges = $3, digest = $4 WHERE telegram_id = $1`,
		telegramID, reminderHour, nudges, digest)
	if err != nil {
		return fmt.Errorf("set preferences: %w", err)
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// SetDigest turns the Monday digest on or off.
func (s *Store) SetDigest(ctx context.Context, telegramID ids.TelegramID, on bool) error {
	if _, err := s.db.Exec(ctx, `UPDATE users SET digest = $2 WHERE telegram_id = $1`, telegramID, on); err != nil {
		return fmt.Errorf("set digest: %w", err)
	}
	return nil
}
