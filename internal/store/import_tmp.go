package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// TEMPORARY stub until the helper's work is merged.
func writeImportRollups(ctx context.Context, tx pgx.Tx, f *importFile, fresh map[importDayKey]bool, zone *time.Location) error {
	return nil
}
