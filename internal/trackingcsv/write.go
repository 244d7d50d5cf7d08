package trackingcsv

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/relais-sante/relais/internal/indicators"
)

// EachRow calls fn with every line of the scope's sheets over the period, in
// the tracking format (columns of Header), oldest first, streamed
// (indicators.EachSheetLine). fn must not keep row: it is reused.
func EachRow(ctx context.Context, db indicators.Querier, p indicators.Period, s indicators.Scope, fn func(row []string) error) error {
	row := make([]string, len(Header))
	return indicators.EachSheetLine(ctx, db, p, s, func(l *indicators.SheetLine) error {
		row[colSheet], row[colMediator], row[colDepartement], row[colBeneficiary] = l.SheetID, l.Mediator, l.Departement, l.Beneficiary
		row[colDate], row[colSex], row[colQPV], row[colResources] = l.Date.Format(time.DateOnly), l.Sex, l.QPV, l.Resources
		row[colContactMode], row[colLevel], row[colSocialProtection] = l.ContactMode, l.Level, l.SocialProtection
		row[colRequestKind], row[colRequestType], row[colStatus], row[colObstacles] = l.Kind, l.Type, l.Status, l.Obstacles
		row[colAge], row[colFollowUp] = "", ""
		if l.Age != nil {
			row[colAge] = strconv.Itoa(*l.Age)
		}
		if l.FollowUp != nil {
			row[colFollowUp] = l.FollowUp.Format(time.DateOnly)
		}
		return fn(row)
	})
}

// WriteCSV writes the scope's lines over the period as a tracking CSV
// (header included) that `relais import` reads back unchanged.
func WriteCSV(ctx context.Context, db indicators.Querier, p indicators.Period, s indicators.Scope, w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Header); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	err := EachRow(ctx, db, p, s, func(row []string) error {
		return cw.Write(row)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

// HeaderLine is the header as one CSV line, for messages and docs.
func HeaderLine() string { return strings.Join(Header, ",") }
