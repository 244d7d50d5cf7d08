package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relais-sante/relais/internal/frtext"
	"github.com/relais-sante/relais/internal/ids"
)

// Audit actions: what the data-protection officer can ask about.
const (
	AuditRegister      = "register"        // an invitation was redeemed
	AuditInvite        = "invite"          // an invitation was created
	AuditInviteRevoke  = "invite_revoke"   // an invitation was revoked
	AuditDisable       = "user_disable"    // a user lost access
	AuditEnable        = "user_enable"     // a user got access back
	AuditPostDates     = "post_dates"      // a post's start or end date changed
	AuditExport        = "export"          // a file of figures or rows left Relais
	AuditForget        = "forget"          // one beneficiary erased (RGPD request)
	AuditAccess        = "access"          // one beneficiary's data printed (RGPD request)
	AuditPurge         = "purge"           // the retention purge ran
	AuditRefused       = "refused"         // a forged or forbidden command or button
	AuditDisabledTried = "disabled_tried"  // a disabled user wrote to the bot
	AuditStatusUndone  = "status_undone"   // a mediator reopened a request closed by mistake
	AuditSheetEdit     = "sheet_edit"      // a mediator corrected one of their saved sheets
	AuditImport        = "import"          // a tracking file was imported (relais import)
	AuditStartRefused  = "start_refused"   // an invitation code was refused at /start
	AuditReviewDate    = "review_deadline" // the annual review's deadline moved (/datebilan)
	AuditLink          = "account_link"    // a person linked their other messenger's account (/lier)
)

// AuditEntry is one line of the audit trail. Detail holds parameters
// (role, scope, counts), never a message's contents nor a beneficiary code.
type AuditEntry struct {
	ID     int64
	At     time.Time       // zero: now()
	Actor  *ids.TelegramID // Telegram id; nil: the command line or a scheduled job
	Action string
	Target string // "user:42", "invitation:7", "beneficiary:hmac-sha256:…", a scope key
	Detail map[string]any
	// Operator is the login of who ran the command line (WithOperator);
	// "" for the bot (Actor says who) and the scheduled jobs.
	Operator string
}

type operatorKey struct{}

// WithOperator marks ctx as the command line run by operator: every audit
// line written with it names them, without each store method taking one
// more argument.
func WithOperator(ctx context.Context, operator string) context.Context {
	return context.WithValue(ctx, operatorKey{}, operator)
}

func operatorOf(ctx context.Context) string {
	op, _ := ctx.Value(operatorKey{}).(string)
	return op
}

type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

func audit(ctx context.Context, db execer, e AuditEntry) error {
	var at *time.Time
	if !e.At.IsZero() {
		at = &e.At
	}
	detail := e.Detail
	if detail == nil {
		detail = map[string]any{}
	}
	if e.Operator == "" && e.Actor == nil {
		e.Operator = operatorOf(ctx)
	}
	_, err := db.Exec(ctx, `INSERT INTO audit (at, actor, action, target, detail, operator) VALUES (COALESCE($1, now()), $2, $3, $4, $5, NULLIF($6, ''))`,
		at, e.Actor, e.Action, e.Target, detail, e.Operator)
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// Audit writes one line of the audit trail.
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
	return audit(ctx, s.db, e)
}

// AuditSince lists the audit trail from since on, oldest first.
func (s *Store) AuditSince(ctx context.Context, since time.Time) ([]AuditEntry, error) {
	rows, err := s.db.Query(ctx, `SELECT id, at, actor, action, target, detail, COALESCE(operator, '') FROM audit WHERE at >= $1 ORDER BY at, id`, since)
	if err != nil {
		return nil, fmt.Errorf("audit since: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AuditEntry, error) {
		var e AuditEntry
		err := r.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Target, &e.Detail, &e.Operator)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("audit since: %w", err)
	}
	return out, nil
}

func userTarget(telegramID ids.TelegramID) string {
	return "user:" + strconv.FormatInt(int64(telegramID), 10)
}

func invitationTarget(id int64) string { return "invitation:" + strconv.FormatInt(id, 10) }

// BeneficiaryTarget names an erased beneficiary in the audit trail by a
// keyed fingerprint of the code: the DPO can check a request was handled
// ("was CODE erased?") without the trail keeping the code itself, nor a
// plain hash that trying the 31^6 codes would reverse.
func (s *Store) BeneficiaryTarget(code string) string {
	return "beneficiary:hmac-sha256:" + s.codeFingerprint(code)
}

// codeFingerprint is HMAC-SHA256 of the code under the audit key, in hex.
// The code is read as the bot reads it (trimmed, upper case), so a request
// for a stored code and for an unknown one, in any case, give the same.
func (s *Store) codeFingerprint(code string) string {
	m := hmac.New(sha256.New, s.auditKey)
	m.Write([]byte("relais-forget:" + strings.ToUpper(strings.TrimSpace(code))))
	return hex.EncodeToString(m.Sum(nil))
}

// CodeFingerprint is codeFingerprint for the bulk import, which refuses
// the codes erased at the person's request.
func (s *Store) CodeFingerprint(code string) string { return s.codeFingerprint(code) }

// keyCheck is the audit key's check value: an HMAC of a constant, which
// tells two keys apart without revealing either.
func (s *Store) keyCheck() string {
	m := hmac.New(sha256.New, s.auditKey)
	m.Write([]byte("relais-audit-key-check"))
	return hex.EncodeToString(m.Sum(nil))
}

// AuditKeyChangedError refuses a store opened with another key than the
// forgotten codes' (RELAIS_AUDIT_KEY set, removed or changed since they
// were erased): their fingerprints would no longer match, and every
// erased person could be saved again.
type AuditKeyChangedError struct{ Codes int }

func (e *AuditKeyChangedError) Error() string {
	return "RELAIS_AUDIT_KEY : cette clé n'est pas celle des codes effacés à la demande des personnes (" + frtext.Plural(e.Codes, "code", "codes") + ") ; " +
		"avec elle, ces personnes pourraient être enregistrées à nouveau. Remettez la clé avec laquelle ils ont été effacés " +
		"(sans RELAIS_AUDIT_KEY : la clé générée dans la base)"
}

// checkForgottenKey refuses (AuditKeyChangedError) a key other than the one
// the forgotten codes were fingerprinted with. Codes erased before their
// key was recorded are taken as made with this one.
func (s *Store) checkForgottenKey(ctx context.Context) error {
	check := s.keyCheck()
	if _, err := s.db.Exec(ctx, `UPDATE forgotten_codes SET key_check = $1 WHERE key_check IS NULL`, check); err != nil {
		return fmt.Errorf("check audit key: %w", err)
	}
	var other int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM forgotten_codes WHERE key_check <> $1`, check).Scan(&other); err != nil {
		return fmt.Errorf("check audit key: %w", err)
	}
	if other > 0 {
		return &AuditKeyChangedError{Codes: other}
	}
	return nil
}

// databaseAuditKey reads the key generated into the database, generating it
// at the first start. Replicas starting together race to insert theirs; the
// first wins and all read that one.
func databaseAuditKey(ctx context.Context, db *pgxpool.Pool) ([]byte, error) {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("generate audit key: %w", err)
	}
	if _, err := db.Exec(ctx, `INSERT INTO audit_key (key) VALUES ($1) ON CONFLICT (id) DO NOTHING`, fresh); err != nil {
		return nil, fmt.Errorf("store audit key: %w", err)
	}
	var key []byte
	if err := db.QueryRow(ctx, `SELECT key FROM audit_key`).Scan(&key); err != nil {
		return nil, fmt.Errorf("read audit key: %w", err)
	}
	return key, nil
}
