// Package export writes the files coordinators download with /export and
// `relais report`: an XLSX workbook with one sheet per report table and the
// lines in French ("Données"), the same lines as a CSV for French Excel,
// and the tracking CSV (codes) that `relais import` reads back. Exports
// never carry the sheets' free-text note (RGPD); the full workbook carries
// the annual reviews' open answers. WriteFiguresXLSX is the workbook
// without lines nor free text, for the chat.
package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"

	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/trackingcsv"
)

// Formats of an export file.
const (
	FormatXLSX  = "xlsx"
	FormatCSV   = "csv"   // for a spreadsheet: French labels, ';', BOM
	FormatCodes = "codes" // the tracking CSV, for `relais import`
)

// DataSheet is the name of the workbook sheet holding the raw lines.
const DataSheet = "Données"

// maxXLSXRows is Excel's row limit (header included).
const maxXLSXRows = 1_048_576

// ErrTooManyRows means the lines do not fit in one Excel sheet.
var ErrTooManyRows = errors.New("trop de lignes pour un fichier Excel (1 048 575 au plus) : choisissez une période plus courte ou le format CSV")

// WriteXLSX writes a workbook: the report tables first (Synthèse, Sexe, QPV,
// Âge, Ressources, Mode de contact, Niveau, Droits, Soins, Freins, then the
// actions, partners and annual review tables), the annual reviews' open
// answers (ReviewAnswersSheet), then the sheet "Données" with one line per
// request, in French (HumanHeader).
func WriteXLSX(ctx context.Context, db indicators.Querier, p indicators.Period, s indicators.Scope, w io.Writer) error {
	r, err := indicators.Compute(ctx, db, p, s)
	if err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	return writeWorkbook(ctx, db, r, true, w)
}

// WriteFiguresXLSX writes the workbook of figures alone: the report tables
// (and Annexe 1 for the region), without the reviews' open answers nor the
// sheet "Données". Nothing in it names a person or a post, and it has no
// free text: it is what may travel through a chat (RELAIS_CHAT_FILES).
func WriteFiguresXLSX(ctx context.Context, db indicators.Querier, p indicators.Period, s indicators.Scope, w io.Writer) error {
	r, err := indicators.Compute(ctx, db, p, s)
	if err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	return writeWorkbook(ctx, db, r, false, w)
}

// writeWorkbook writes r's tables; lines adds the open answers and the
// sheet "Données".
func writeWorkbook(ctx context.Context, db indicators.Querier, r *indicators.Report, lines bool, w io.Writer) (err error) {
	f := excelize.NewFile()
	defer func() { err = closeXLSX(f, err) }()
	bold, title, err := tableStyles(f)
	if err != nil {
		return err
	}
	for i, t := range r.Tables() {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", t.Name); err != nil {
				return fmt.Errorf("write XLSX: %w", err)
			}
		} else if _, err := f.NewSheet(t.Name); err != nil {
			return fmt.Errorf("write XLSX: %w", err)
		}
		if err := writeTable(f, t, bold, title); err != nil {
			return fmt.Errorf("write XLSX sheet %s: %w", t.Name, err)
		}
	}
	if _, _, ok := indicators.AnnexeScopes(r.Scope); ok {
		// A region's workbook carries its Annexe 1, its territories side by
		// side; the national one, the served regions side by side.
		a, err := indicators.ComputeAnnexe(ctx, db, r.Period, r.Scope)
		if err != nil {
			return fmt.Errorf("write XLSX: %w", err)
		}
		if err := writeTables(f, a.Tables(), bold, title); err != nil {
			return err
		}
	}
	if lines {
		if err := writeReviewAnswers(ctx, db, f, r, bold, title); err != nil {
			return err
		}
		date, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("dd/mm/yyyy")})
		if err != nil {
			return fmt.Errorf("write XLSX: %w", err)
		}
		if err := writeData(ctx, db, f, r.Period, r.Scope, bold, date); err != nil {
			return err
		}
	}
	f.SetActiveSheet(0)
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	return nil
}

// tableStyles adds to f the styles writeTable uses: bold headers and
// titles.
func tableStyles(f *excelize.File) (bold, title int, err error) {
	bold, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return 0, 0, fmt.Errorf("write XLSX: %w", err)
	}
	title, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}})
	if err != nil {
		return 0, 0, fmt.Errorf("write XLSX: %w", err)
	}
	return bold, title, nil
}

