package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relais-sante/relais/internal/ids"
)

// PurgeCounts says what a purge removed (or, dry run, would remove).
type PurgeCounts struct {
	Sheets        int64 // accompaniment sheets dated before the cutoff, with their notes
	Requests      int64 // their rights and care requests
	Beneficiaries int64 // pseudonymous people left without any sheet
	Actions       int64 // collective actions dated before the cutoff
	ReviewAnswers int64 // annual reviews of years before the cutoff's year whose open answers were blanked
	JobRuns       int64 // records of reminders and digests sent
	JobExecutions int64 // records of the scheduled jobs' executions (job_executions)
	Exports       int64 // exports log lines
	Invitations   int64 // invitations expired before the cutoff
	Users         int64 // accounts disabled before the cutoff
	Audit         int64 // audit lines
}

// Total is the number of rows deleted or blanked.
func (c PurgeCounts) Total() int64 {
	return c.Sheets + c.Requests + c.Beneficiaries + c.Actions + c.ReviewAnswers + c.JobRuns + c.JobExecutions + c.Exports + c.Invitations + c.Users + c.Audit
}

// Purge deletes or anonymises what is older than before (the retention
// cutoff, midnight local time): what is dated the cutoff day or later stays.
// Sheets, requests and actions go by their date; annual reviews of the years
// ended before the cutoff keep their yes/no and number answers but lose
// their open answers; people without any sheet left go; the exports log,
// the reminder records, the job executions, the audit trail, expired
// invitations and accounts disabled go by their time stamp. Everything happens in one transaction; a
// dry run rolls it back, so its counts are exactly what a purge would
// remove. A real purge writes one audit line with its counts.
func (s *Store) Purge(ctx context.Context, before time.Time, dryRun bool) (PurgeCounts, error) {
	var c PurgeCounts
	day := before.Format("2006-01-02")
	steps := []struct {
		n   *int64
		sql string
		arg any
	}{
		{&c.Requests, `DELETE FROM requests WHERE sheet_id IN (SELECT id FROM sheets WHERE date < $1::date)`, day},
		{&c.Sheets, `DELETE FROM sheets WHERE date < $1::date`, day},
		{&c.Beneficiaries, `DELETE FROM beneficiaries b WHERE COALESCE(b.last_seen, b.created_at::date) < $1::date
			AND NOT EXISTS (SELECT 1 FROM sheets s WHERE s.beneficiary_id = b.id)`, day},
		{&c.Actions, `DELETE FROM actions WHERE date < $1::date`, day},
		{&c.ReviewAnswers, `UPDATE reviews SET helped = '', hindered = '', improve = ''
			WHERE year < extract(year FROM $1::date) AND (helped <> '' OR hindered <> '' OR improve <> '')`, day},
		{&c.JobRuns, `DELETE FROM job_runs WHERE ran_at < $1`, before},
		{&c.JobExecutions, `DELETE FROM job_executions WHERE started_at < $1`, before},
		{&c.Exports, `DELETE FROM exports WHERE at < $1`, before},
		{&c.Invitations, `DELETE FROM invitations WHERE expires_at < $1`, before},
		{&c.Users, `DELETE FROM users WHERE disabled_at < $1`, before},
		{&c.Audit, `DELETE FROM audit WHERE at < $1`, before},
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		for _, st := range steps {
			tag, err := tx.Exec(ctx, st.sql, st.arg)
			if err != nil {
				return err
			}
			*st.n = tag.RowsAffected()
		}
		if dryRun {
			return errDryRun
		}
		return audit(ctx, tx, AuditEntry{Action: AuditPurge, Target: "before:" + day, Detail: c.detail()})
	})
	if errors.Is(err, errDryRun) {
		return c, nil
	}
	if err != nil {
		return PurgeCounts{}, fmt.Errorf("purge: %w", err)
	}
	return c, nil
}

func (c PurgeCounts) detail() map[string]any {
	return map[string]any{
		"sheets": c.Sheets, "requests": c.Requests, "beneficiaries": c.Beneficiaries, "actions": c.Actions,
		"review_answers": c.ReviewAnswers, "job_runs": c.JobRuns, "job_executions": c.JobExecutions, "exports": c.Exports,
		"invitations": c.Invitations, "users": c.Users, "audit": c.Audit,
	}
}

// ForgetCounts says what erasing one beneficiary removed.
type ForgetCounts struct {
	Sheets   int64
	Requests int64
	Mentions int64 // other free texts (notes, action titles, partner names, review answers) where the code was blanked out
	Drafts   int64 // forms in progress naming the code, erased by the caller (Redis)
}

// ErrBeneficiaryForgotten refuses to save a code erased at the person's
// request (Forget): a draft or a retry would otherwise bring them back.
var ErrBeneficiaryForgotten = errors.New("beneficiary erased at their request")

