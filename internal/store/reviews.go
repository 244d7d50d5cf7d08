package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relais-sante/relais/internal/ids"
)

// Review is a mediator's annual review (bilan annuel) of one year. Yes/no
// answers and counts are pointers: nil is "not answered". The three open
// answers are for the coordinator's written synthesis (export only); the bot
// shows them to their author alone.
type Review struct {
	MediatorID          ids.MediatorID
	Year                int
	Identified          *bool
	MissionsKnown       *bool
	CPAMPartnership     *bool
	PartnerBodies       *bool
	PartnersSanitaire   *int
	PartnersSocial      *int
	PartnersMedico      *int
	Helped              string
	Hindered            string
	Improve             string
	HealthNeeds         []string
	ProfessionalProject *bool
	Training            *bool
	// Declared counts of the year (Annexe 1 of the regional report), the
	// publics worked with and the obstacles seen.
	DeclaredPeople           *int
	DeclaredPeopleQPV        *int
	DeclaredRights           *int
	DeclaredCare             *int
	DeclaredSocialProtection *int
	Publics                  []string
	Obstacles                []string
	UpdatedAt                time.Time
}

// ErrReviewClosed refuses a review saved after its year's deadline.
var ErrReviewClosed = errors.New("review deadline passed")

// DefaultReviewDeadline is 31 January of the year after the review's year,
// the deadline when coordinators set none.
func DefaultReviewDeadline(year int) time.Time {
	return time.Date(year+1, time.January, 31, 0, 0, 0, 0, time.UTC)
}

// ReviewDeadline is the last day the review of year can be filled or edited.
func (s *Store) ReviewDeadline(ctx context.Context, year int) (time.Time, error) {
	return reviewDeadline(ctx, s.db, year)
}

type rowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func reviewDeadline(ctx context.Context, db rowQuerier, year int) (time.Time, error) {
	var d time.Time
	err := db.QueryRow(ctx, `SELECT deadline FROM review_deadlines WHERE year = $1`, year).Scan(&d)
	if errors.Is(err, pgx.ErrNoRows) {
		return DefaultReviewDeadline(year), nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("review deadline %d: %w", year, err)
	}
	return Day(d), nil
}

