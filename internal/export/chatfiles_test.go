package export_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/relais-sante/relais/internal/export"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/store"
)

// The line-level files stay available on the server, whatever
// RELAIS_CHAT_FILES says: `relais report` writes the lines (xlsx, csv
// lines, codes) and the annual report with the reviews' free text.
func TestServerReportKeepsTheLines(t *testing.T) {
	t.Parallel()
	db := seed(t)
	ctx := context.Background()
	var id ids.MediatorID
	if err := db.SQL.QueryRow(ctx, `SELECT id FROM mediators WHERE identifier = 'MED-59-01'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	yes := true
	if _, err := db.Store.SaveReview(ctx, store.Review{MediatorID: id, Year: 2024, Identified: &yes, Helped: "La permanence du jeudi à Fives."},
		time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	run := func(format, dep string) []byte {
		t.Helper()
		var out bytes.Buffer
		if err := export.RunReport(ctx, db.Store.Reports(), export.ReportArgs{From: "2024-01-01", To: "2024-12-31", Departement: dep, Format: format, Out: &out}); err != nil {
			t.Fatalf("--format %s: %v", format, err)
		}
		return out.Bytes()
	}

	f, err := excelize.OpenReader(bytes.NewReader(run("xlsx", "59")))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if sheets := f.GetSheetList(); !slices.Contains(sheets, "Données") || !slices.Contains(sheets, "Bilans – réponses libres") {
		t.Errorf("relais report --format xlsx sheets: %q", sheets)
	}
	if v, err := f.GetCellValue("Données", "E2"); err != nil || v != "P-001" {
		t.Errorf("Données E2 = %q, %v; want the person's code P-001", v, err)
	}
	if v, err := f.GetCellValue("Bilans – réponses libres", "F4"); err != nil || v != "La permanence du jeudi à Fives." {
		t.Errorf("open answer = %q, %v", v, err)
	}
	if codes := string(run("codes", "59")); !strings.Contains(codes, "F-001,2024-02-05,MED-59-01,59,P-001,F,34,") {
		t.Errorf("relais report --format codes:\n%s", codes)
	}
	// The answer is quoted by its département: a post's identifier names
	// its mediator.
	if docx := zipText(t, run("docx", ""), "word/document.xml"); !strings.Contains(docx, "« La permanence du jeudi à Fives. » (Nord)") || strings.Contains(docx, "MED-59-01") {
		t.Errorf("relais report --format docx lacks the review's open answer quoted by département, or names the post")
	}
	if pdf := run("pdf", ""); !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Errorf("relais report --format pdf is no PDF")
	}
}

// The figures-only files hold the same tables, and nothing per line.
func TestFiguresOnlyFiles(t *testing.T) {
	t.Parallel()
	db := seed(t)
	ctx := context.Background()
	var id ids.MediatorID
	if err := db.SQL.QueryRow(ctx, `SELECT id FROM mediators WHERE identifier = 'MED-59-01'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	yes := true
	if _, err := db.Store.SaveReview(ctx, store.Review{MediatorID: id, Year: 2024, Identified: &yes, Helped: "La permanence du jeudi à Fives."},
		time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := export.WriteFiguresXLSX(ctx, db.Store.Reports(), indicators.Year(2024), indicators.Region("32"), &buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := []string{"Synthèse", "Sexe", "QPV", "Âge", "Ressources", "Mode de contact", "Niveau", "Droits", "Soins", "Demandes par département", "Freins",
		"Actions", "Thèmes des actions", "Partenaires des actions", "Partenaires", "Bilan annuel", "Besoins de santé", "Annexe 1", "Annexe 1 – freins", "Définitions"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Errorf("sheets %q, want %q", got, want)
	}
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			line := strings.Join(row, "|")
			for _, secret := range []string{"P-00", "MED-", "F-00", "permanence du jeudi"} {
				if strings.Contains(line, secret) {
					t.Errorf("sheet %s holds %q: %s", sheet, secret, line)
				}
			}
		}
	}
	if v, err := f.GetCellValue("Synthèse", "B4"); err != nil || v != "3" {
		t.Errorf("Synthèse B4 (Fiches) = %q, %v; want 3", v, err)
	}
	var doc bytes.Buffer
	if err := export.WriteAnnualFigures(ctx, db.Store.Reports(), indicators.Year(2024), indicators.Region("32"), export.FormatDOCX, time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), &doc); err != nil {
		t.Fatal(err)
	}
	text := zipText(t, doc.Bytes(), "word/document.xml")
	if strings.Contains(text, "permanence du jeudi") || strings.Contains(text, "MED-59-01") {
		t.Errorf("the figures-only annual report holds the open answer or a post identifier")
	}
	if !strings.Contains(text, "relais report --format docx") {
		t.Errorf("the figures-only annual report does not say where the open answers are")
	}
}

// zipText is one file of a zip archive (a DOCX part), as text.
func zipText(t *testing.T, data []byte, name string) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range z.File {
		if f.Name != name {
			continue
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	t.Fatalf("no %s in the archive", name)
	return ""
}