// mentionPattern matches code in any case, in PostgreSQL's regular
// expressions, between two characters that cannot extend a code: "zqx7k2",
// "Zqx7K2", "dossier_zqx7k2" and "éZQX7K2" are mentions of ZQX7K2,
// "XZQX7K2" is another code. The bot's codes are ASCII letters and digits,
// so only those extend one, whatever the database's locale calls a letter.
func mentionPattern(code string) string {
	return `(?<![A-Za-z0-9])` + regexp.QuoteMeta(code) + `(?![A-Za-z0-9])`
}

// mentionUpdates blank out the code ($1, a mentionPattern) in every free
// text a mediator types (dialogs/*.yaml, type: text): a sheet's note, an
// action's title, a partner's name, the annual review's three answers. A
// partner renamed like another of the same mediator gets its number
// appended, names being unique per mediator.
var mentionUpdates = []string{
	`UPDATE sheets SET note = regexp_replace(note, $1, '[effacé]', 'gi') WHERE note ~* $1`,
	`UPDATE actions SET title = regexp_replace(title, $1, '[effacé]', 'gi') WHERE title ~* $1`,
	`UPDATE reviews SET helped = regexp_replace(helped, $1, '[effacé]', 'gi'), hindered = regexp_replace(hindered, $1, '[effacé]', 'gi'),
	        improve = regexp_replace(improve, $1, '[effacé]', 'gi')
	 WHERE helped ~* $1 OR hindered ~* $1 OR improve ~* $1`,
	`UPDATE partners p SET name = x.name FROM (
	     SELECT r.id, CASE WHEN count(*) OVER (PARTITION BY r.mediator_id, r.name) > 1
	                         OR EXISTS (SELECT FROM partners q WHERE q.mediator_id = r.mediator_id AND q.name = r.name)
	                       THEN r.name || ' (' || r.id || ')' ELSE r.name END AS name
	     FROM (SELECT id, mediator_id, regexp_replace(name, $1, '[effacé]', 'gi') AS name FROM partners WHERE name ~* $1) r
	 ) x WHERE p.id = x.id`,
}

// Forget erases one beneficiary everywhere Relais keeps them (an RGPD
// erasure request): their sheets with notes and requests, the person
// itself, and the code wherever it was typed in a free text, in any case
// (replaced by "[effacé]"). The code, in any case, is then refused at every
// save (ErrBeneficiaryForgotten), by its keyed fingerprint. drafts is how
// many forms in progress naming the code the caller erased (Redis): a code
// known only there is forgotten too. The audit line names the person by the
// fingerprint only (BeneficiaryTarget). ErrNotFound: the code is nowhere,
// nothing changed (audited too, so the answer to the request can be proven).
func (s *Store) Forget(ctx context.Context, beneficiaryCode string, actor *ids.TelegramID, drafts int64) (ForgetCounts, error) {
	c := ForgetCounts{Drafts: drafts}
	code := strings.ToUpper(strings.TrimSpace(beneficiaryCode))
	fp := s.codeFingerprint(code)
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if code == "" {
			return ErrNotFound
		}
		if err := lockCode(ctx, tx, fp); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id FROM beneficiaries WHERE upper(code) = $1 FOR UPDATE`, code)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM requests WHERE sheet_id IN (SELECT id FROM sheets WHERE beneficiary_id = ANY($1))`, ids)
		if err != nil {
			return err
		}
		c.Requests = tag.RowsAffected()
		if tag, err = tx.Exec(ctx, `DELETE FROM sheets WHERE beneficiary_id = ANY($1)`, ids); err != nil {
			return err
		}
		c.Sheets = tag.RowsAffected()
		if _, err := tx.Exec(ctx, `DELETE FROM beneficiaries WHERE id = ANY($1)`, ids); err != nil {
			return err
		}
		// A mediator may have typed the code in another free text.
		for _, q := range mentionUpdates {
			tag, err := tx.Exec(ctx, q, mentionPattern(code))
			if err != nil {
				return err
			}
			c.Mentions += tag.RowsAffected()
		}
		if len(ids) == 0 && c.Mentions == 0 && drafts == 0 {
			return ErrNotFound
		}
		if _, err := tx.Exec(ctx, `INSERT INTO forgotten_codes (fingerprint, key_check) VALUES ($1, $2) ON CONFLICT DO NOTHING`, fp, s.keyCheck()); err != nil {
			return err
		}
		return audit(ctx, tx, AuditEntry{Actor: actor, Action: AuditForget, Target: s.BeneficiaryTarget(code),
			Detail: map[string]any{"found": true, "sheets": c.Sheets, "requests": c.Requests, "mentions": c.Mentions, "drafts": c.Drafts}})
	})
	if errors.Is(err, ErrNotFound) {
		if aerr := audit(ctx, s.db, AuditEntry{Actor: actor, Action: AuditForget, Target: s.BeneficiaryTarget(code),
			Detail: map[string]any{"found": false}}); aerr != nil {
			return ForgetCounts{}, fmt.Errorf("forget: %w", aerr)
		}
		return ForgetCounts{}, ErrNotFound
	}
	if err != nil {
		return ForgetCounts{}, fmt.Errorf("forget: %w", err)
	}
	return c, nil
}

