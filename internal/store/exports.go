package store

import (
	"context"
	"fmt"
	"time"

	"github.com/relais-sante/relais/internal/ids"
)

// Export is one file of figures or rows a user took from the bot.
type Export struct {
	UserID   ids.TelegramID // who asked
	Scope    string         // the territory's key (indicators.Scope.Key)
	From, To time.Time      // the period's first and last days: their dates, in their own zone (pgx writes a DATE so)
	Format   string         // xlsx, csv, codes, docx, pdf
}

// RecordExport writes the export in the exports log and, in the same
// statement, its line of the audit trail: no file leaves Relais with one
// and not the other.
func (s *Store) RecordExport(ctx context.Context, e Export) error {
	_, err := s.db.Exec(ctx, `
		WITH e AS (
			INSERT INTO exports (user_id, scope, period_from, period_to, format) VALUES ($1, $2, $3, $4, $5) RETURNING id
		)
		INSERT INTO audit (actor, action, target, detail)
		SELECT $1, $6, $2, jsonb_build_object('from', $3::date, 'to', $4::date, 'format', $5::text, 'source', 'bot', 'export', e.id) FROM e`,
		e.UserID, e.Scope, e.From, e.To, e.Format, AuditExport)
	if err != nil {
		return fmt.Errorf("record export: %w", err)
	}
	return nil
}
