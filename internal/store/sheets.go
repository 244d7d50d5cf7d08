package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relais-sante/relais/internal/ids"
)

// Sheet is one accompaniment as the mediator logged it (codes, never labels).
type Sheet struct {
	ID               string // chosen when the form started: saving twice is harmless
	MediatorID       ids.MediatorID
	Date             time.Time
	Beneficiary      string // pseudonymous code
	Sex              string
	Age              *int
	QPV              string
	Resources        string
	ContactMode      string
	Level            string
	SocialProtection string
	Obstacles        []string
	Note             string
	Requests         []Request
	// SavedAt is when the mediator pressed "Enregistrer" (the bot's clock):
	// a request saved already resolved counts as resolved then. Zero: now().
	SavedAt time.Time
	// Closes gives a new status (resolue, non_resolue, abandonnee) to
	// requests of the person still open from earlier sheets, by request id:
	// updated at the next visit rather than asked again as a new request.
	Closes map[int64]string
}

// Request is one rights or care request of a sheet.
type Request struct {
	ID       int64
	Kind     string
	Type     string
	Status   string
	FollowUp *time.Time
}

// ErrBeneficiaryNotYours guards a mediator from writing to another's person.
var ErrBeneficiaryNotYours = errors.New("beneficiary belongs to another mediator")

var errSheetExists = errors.New("sheet exists")

