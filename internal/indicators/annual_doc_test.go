package indicators_test

// The annual report document's tests live here to share the published
// 2024 dataset (fixture_test.go, annexe_test.go); the code is in
// internal/annual.

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/annual"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/testenv"
	"github.com/relais-sante/relais/internal/trackingcsv"
)

func build2024Document(t *testing.T) (*annual.Document, *indicators.Report) {
	t.Helper()
	p := loadPublished(t)
	db := testenv.NewDB(t)
	ctx := context.Background()
	var out bytes.Buffer
	if err := trackingcsv.RunImport(ctx, db.Store, bytes.NewReader(buildTrackingCSV(t, p)), false, &out); err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	seed2024Annexe(t, db)
	execAll(t, db, `UPDATE reviews SET helped = 'Le partenariat avec la CPAM et le CLS.', hindered = 'Les délais de rendez-vous chez les spécialistes.',
	                                   improve = 'Un local pour les permanences.' WHERE mediator_id % 7 = 0`,
		`UPDATE reviews SET health_needs = '{sante_mentale,nutrition}' WHERE mediator_id % 2 = 0`)
	now := time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)
	d, err := annual.Build(ctx, db.Store.Pool, indicators.Year(2024), now)
	if err != nil {
		t.Fatal(err)
	}
	r, err := indicators.Compute(ctx, db.Store.Pool, indicators.Year(2024), indicators.Region(), indicators.AsOf(now))
	if err != nil {
		t.Fatal(err)
	}
	return d, r
}

// The document's tables are the report's tables (the numbers of --format
// json), the published 2024 figures among them, in the report's sections.
func TestAnnualDocumentHasTheReportsTablesAndSections(t *testing.T) {
	d, r := build2024Document(t)
	var titles []string
	tables := map[string]indicators.Table{}
	images := 0
	for _, s := range d.Sections {
		titles = append(titles, s.Title)
		for _, b := range s.Blocks {
			switch b := b.(type) {
			case annual.Table:
				tables[b.Name] = b.Table
			case annual.Image:
				images++
			}
		}
	}
	if len(titles) != 10 || !strings.HasPrefix(titles[0], "1. Les médiateurs santé") || !strings.HasPrefix(titles[6], "7. L'accès aux droits") ||
		!strings.HasPrefix(titles[8], "Annexe 1") {
		t.Errorf("sections: %q", titles)
	}
	if images != 5 {
		t.Errorf("%d charts, want 5", images)
	}
	for _, tb := range r.Tables() {
		got, ok := tables[tb.Name]
		if !ok {
			if tb.Name == "Besoins de santé" { // drawn as a chart
				continue
			}
			t.Errorf("table %q missing from the document", tb.Name)
			continue
		}
		if fmt.Sprint(got.Rows) != fmt.Sprint(tb.Rows) {
			t.Errorf("table %q differs from the report's", tb.Name)
		}
	}
	// Published figures, in the document's own rows.
	row := func(table, label string) string {
		for _, r := range tables[table].Rows {
			if r[0] == label {
				return fmt.Sprint(r[1:])
			}
		}
		return ""
	}
	for _, c := range []struct{ table, label, want string }{
		{"Sexe", "Nord (23)", "[978 815 0 1793 55 45 0]"},
		{"QPV", "Nord (23)", "[416 1377 1793 23 77]"},
		{"Droits", "Prestations de santé", "[1929 53"},
		{"Droits", "Total", "[3667 100"},
		{"Postes", "Hauts-de-France", "[58 10 48 49]"},
	} {
		if got := row(c.table, c.label); !strings.HasPrefix(got, c.want) {
			t.Errorf("%s / %s: %s, want %s…", c.table, c.label, got, c.want)
		}
	}
	annexe := tables["Annexe 1"]
	if strings.Join(annexe.Header, "|") != "Indicateur|Région|Picardie|Nord|Pas-de-Calais|Médiateurs ruraux|Médiateurs QPV" {
		t.Errorf("annexe header %v", annexe.Header)
	}
	if got := row("Annexe 1", "Personnes différentes par médiateur – déclaré (bilans)"); !strings.HasPrefix(got, "[154 ") {
		t.Errorf("declared mean %s, published 154", got)
	}
}