// SetReviewDeadline sets the last day the review of year can be filled or
// edited (a coordinator's decision, region-wide), audited with the deadline
// before and after and actor (nil: the command line or a test's setup).
func (s *Store) SetReviewDeadline(ctx context.Context, year int, deadline time.Time, actor *ids.TelegramID) error {
	if Day(deadline).Year() < year {
		return fmt.Errorf("set review deadline %d: %s is before the year ends", year, deadline.Format(time.DateOnly))
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		// Serialises two changes of one year, so each line's "old" is the
		// deadline the change replaced.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('review_deadline'), $1)`, year); err != nil {
			return err
		}
		old, err := reviewDeadline(ctx, tx, year)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO review_deadlines (year, deadline) VALUES ($1, $2)
			ON CONFLICT (year) DO UPDATE SET deadline = EXCLUDED.deadline, updated_at = now()`, year, Day(deadline)); err != nil {
			return err
		}
		return audit(ctx, tx, AuditEntry{Actor: actor, Action: AuditReviewDate, Target: "review:" + strconv.Itoa(year),
			Detail: map[string]any{"old": old.Format(time.DateOnly), "new": Day(deadline).Format(time.DateOnly)}})
	})
	if err != nil {
		return fmt.Errorf("set review deadline %d: %w", year, err)
	}
	return nil
}

// ReviewYear is the year whose review a mediator fills on today: the past
// year while its deadline has not passed (in January), else the current one.
func (s *Store) ReviewYear(ctx context.Context, today time.Time) (year int, deadline time.Time, err error) {
	day := Day(today)
	past := day.Year() - 1
	deadline, err = s.ReviewDeadline(ctx, past)
	if err != nil {
		return 0, time.Time{}, err
	}
	if !day.After(deadline) {
		return past, deadline, nil
	}
	deadline, err = s.ReviewDeadline(ctx, day.Year())
	return day.Year(), deadline, err
}

const reviewColumns = `mediator_id, year, identified, missions_known, cpam_partnership, partner_bodies,
	partners_sanitaire, partners_social, partners_medico, helped, hindered, improve, health_needs,
	professional_project, training, declared_people, declared_people_qpv, declared_rights, declared_care,
	declared_social_protection, publics, obstacles, updated_at`

// Review returns the mediator's own review of year.
func (s *Store) Review(ctx context.Context, mediatorID ids.MediatorID, year int) (Review, bool, error) {
	var r Review
	err := s.db.QueryRow(ctx, `SELECT `+reviewColumns+` FROM reviews WHERE mediator_id = $1 AND year = $2`,
		mediatorID, year).Scan(&r.MediatorID, &r.Year, &r.Identified, &r.MissionsKnown, &r.CPAMPartnership,
		&r.PartnerBodies, &r.PartnersSanitaire, &r.PartnersSocial, &r.PartnersMedico, &r.Helped, &r.Hindered,
		&r.Improve, &r.HealthNeeds, &r.ProfessionalProject, &r.Training, &r.DeclaredPeople, &r.DeclaredPeopleQPV,
		&r.DeclaredRights, &r.DeclaredCare, &r.DeclaredSocialProtection, &r.Publics, &r.Obstacles, &r.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Review{}, false, nil
	}
	if err != nil {
		return Review{}, false, fmt.Errorf("load review: %w", err)
	}
	return r, true, nil
}

// SaveReview writes the mediator's review of its year, replacing the one
// already there (one per mediator and year), unless today is past the
// year's deadline: then it returns ErrReviewClosed and changes nothing.
func (s *Store) SaveReview(ctx context.Context, r Review, today time.Time) (created bool, err error) {
	needs, publics, obstacles := textArray(r.HealthNeeds), textArray(r.Publics), textArray(r.Obstacles)
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		deadline, err := reviewDeadline(ctx, tx, r.Year)
		if err != nil {
			return err
		}
		if Day(today).After(deadline) {
			return ErrReviewClosed
		}
		return tx.QueryRow(ctx, `
			INSERT INTO reviews (mediator_id, year, identified, missions_known, cpam_partnership, partner_bodies,
			                     partners_sanitaire, partners_social, partners_medico, helped, hindered, improve,
			                     health_needs, professional_project, training, declared_people, declared_people_qpv,
			                     declared_rights, declared_care, declared_social_protection, publics, obstacles)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
			ON CONFLICT (mediator_id, year) DO UPDATE SET
			    identified = EXCLUDED.identified, missions_known = EXCLUDED.missions_known,
			    cpam_partnership = EXCLUDED.cpam_partnership, partner_bodies = EXCLUDED.partner_bodies,
			    partners_sanitaire = EXCLUDED.partners_sanitaire, partners_social = EXCLUDED.partners_social,
			    partners_medico = EXCLUDED.partners_medico, helped = EXCLUDED.helped,
			    hindered = EXCLUDED.hindered, improve = EXCLUDED.improve, health_needs = EXCLUDED.health_needs,
			    professional_project = EXCLUDED.professional_project, training = EXCLUDED.training,
			    declared_people = EXCLUDED.declared_people, declared_people_qpv = EXCLUDED.declared_people_qpv,
			    declared_rights = EXCLUDED.declared_rights, declared_care = EXCLUDED.declared_care,
			    declared_social_protection = EXCLUDED.declared_social_protection, publics = EXCLUDED.publics,
			    obstacles = EXCLUDED.obstacles, updated_at = now()
			RETURNING xmax = 0`,
			r.MediatorID, r.Year, r.Identified, r.MissionsKnown, r.CPAMPartnership, r.PartnerBodies,
			r.PartnersSanitaire, r.PartnersSocial, r.PartnersMedico, r.Helped, r.Hindered, r.Improve,
			needs, r.ProfessionalProject, r.Training, r.DeclaredPeople, r.DeclaredPeopleQPV, r.DeclaredRights,
			r.DeclaredCare, r.DeclaredSocialProtection, publics, obstacles).Scan(&created)
	})
	if errors.Is(err, ErrReviewClosed) {
		return false, err
	}
	if err != nil {
		return false, fmt.Errorf("save review: %w", err)
	}
	return created, nil
}

// Jobs of the annual review reminders, recorded in job_runs with the review
// year as period, about the mediator post (SendKey.MediatorID).
const (
	JobReviewFirst  = "review_reminder"
	JobReviewSecond = "review_reminder_2"
)

// ReviewReminderQuery selects the mediators owed a review reminder.
type ReviewReminderQuery struct {
	Job  string // JobReviewFirst or JobReviewSecond
	Year int    // the review's year
	// Hour is the current local hour: only mediators whose reminder hour
	// (DefaultHour when unset) has come are listed.
	Hour, DefaultHour int
	// After, when set, keeps only mediators who got that job for Year
	// before AfterBefore (the second reminder follows the first).
	After       string
	AfterBefore time.Time
	// Now is the pass's time, DayStart the start of its local day: a
	// failed reminder is retried, an uncertain one only on a later day.
	Now, DayStart time.Time
}

// ReviewReminderTargets lists the active mediators with a Telegram account
// who have no review for the year and have not had q.Job for it yet.
func (s *Store) ReviewReminderTargets(ctx context.Context, q ReviewReminderQuery) ([]ReminderTarget, error) {
	period := strconv.Itoa(q.Year)
	rows, err := s.db.Query(ctx, `
		SELECT m.id, u.telegram_id, u.chat_id
		FROM mediators m JOIN users u ON u.telegram_id = m.user_id
		WHERE m.active AND u.role = 'mediator' AND u.disabled_at IS NULL AND COALESCE(u.reminder_hour, $4) <= $3
		  AND u.unreachable_since IS NULL
		  AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.mediator_id = m.id AND r.year = $2)
		  AND NOT EXISTS (SELECT 1 FROM job_runs j WHERE j.job = $1 AND j.period = $5 AND j.mediator_id = m.id
		                  AND NOT `+retryable("j", "$8", "$9")+`)
		  AND ($6 = '' OR EXISTS (SELECT 1 FROM job_runs j WHERE j.job = $6 AND j.period = $5
		                          AND j.mediator_id = m.id AND j.state = 'sent' AND j.ran_at < $7))
		ORDER BY m.id`, q.Job, q.Year, q.Hour, q.DefaultHour, period, q.After, q.AfterBefore, q.Now, q.DayStart)
	if err != nil {
		return nil, fmt.Errorf("review reminder targets: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ReminderTarget, error) {
		var t ReminderTarget
		err := r.Scan(&t.MediatorID, &t.UserID, &t.ChatID)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("review reminder targets: %w", err)
	}
	return out, nil
}