// SaveSheet writes the sheet, its requests and its beneficiary in one
// transaction keyed by the sheet id. It returns the sheet number and whether
// this call created it: a double tap, a redelivered update or a retry after an
// error finds the sheet already there and creates nothing.
func (s *Store) SaveSheet(ctx context.Context, sh Sheet) (number int64, created bool, err error) {
	var savedAt *time.Time
	if !sh.SavedAt.IsZero() {
		savedAt = &sh.SavedAt
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT mediator_number FROM sheets WHERE id = $1`, sh.ID).Scan(&number); err == nil {
			return errSheetExists
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		benID, err := s.upsertBeneficiary(ctx, tx, sh)
		if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `
			INSERT INTO sheets (id, mediator_id, beneficiary_id, date, sex, age, qpv, resources, contact_mode,
			                    level, social_protection, obstacles, note, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, COALESCE($14, now()))
			ON CONFLICT (id) DO NOTHING
			RETURNING mediator_number`,
			sh.ID, sh.MediatorID, benID, sh.Date, sh.Sex, sh.Age, sh.QPV, sh.Resources, sh.ContactMode,
			sh.Level, sh.SocialProtection, textArray(sh.Obstacles), sh.Note, savedAt).Scan(&number)
		if errors.Is(err, pgx.ErrNoRows) {
			return errSheetExists // saved concurrently by a twin update
		}
		if err != nil {
			return err
		}
		for i, r := range sh.Requests {
			if _, err := tx.Exec(ctx, `
				INSERT INTO requests (sheet_id, position, kind, type, status, follow_up, resolved_at)
				VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $5 = 'resolue' THEN coalesce($7, now()) END)`,
				sh.ID, i+1, r.Kind, r.Type, r.Status, r.FollowUp, savedAt); err != nil {
				return err
			}
		}
		if err := closeEarlierRequests(ctx, tx, sh, benID, savedAt); err != nil {
			return err
		}
		created = true
		return nil
	})
	if errors.Is(err, errSheetExists) {
		if err := s.db.QueryRow(ctx, `SELECT mediator_number FROM sheets WHERE id = $1`, sh.ID).Scan(&number); err != nil {
			return 0, false, fmt.Errorf("save sheet: %w", err)
		}
		return number, false, nil
	}
	if err != nil {
		if errors.Is(err, ErrBeneficiaryNotYours) || errors.Is(err, ErrBeneficiaryForgotten) {
			return 0, false, err
		}
		return 0, false, fmt.Errorf("save sheet: %w", err)
	}
	return number, created, nil
}

// closeEarlierRequests records the statuses the sheet gives to its person's
// requests still open from earlier sheets (sh.Closes), with the sheet: a
// request of another person or mediator, or closed since, is left as it is.
func closeEarlierRequests(ctx context.Context, tx pgx.Tx, sh Sheet, benID int64, savedAt *time.Time) error {
	for id, status := range sh.Closes {
		switch status {
		case StatusResolved, StatusUnresolved, StatusAbandoned:
		default:
			return fmt.Errorf("close request %d: %q is not a closing status", id, status)
		}
		if _, err := tx.Exec(ctx, `
			UPDATE requests r SET status = $4, status_changed_at = coalesce($5, now()),
			       resolved_at = CASE WHEN $4 = 'resolue' THEN coalesce($5, now()) END
			FROM sheets s
			WHERE r.id = $1 AND s.id = r.sheet_id AND s.mediator_id = $2 AND s.beneficiary_id = $3
			  AND r.status = 'en_cours' AND s.id <> $6`, id, sh.MediatorID, benID, status, savedAt, sh.ID); err != nil {
			return fmt.Errorf("close request %d: %w", id, err)
		}
	}
	return nil
}

// upsertBeneficiary creates the sheet's person or updates their latest
// attributes; a code erased at the person's request is refused.
func (s *Store) upsertBeneficiary(ctx context.Context, tx pgx.Tx, sh Sheet) (int64, error) {
	if err := s.refuseForgotten(ctx, tx, sh.Beneficiary); err != nil {
		return 0, err
	}
	var id int64
	var owner ids.MediatorID
	err := tx.QueryRow(ctx, `SELECT id, mediator_id FROM beneficiaries WHERE code = $1 FOR UPDATE`, sh.Beneficiary).Scan(&id, &owner)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		err = tx.QueryRow(ctx, `
			INSERT INTO beneficiaries (code, mediator_id, sex, age, age_on, qpv, resources, last_seen)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $5) RETURNING id`,
			sh.Beneficiary, sh.MediatorID, sh.Sex, sh.Age, sh.Date, sh.QPV, sh.Resources).Scan(&id)
		return id, err
	case err != nil:
		return 0, err
	case owner != sh.MediatorID:
		return 0, ErrBeneficiaryNotYours
	}
	// Keep the latest known attributes, proposed again at the next visit: a
	// back-dated sheet (logged late) does not overwrite what a more recent
	// visit recorded.
	_, err = tx.Exec(ctx, `
		UPDATE beneficiaries SET sex = $2, age = COALESCE($3, age), age_on = CASE WHEN $3::int IS NULL THEN age_on ELSE $4 END,
		       qpv = $5, resources = $6, last_seen = $4
		WHERE id = $1 AND (last_seen IS NULL OR last_seen <= $4)`, id, sh.Sex, sh.Age, sh.Date, sh.QPV, sh.Resources)
	return id, err
}

// Person is a beneficiary as a mediator may see them again: code and last known attributes.
type Person struct {
	Code      string
	Sex       string
	Age       *int
	AgeOn     *time.Time
	QPV       string
	Resources string
	LastSeen  *time.Time
	// ContactMode is how they first met the mediator (their first sheet).
	ContactMode string
	// Open are their requests still open, as "kind:type", oldest first.
	Open []string
	// Requests are the same open requests, to update at their next visit.
	Requests []OpenRequest
}

// OpenRequest is a person's request still open, as their next sheet shows it.
type OpenRequest struct {
	ID         int64
	Kind, Type string
	Since      time.Time // date of the sheet that opened it
}

// personColumns read a beneficiary of table b with how they first met the
// mediator (their first sheet) and their requests still open, oldest first.
const personColumns = `b.code, COALESCE(b.sex, ''), b.age, b.age_on, COALESCE(b.qpv, ''), COALESCE(b.resources, ''), b.last_seen,
	COALESCE((SELECT s.contact_mode FROM sheets s WHERE s.beneficiary_id = b.id ORDER BY s.date, s.created_at LIMIT 1), ''),
	COALESCE((SELECT array_agg(r.id || ':' || r.kind || ':' || r.type || ':' || to_char(s.date, 'YYYY-MM-DD') ORDER BY s.date, r.position)
	          FROM requests r JOIN sheets s ON s.id = r.sheet_id WHERE s.beneficiary_id = b.id AND r.status = 'en_cours'), '{}')`

func scanPerson(row pgx.Row) (Person, error) {
	var p Person
	var open []string
	if err := row.Scan(&p.Code, &p.Sex, &p.Age, &p.AgeOn, &p.QPV, &p.Resources, &p.LastSeen, &p.ContactMode, &open); err != nil {
		return p, err
	}
	for _, o := range open {
		f := strings.Split(o, ":")
		if len(f) != 4 {
			return p, fmt.Errorf("open request %q: want id:kind:type:date", o)
		}
		id, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return p, fmt.Errorf("open request id: %w", err)
		}
		since, err := time.Parse(time.DateOnly, f[3])
		if err != nil {
			return p, fmt.Errorf("open request date: %w", err)
		}
		p.Open = append(p.Open, f[1]+":"+f[2])
		p.Requests = append(p.Requests, OpenRequest{ID: id, Kind: f[1], Type: f[2], Since: since})
	}
	return p, nil
}

// RecentPeople returns the mediator's most recently seen beneficiaries.
func (s *Store) RecentPeople(ctx context.Context, mediatorID ids.MediatorID, limit int) ([]Person, error) {
	rows, err := s.db.Query(ctx, `SELECT `+personColumns+` FROM beneficiaries b
		WHERE b.mediator_id = $1 ORDER BY b.last_seen DESC NULLS LAST, b.id DESC LIMIT $2`, mediatorID, limit)
	if err != nil {
		return nil, fmt.Errorf("recent people: %w", err)
	}
	defer rows.Close()
	var out []Person
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			return nil, fmt.Errorf("recent people: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// SearchPeople returns the mediator's beneficiaries whose code starts with
// prefix, most recently seen first: the « Personne » step lists them when
// the mediator types the beginning of a code.
func (s *Store) SearchPeople(ctx context.Context, mediatorID ids.MediatorID, prefix string, limit int) ([]Person, error) {
	rows, err := s.db.Query(ctx, `SELECT `+personColumns+` FROM beneficiaries b
		WHERE b.mediator_id = $1 AND left(b.code, length($2)) = $2
		ORDER BY b.last_seen DESC NULLS LAST, b.id DESC LIMIT $3`, mediatorID, prefix, limit)
	if err != nil {
		return nil, fmt.Errorf("search people: %w", err)
	}
	defer rows.Close()
	var out []Person
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			return nil, fmt.Errorf("search people: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search people: %w", err)
	}
	return out, nil
}

// FindPerson looks a code up among the mediator's own beneficiaries only.
// ErrBeneficiaryForgotten: the code was erased at the person's request.
func (s *Store) FindPerson(ctx context.Context, mediatorID ids.MediatorID, code string) (Person, bool, error) {
	p, err := scanPerson(s.db.QueryRow(ctx, `SELECT `+personColumns+` FROM beneficiaries b
		WHERE b.mediator_id = $1 AND b.code = $2`, mediatorID, code))
	if errors.Is(err, pgx.ErrNoRows) {
		forgotten, err := s.Forgotten(ctx, code)
		if err != nil {
			return Person{}, false, fmt.Errorf("find person: %w", err)
		}
		if forgotten {
			return Person{}, false, ErrBeneficiaryForgotten
		}
		return Person{}, false, nil
	}
	if err != nil {
		return Person{}, false, fmt.Errorf("find person: %w", err)
	}
	return p, true, nil
}

// NewPersonCode returns a 6-character code not used by any beneficiary yet,
// nor erased at a person's request.
func (s *Store) NewPersonCode(ctx context.Context) (string, error) {
	for range 20 {
		code := RandomCode(6)
		var taken bool
		if err := s.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM beneficiaries WHERE code = $1)
			OR EXISTS (SELECT FROM forgotten_codes WHERE fingerprint = $2)`, code, s.codeFingerprint(code)).Scan(&taken); err != nil {
			return "", fmt.Errorf("new person code: %w", err)
		}
		if !taken {
			return code, nil
		}
	}
	return "", errors.New("new person code: no free code found")
}

