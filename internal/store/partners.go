package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/orgname"
)

// Partner is a body the mediator works with, in their own registry: it is
// what the partner counts of the annual review and of the indicators use.
type Partner struct {
	ID         int64
	MediatorID ids.MediatorID
	Name       string
	Category   string // sanitaire | social | medico_social
	Type       string // a code of codes.PartnerTypes
}

// SavePartner adds a partner to the mediator's registry; a partner of the
// same name (whatever the case) is updated instead, so a double tap or a
// correction never makes a twin. It returns the partner's id.
func (s *Store) SavePartner(ctx context.Context, p Partner) (int64, error) {
	name := strings.Join(strings.Fields(p.Name), " ")
	if name == "" {
		return 0, fmt.Errorf("save partner: empty name")
	}
	if err := orgname.Check(name); err != nil { // the form refused it already
		return 0, fmt.Errorf("save partner: %w", err)
	}
	var id int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		// One registry per mediator: serialise its writes so the
		// case-insensitive lookup and the insert cannot race.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM mediators WHERE id = $1 FOR UPDATE`, p.MediatorID); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `
			UPDATE partners SET category = $3, type = $4
			WHERE mediator_id = $1 AND lower(name) = lower($2)
			RETURNING id`, p.MediatorID, name, p.Category, p.Type).Scan(&id)
		if err == nil {
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		return tx.QueryRow(ctx, `
			INSERT INTO partners (mediator_id, name, category, type) VALUES ($1, $2, $3, $4)
			RETURNING id`, p.MediatorID, name, p.Category, p.Type).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("save partner: %w", err)
	}
	return id, nil
}

// Partners lists the mediator's own partners by category, then name.
func (s *Store) Partners(ctx context.Context, mediatorID ids.MediatorID) ([]Partner, error) {
	return s.listPartners(ctx, "list partners", `
		SELECT id, mediator_id, name, category, type FROM partners
		WHERE mediator_id = $1
		ORDER BY array_position(ARRAY['sanitaire', 'social', 'medico_social'], category), lower(name)`, mediatorID)
}

// PartnersByUse lists the mediator's own partners for a choice: the ones
// most often named in their actions first, then by name.
func (s *Store) PartnersByUse(ctx context.Context, mediatorID ids.MediatorID) ([]Partner, error) {
	return s.listPartners(ctx, "list partners by use", `
		SELECT p.id, p.mediator_id, p.name, p.category, p.type FROM partners p
		LEFT JOIN actions a ON a.partner_id = p.id
		WHERE p.mediator_id = $1
		GROUP BY p.id
		ORDER BY count(a.id) DESC, lower(p.name)`, mediatorID)
}

func (s *Store) listPartners(ctx context.Context, what, query string, args ...any) ([]Partner, error) {
	rows, err := s.db.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Partner, error) {
		var p Partner
		err := r.Scan(&p.ID, &p.MediatorID, &p.Name, &p.Category, &p.Type)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// PartnerCounts counts the mediator's partners by category; every category
// is present, zero included.
func (s *Store) PartnerCounts(ctx context.Context, mediatorID ids.MediatorID) (map[string]int, error) {
	out := map[string]int{"sanitaire": 0, "social": 0, "medico_social": 0}
	rows, err := s.db.Query(ctx, `SELECT category, count(*) FROM partners WHERE mediator_id = $1 GROUP BY category`, mediatorID)
	if err != nil {
		return nil, fmt.Errorf("count partners: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			return nil, fmt.Errorf("count partners: %w", err)
		}
		out[c] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count partners: %w", err)
	}
	return out, nil
}
