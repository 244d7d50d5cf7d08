package export

import (
	"context"
	"fmt"

	"github.com/xuri/excelize/v2"

	"github.com/relais-sante/relais/internal/indicators"
)

// ReviewAnswersSheet is the workbook sheet with the annual reviews' open
// answers, for the coordinator's written synthesis. It is the only place
// they leave the database: the bot never shows them to anyone but their
// author, and the report (JSON, text, tables) leaves them out.
const ReviewAnswersSheet = "Bilans – réponses libres"

var reviewAnswersHeader = []any{"Année", "Médiateur", "Département", "Structure", "Poste",
	"Ce qui a aidé", "Ce qui a freiné", "À améliorer", "Mis à jour le"}

// writeReviewAnswers adds the open answers of the reviews of the years the
// report's period covers, in its scope. Answers are written as text, never
// as formulas.
func writeReviewAnswers(ctx context.Context, db indicators.Querier, f *excelize.File, r *indicators.Report, bold, title int) error {
	answers, err := indicators.OpenAnswers(ctx, db, r.Period, r.Scope)
	if err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	name := ReviewAnswersSheet
	if _, err := f.NewSheet(name); err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	set := func(cell string, v any) error { return f.SetCellValue(name, cell, v) }
	if err := set("A1", "Bilans annuels – réponses libres ("+r.Label+")"); err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	if err := f.SetCellStyle(name, "A1", "A1", title); err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	header := reviewAnswersHeader
	if err := f.SetSheetRow(name, "A3", &header); err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	if err := f.SetCellStyle(name, "A3", "I3", bold); err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	for i, a := range answers {
		post := "QPV"
		if a.Rural {
			post = "Rural"
		}
		row := []any{a.Year, a.Mediator, a.Departement, a.Structure, post, a.Helped, a.Hindered, a.Improve,
			a.UpdatedAt.Format("02/01/2006")}
		cell, err := excelize.CoordinatesToCellName(1, 4+i)
		if err != nil {
			return fmt.Errorf("write XLSX: %w", err)
		}
		for j, v := range row {
			c, err := excelize.CoordinatesToCellName(1+j, 4+i)
			if err != nil {
				return fmt.Errorf("write XLSX: %w", err)
			}
			if s, ok := v.(string); ok {
				err = f.SetCellStr(name, c, s) // text, even when it starts with "="
			} else {
				err = f.SetCellValue(name, c, v)
			}
			if err != nil {
				return fmt.Errorf("write XLSX: %w", err)
			}
		}
		last, err := excelize.CoordinatesToCellName(9, 4+i)
		if err != nil {
			return fmt.Errorf("write XLSX: %w", err)
		}
		if err := f.SetCellStyle(name, cell, last, wrap); err != nil {
			return fmt.Errorf("write XLSX: %w", err)
		}
	}
	for _, w := range []struct {
		from, to string
		width    float64
	}{{"A", "A", 8}, {"B", "C", 14}, {"D", "D", 24}, {"E", "E", 8}, {"F", "H", 60}, {"I", "I", 14}} {
		if err := f.SetColWidth(name, w.from, w.to, w.width); err != nil {
			return fmt.Errorf("write XLSX: %w", err)
		}
	}
	return nil
}