// SheetLine is a one-line view of a sheet for /mesfiches.
type SheetLine struct {
	Number      int64 // 1, 2, 3… for this mediator
	Date        time.Time
	Beneficiary string
	Requests    []Request
	SavedAt     time.Time // when it was saved: it can be corrected for EditWindow
}

// RecentSheets lists the mediator's own last sheets, newest number first: a
// sheet filled late for an older visit is still the last one filled.
func (s *Store) RecentSheets(ctx context.Context, mediatorID ids.MediatorID, limit int) ([]SheetLine, error) {
	rows, err := s.db.Query(ctx, `
		SELECT s.mediator_number, s.date, b.code, s.created_at,
		       COALESCE(array_agg(r.kind || ':' || r.type || ':' || r.status ORDER BY r.position) FILTER (WHERE r.id IS NOT NULL), '{}')
		FROM sheets s
		JOIN beneficiaries b ON b.id = s.beneficiary_id
		LEFT JOIN requests r ON r.sheet_id = s.id
		WHERE s.mediator_id = $1
		GROUP BY s.mediator_number, s.date, b.code, s.created_at
		ORDER BY s.mediator_number DESC
		LIMIT $2`, mediatorID, limit)
	if err != nil {
		return nil, fmt.Errorf("recent sheets: %w", err)
	}
	defer rows.Close()
	var out []SheetLine
	for rows.Next() {
		var l SheetLine
		var reqs []string
		if err := rows.Scan(&l.Number, &l.Date, &l.Beneficiary, &l.SavedAt, &reqs); err != nil {
			return nil, fmt.Errorf("recent sheets: %w", err)
		}
		for _, r := range reqs {
			if f := strings.Split(r, ":"); len(f) == 3 {
				l.Requests = append(l.Requests, Request{Kind: f[0], Type: f[1], Status: f[2]})
			}
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
