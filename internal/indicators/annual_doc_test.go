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
	"github.com/relais-sante/relais/internal/bulkimport"
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
	if err := trackingcsv.RunImport(ctx, bulkimport.New(db.Store), bytes.NewReader(buildTrackingCSV(t, p)), hdf, false, &out); err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	seed2024Annexe(t, db)
	execAll(t, db, `UPDATE reviews SET helped = 'Le partenariat avec la CPAM et le CLS.', hindered = 'Les délais de rendez-vous chez les spécialistes.',
	                                   improve = 'Un local pour les permanences.' WHERE mediator_id % 7 = 0`,
		`UPDATE reviews SET health_needs = '{sante_mentale,nutrition}' WHERE mediator_id % 2 = 0`)
	now := time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)
	d, err := annual.Build(ctx, db.Store.Reports(), indicators.Year(2024), indicators.Region("32"), now)
	if err != nil {
		t.Fatal(err)
	}
	r, err := indicators.Compute(ctx, db.Store.Reports(), indicators.Year(2024), indicators.Region("32"), indicators.AsOf(now))
	if err != nil {
		t.Fatal(err)
	}
	return d, r
}

// The document's tables are the report's tables (the numbers of --format
// json), the published 2024 figures among them, in the report's sections.
func TestAnnualDocumentHasTheReportsTablesAndSections(t *testing.T) {
	t.Parallel()
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
	// Requests, health needs, obstacles and publics; the actions of 2024
	// have no theme: no chart is printed empty.
	if images != 4 {
		t.Errorf("%d charts, want 4", images)
	}
	// The tables the document prints as they are in the report; the others:
	// the summary without its live row, the shares by territory in one
	// column each, the partners without an empty source (tested below).
	reshaped := map[string]bool{"Synthèse": true, "Ressources": true, "Mode de contact": true, "Niveau": true, "Partenaires": true, "Bilan annuel": true, "Actions": true}
	for _, tb := range r.Tables() {
		got, ok := tables[tb.Name]
		if reshaped[tb.Name] {
			continue
		}
		if !ok {
			if tb.Name == "Besoins de santé" || tb.Name == "Thèmes des actions" { // drawn as a chart; no theme in 2024
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
		{"Niveau", "Informé", "[148 (33 %) 597 (33 %) 59 (34 %) 510 (33 %) 78 (33 %) 1 392 (33 %)]"},
		{"Ressources", "AAH", "[41 (9 %) 163 (9 %) 16 (9 %) 139 (9 %) 21 (9 %) 380 (9 %)]"},
		{"Synthèse", "Fiches", "[4175]"},
		{"Synthèse", "Demandes résolues sur la période", "[4484]"},
		{"Bilan annuel", "Bilans remplis", "[49 8 41]"},
	} {
		if got := row(c.table, c.label); !strings.HasPrefix(got, c.want) {
			t.Errorf("%s / %s: %s, want %s…", c.table, c.label, got, c.want)
		}
	}
	if h := strings.Join(tables["Ressources"].Header, "|"); h != "Ressource|Aisne (5)|Nord (23)|Oise (1)|Pas-de-Calais (17)|Somme (3)|Hauts-de-France (49)" {
		t.Errorf("resources header %s", h)
	}
	// 2024 was over when the report was made (10/03/2025): nothing counted
	// « à ce jour ».
	for _, row := range tables["Synthèse"].Rows {
		if strings.Contains(fmt.Sprint(row[0]), "à ce jour") {
			t.Errorf("the closed year's summary has a live row: %v", row)
		}
	}
	// No partner in Relais's directory nor declared in the 2024 reviews:
	// neither a 0 per mediator nor a row of dashes.
	if _, ok := tables["Partenaires"]; ok {
		t.Errorf("the empty partner directory is printed as 0 partners per mediator")
	}
	for _, row := range tables["Bilan annuel"].Rows {
		if strings.Contains(fmt.Sprint(row[0]), "déclarés") {
			t.Errorf("a row without any declared figure is printed: %v", row)
		}
	}
	// No review of 2024 answers « missions connues »: not 0 %, but no row in
	// section 4 and « – » in Annexe 1; « rôle identifié » is answered.
	if got := row("Bilan annuel", "Missions connues des partenaires (%)"); got != "" {
		t.Errorf("a question no review answered is printed: %s", got)
	}
	if got := row("Bilan annuel", "Rôle identifié sur le territoire (%)"); got != "[82 88 80]" {
		t.Errorf("rôle identifié: %s, want [82 88 80]", got)
	}
	if got := row("Annexe 1", "Missions connues des partenaires (% des bilans)"); got != "[     ]" {
		t.Errorf("Annexe 1, missions connues: %q, want six blanks (printed –)", got)
	}
	// No participant recorded for the 948 actions: no row of zeros.
	if got := row("Actions", "Actions"); got != "[948 154 794]" {
		t.Errorf("actions: %s", got)
	}
	if got := row("Actions", "Participants"); got != "" {
		t.Errorf("the actions' participants are printed as %s, yet none is recorded", got)
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
	t.Parallel()
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
		"« Un local pour les permanences. » (Nord, 4 bilans)", "Contexte et faits marquants", "Sommaire", "Chiffres clés", "Taux de résolution : demandes résolues au 31/12/2024"} {
		if !strings.Contains(text, want) {
			t.Errorf("DOCX lacks %q", want)
		}
	}
	if images != 4 {
		t.Errorf("DOCX has %d images, want 4", images)
	}
	if strings.Contains(text, "MED-") {
		t.Errorf("the DOCX quotes a post identifier")
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

	// A skip even under RELAIS_CI: .ci/run does not install LibreOffice
	// (about 60 packages, 250 MB) for this one check.
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

// pdfText is the PDF's text, page by page, in the order it was drawn
// (pdftotext -raw: a header cell broken over lines shows as consecutive
// fragments). Without pdftotext the test skips, except under RELAIS_CI
// where .ci/run installs poppler-utils.
func pdfText(t *testing.T, pdf []byte) []string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("RELAIS_CI") != "" {
			t.Fatal("pdftotext is not installed and RELAIS_CI is set: .ci/run should have installed poppler-utils")
		}
		t.Skip("pdftotext is not installed (apt-get install poppler-utils): the PDF's text is not read")
	}
	path := filepath.Join(t.TempDir(), "rapport.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-raw", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Split(strings.TrimRight(string(out), "\f"), "\f")
}

// splitWords finds the words of the tables' headers (and the territory
// names) that the PDF prints broken over two or three lines.
func splitWords(pages []string, words []string) []string {
	seen := map[string]bool{}
	var broken []string
	for _, page := range pages {
		tokens := strings.Fields(page)
		for i := range tokens {
			for _, w := range words {
				if len(w) < 4 || tokens[i] == w || !strings.HasPrefix(w, tokens[i]) {
					continue
				}
				joined := tokens[i]
				for j := i + 1; j < len(tokens) && j <= i+3 && len(joined) < len(w); j++ {
					joined += tokens[j]
					if s := strings.Join(tokens[i:j+1], " / "); joined == w && !seen[s] {
						seen[s] = true
						broken = append(broken, s)
					}
				}
			}
		}
	}
	return broken
}

func buildPDF(t *testing.T, d *annual.Document) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := d.PDF(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The PDF of a closed year reads as a region would send it: a table of
// contents and the key figures first, no header word broken, no empty
// chart, no live « à ce jour » figure, no « provisoire », quotes signed by
// their département only, no placeholder for the coordinator's text.
func TestAnnualPDFReadsAsSent(t *testing.T) {
	t.Parallel()
	d, _ := build2024Document(t)
	pages := pdfText(t, buildPDF(t, d))
	all := strings.Join(pages, "\n")

	words := []string{"Pas-de-Calais", "Somme", "Hauts-de-France", "nombre", "Médiateurs", "binaire", "résolues"}
	for _, s := range d.Sections {
		for _, b := range s.Blocks {
			if tb, ok := b.(annual.Table); ok {
				for _, h := range tb.Header {
					words = append(words, strings.Fields(h)...)
				}
			}
		}
	}
	if broken := splitWords(pages, words); len(broken) > 0 {
		t.Errorf("header words broken over lines: %q", broken)
	}
	if len(pages) < 3 || !strings.Contains(pages[1], "Sommaire") {
		t.Fatalf("page 2 is not the table of contents:\n%.400s", pages[min(1, len(pages)-1)])
	}
	for _, title := range []string{"Chiffres clés", "1. Les médiateurs santé : qui sont-ils et où ?", "7. L'accès aux droits et aux soins", "Annexe 1 – Données par territoire"} {
		if !strings.Contains(pages[1], title) {
			t.Errorf("the table of contents lacks %q", title)
		}
	}
	if !strings.Contains(pages[2], "Chiffres clés") {
		t.Errorf("page 3 is not the key figures:\n%.400s", pages[2])
	}
	for _, want := range []string{"4 175", "2 090", "58", "49", "3 667", "76 %", "2 324", "73 %"} {
		if !strings.Contains(pages[2], want) {
			t.Errorf("the key figures page lacks %q:\n%s", want, pages[2])
		}
	}
	for _, unwanted := range []string{"aucune donnée", "à ce jour", "provisoire", "MED-", "À compléter", "Contexte et faits marquants"} {
		if strings.Contains(all, unwanted) {
			t.Errorf("the PDF of 2024 says %q", unwanted)
		}
	}
	if !strings.Contains(all, "« Un local pour les permanences. » (Nord") {
		t.Errorf("the quote is not signed by its département")
	}
}

// A report of the year not yet over says it is provisional, with the day,
// on its title page and in every page's footer.
func TestAnnualPDFOfTheCurrentYearIsProvisional(t *testing.T) {
	t.Parallel()
	p := loadPublished(t)
	db := testenv.NewDB(t)
	ctx := context.Background()
	var out bytes.Buffer
	if err := trackingcsv.RunImport(ctx, bulkimport.New(db.Store), bytes.NewReader(buildTrackingCSV(t, p)), hdf, false, &out); err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	now := time.Date(2024, 11, 15, 9, 0, 0, 0, time.UTC)
	d, err := annual.Build(ctx, db.Store.Reports(), indicators.Year(2024), indicators.Region("32"), now)
	if err != nil {
		t.Fatal(err)
	}
	pages := pdfText(t, buildPDF(t, d))
	for i, page := range pages {
		if !strings.Contains(page, "provisoire, au 15/11/2024") {
			t.Errorf("page %d does not say « provisoire, au 15/11/2024 »:\n%.300s", i+1, page)
		}
	}
	// The last day of the year is still the current year; the next day, the
	// year is closed.
	for _, c := range []struct {
		now         time.Time
		provisional bool
	}{
		{time.Date(2024, 12, 31, 22, 0, 0, 0, time.UTC), true},   // 23:00 in Paris
		{time.Date(2024, 12, 31, 23, 30, 0, 0, time.UTC), false}, // 00:30 on 1 January in Paris
	} {
		d, err := annual.Build(ctx, db.Store.Reports(), indicators.Year(2024), indicators.Region("32"), c.now)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(d.Title+d.Subtitle, "provisoire"); got != c.provisional {
			t.Errorf("built at %s: provisional %v, want %v (%s / %s)", c.now, got, c.provisional, d.Title, d.Subtitle)
		}
	}
}