// lockCode serialises, for one code, an erasure and the saves that check
// it was not erased: a save cannot slip a person in between the erasure's
// look-up and its commit.
func lockCode(ctx context.Context, tx pgx.Tx, fingerprint string) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('relais-forget:' || $1, 0))`, fingerprint); err != nil {
		return fmt.Errorf("lock code: %w", err)
	}
	return nil
}

// refuseForgotten returns ErrBeneficiaryForgotten when code was erased,
// holding the code's lock (lockCode) until the transaction ends.
func (s *Store) refuseForgotten(ctx context.Context, tx pgx.Tx, code string) error {
	fp := s.codeFingerprint(code)
	if err := lockCode(ctx, tx, fp); err != nil {
		return err
	}
	var forgotten bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM forgotten_codes WHERE fingerprint = $1)`, fp).Scan(&forgotten); err != nil {
		return fmt.Errorf("check forgotten code: %w", err)
	}
	if forgotten {
		return ErrBeneficiaryForgotten
	}
	return nil
}

// Forgotten tells whether code was erased at the person's request.
func (s *Store) Forgotten(ctx context.Context, code string) (bool, error) {
	var forgotten bool
	if err := s.db.QueryRow(ctx, `SELECT EXISTS (SELECT FROM forgotten_codes WHERE fingerprint = $1)`, s.codeFingerprint(code)).Scan(&forgotten); err != nil {
		return false, fmt.Errorf("check forgotten code: %w", err)
	}
	return forgotten, nil
}

// BeneficiaryData is everything Relais keeps about one person, for an RGPD
// access request.
type BeneficiaryData struct {
	Person      Person
	Mediator    string // the post's identifier
	Departement string
	Structure   string
	CreatedAt   time.Time
	Sheets      []RecordedSheet
}

// RecordedSheet is a saved sheet with its number.
type RecordedSheet struct {
	Number int64
	Sheet
}

// Beneficiary gathers what Relais keeps about one person (RGPD access
// request), audited like an erasure (hash of the code, never the code).
// ErrNotFound: no such code.
func (s *Store) Beneficiary(ctx context.Context, beneficiaryCode string, actor *ids.TelegramID) (BeneficiaryData, error) {
	var d BeneficiaryData
	code := strings.TrimSpace(beneficiaryCode)
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var id int64
		p, err := scanPersonID(tx.QueryRow(ctx, `SELECT b.id, b.code, COALESCE(b.sex, ''), b.age, b.age_on, COALESCE(b.qpv, ''), COALESCE(b.resources, ''), m.identifier, m.departement, m.structure, b.created_at
			FROM beneficiaries b JOIN mediators m ON m.id = b.mediator_id
			WHERE b.code = $1 OR b.code = upper($1) ORDER BY b.code = $1 DESC LIMIT 1`, code), &id, &d)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		d.Person = p
		rows, err := tx.Query(ctx, `
			SELECT number, id, date, sex, age, qpv, resources, contact_mode, level, social_protection, obstacles, note
			FROM sheets WHERE beneficiary_id = $1 ORDER BY date, number`, id)
		if err != nil {
			return err
		}
		d.Sheets, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (RecordedSheet, error) {
			var sh RecordedSheet
			err := r.Scan(&sh.Number, &sh.ID, &sh.Date, &sh.Sex, &sh.Age, &sh.QPV, &sh.Resources, &sh.ContactMode,
				&sh.Level, &sh.SocialProtection, &sh.Obstacles, &sh.Note)
			sh.Beneficiary = p.Code
			return sh, err
		})
		if err != nil {
			return err
		}
		for i := range d.Sheets {
			rows, err := tx.Query(ctx, `SELECT id, kind, type, status, follow_up FROM requests WHERE sheet_id = $1 ORDER BY position`, d.Sheets[i].ID)
			if err != nil {
				return err
			}
			d.Sheets[i].Requests, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Request, error) {
				var q Request
				err := r.Scan(&q.ID, &q.Kind, &q.Type, &q.Status, &q.FollowUp)
				return q, err
			})
			if err != nil {
				return err
			}
		}
		return audit(ctx, tx, AuditEntry{Actor: actor, Action: AuditAccess, Target: s.BeneficiaryTarget(p.Code),
			Detail: map[string]any{"sheets": len(d.Sheets)}})
	})
	if errors.Is(err, ErrNotFound) {
		return d, err
	}
	if err != nil {
		return BeneficiaryData{}, fmt.Errorf("beneficiary data: %w", err)
	}
	return d, nil
}

func scanPersonID(row pgx.Row, id *int64, d *BeneficiaryData) (Person, error) {
	var p Person
	err := row.Scan(id, &p.Code, &p.Sex, &p.Age, &p.AgeOn, &p.QPV, &p.Resources, &d.Mediator, &d.Departement, &d.Structure, &d.CreatedAt)
	return p, err
}