// docxText is the text of the DOCX's body, each part parsed as XML (a
// malformed part fails the test).
func docxText(t *testing.T, data []byte) (string, int) {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("DOCX is not a zip: %v", err)
	}
	var text strings.Builder
	images := 0
	for _, f := range z.File {
		if strings.HasPrefix(f.Name, "word/media/") {
			images++
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		dec := xml.NewDecoder(rc)
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s is not well-formed XML: %v", f.Name, err)
			}
			if cd, ok := tok.(xml.CharData); ok && f.Name == "word/document.xml" {
				text.Write(cd)
				text.WriteString(" ")
			}
		}
		rc.Close()
	}
	return text.String(), images
}

// pdfPages counts the pages of a PDF (its /Type /Page objects).
func pdfPages(data []byte) int {
	return len(regexp.MustCompile(`/Type\s*/Page\b`).FindAll(data, -1))
}

// pagesDir is where the tests leave PDF pages as PNG for a human to look
// at: RELAIS_PAGES_DIR, or a temporary directory kept after the test.
func pagesDir(t *testing.T) string {
	if dir := os.Getenv("RELAIS_PAGES_DIR"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	dir, err := os.MkdirTemp("", "relais-rapport-")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestAnnualDocumentAsPDFAndDOCX(t *testing.T) {
	d, _ := build2024Document(t)
	var pdf, docx bytes.Buffer
	if err := d.PDF(&pdf); err != nil {
		t.Fatal(err)
	}
	if err := d.DOCX(&docx); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf.Bytes()[:8])
	}
	// A title page, then at least one page per section.
	if n := pdfPages(pdf.Bytes()); n < 1+len(d.Sections) {
		t.Errorf("PDF has %d pages, want at least %d (title + one per section)", n, 1+len(d.Sections))
	}
	text, images := docxText(t, docx.Bytes())
	for _, want := range []string{"Bilan régional 2024", "1. Les médiateurs santé : qui sont-ils et où ?", "Nord (23)", "1 793", "Prestations de santé",
		"Personnes différentes par médiateur – déclaré (bilans)", "Médiateurs ruraux", "Rendez-vous, délais et offre de soins (",
		"« Un local pour les permanences. »", "Taux de résolution : demandes résolues au 31/12/2024"} {
		if !strings.Contains(text, want) {
			t.Errorf("DOCX lacks %q", want)
		}
	}
	if images != 5 {
		t.Errorf("DOCX has %d images, want 5", images)
	}

	dir := pagesDir(t)
	pdfPath, docxPath := filepath.Join(dir, "rapport-2024.pdf"), filepath.Join(dir, "rapport-2024.docx")
	for path, data := range map[string][]byte{pdfPath: pdf.Bytes(), docxPath: docx.Bytes()} {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("documents written to %s", dir)

	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Log("pdftoppm is not installed: pages not drawn as PNG (apt-get install poppler-utils)")
	} else {
		// The title page, the first section and the Annexe's page.
		annexe := d.SectionPages[len(d.SectionPages)-2]
		for _, page := range []int{1, d.SectionPages[6], annexe} {
			prefix := filepath.Join(dir, fmt.Sprintf("page-%02d", page))
			cmd := exec.Command("pdftoppm", "-png", "-r", "60", "-singlefile", "-f", fmt.Sprint(page), "-l", fmt.Sprint(page), pdfPath, prefix)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("pdftoppm page %d: %v\n%s", page, err, out)
			}
			if st, err := os.Stat(prefix + ".png"); err != nil || st.Size() < 1000 {
				t.Errorf("page %d PNG: %v", page, err)
			}
		}
		t.Logf("pages 1 (title), %d (access to rights and care) and %d (Annexe 1) drawn as PNG in %s", d.SectionPages[6], annexe, dir)
	}

	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("LibreOffice (soffice) is not installed: the DOCX was checked as XML only, not opened (apt-get install libreoffice-writer-nogui)")
	}
	out := filepath.Join(dir, "libreoffice")
	cmd := exec.Command(soffice, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "lo-profile"),
		"--convert-to", "pdf", "--outdir", out, docxPath)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("LibreOffice could not convert the DOCX: %v\n%s", err, b)
	}
	converted, err := os.ReadFile(filepath.Join(out, "rapport-2024.pdf"))
	if err != nil {
		t.Fatalf("LibreOffice wrote no PDF: %v", err)
	}
	if n := pdfPages(converted); n < 1+len(d.Sections) {
		t.Errorf("the DOCX opened in LibreOffice has %d pages, want at least %d (each section starts a page)", n, 1+len(d.Sections))
	}
}