// writeTables adds one sheet per table.
func writeTables(f *excelize.File, tables []indicators.Table, bold, title int) error {
	for _, t := range tables {
		if _, err := f.NewSheet(t.Name); err != nil {
			return fmt.Errorf("write XLSX: %w", err)
		}
		if err := writeTable(f, t, bold, title); err != nil {
			return fmt.Errorf("write XLSX sheet %s: %w", t.Name, err)
		}
	}
	return nil
}

// closeXLSX closes f, which removes the stream writer's temporary files, and
// adds its error to err.
func closeXLSX(f *excelize.File, err error) error {
	if cerr := f.Close(); cerr != nil {
		return errors.Join(err, fmt.Errorf("write XLSX: close: %w", cerr))
	}
	return err
}

// WriteAnnexeXLSX writes a workbook of Annexe 1 alone.
func WriteAnnexeXLSX(a *indicators.Annexe, w io.Writer) (err error) {
	f := excelize.NewFile()
	defer func() { err = closeXLSX(f, err) }()
	bold, title, err := tableStyles(f)
	if err != nil {
		return err
	}
	if err := writeTables(f, a.Tables(), bold, title); err != nil {
		return err
	}
	if err := f.DeleteSheet("Sheet1"); err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	f.SetActiveSheet(0)
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	return nil
}

// writeTable puts the title in A1, the header in row 3 and the rows below.
func writeTable(f *excelize.File, t indicators.Table, bold, title int) error {
	if err := f.SetCellValue(t.Name, "A1", t.Title); err != nil {
		return err
	}
	if err := f.SetCellStyle(t.Name, "A1", "A1", title); err != nil {
		return err
	}
	header := make([]any, len(t.Header))
	for i, h := range t.Header {
		header[i] = h
	}
	if err := f.SetSheetRow(t.Name, "A3", &header); err != nil {
		return err
	}
	last, err := excelize.CoordinatesToCellName(len(t.Header), 3)
	if err != nil {
		return err
	}
	if err := f.SetCellStyle(t.Name, "A3", last, bold); err != nil {
		return err
	}
	for i, row := range t.Rows {
		cell, err := excelize.CoordinatesToCellName(1, 4+i)
		if err != nil {
			return err
		}
		values := row
		if err := f.SetSheetRow(t.Name, cell, &values); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(t.Name, "A", "A", 48); err != nil {
		return err
	}
	if len(t.Header) > 1 {
		lastCol, err := excelize.ColumnNumberToName(len(t.Header))
		if err != nil {
			return err
		}
		return f.SetColWidth(t.Name, "B", lastCol, 14)
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// writeData streams the lines into the "Données" sheet in French: labels,
// strings as text (never formulas), dates as dates, ages as numbers.
func writeData(ctx context.Context, db indicators.Querier, f *excelize.File, p indicators.Period, s indicators.Scope, bold, date int) error {
	if _, err := f.NewSheet(DataSheet); err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	sw, err := f.NewStreamWriter(DataSheet)
	if err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	if err := sw.SetColWidth(1, len(HumanHeader), 16); err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	header := make([]any, len(HumanHeader))
	for i, h := range HumanHeader {
		header[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	n := 1
	err = trackingcsv.EachRow(ctx, db, p, s, func(row []string) error {
		n++
		if n > maxXLSXRows {
			return ErrTooManyRows
		}
		values := humanCells(row)
		for i, v := range values {
			if d, ok := v.(time.Time); ok {
				values[i] = excelize.Cell{StyleID: date, Value: d}
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, n)
		if err != nil {
			return err
		}
		return sw.SetRow(cell, values)
	})
	if err != nil {
		if errors.Is(err, ErrTooManyRows) {
			return err
		}
		return fmt.Errorf("write XLSX: %w", err)
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	return nil
}

// Filename names an export file after its territory and period, in ASCII:
// relais_nord_2024-01-01_2024-12-31.xlsx.
func Filename(s indicators.Scope, p indicators.Period, format string) string {
	return fmt.Sprintf("relais_%s_%s_%s.%s", slug(s.Label()), p.From.Format("2006-01-02"), p.To.Format("2006-01-02"), format)
}

func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.Trim(b.String(), "-")
}
