package bot_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegramtest"
)

// The person's code, the review's free text: what must not leave through
// the chat with RELAIS_CHAT_FILES=aggregates.
const (
	chatFilesPerson = "7K9JTG"
	chatFilesAnswer = "Le partenariat avec la maison de santé de Wattrelos"
)

// seedLineData gives a Nord mediator one 2025 sheet about person 7K9JTG
// and a 2025 annual review with a free-text answer; it returns the
// mediator's post identifier.
func seedLineData(t *testing.T, h *harness) string {
	t.Helper()
	h.mediator(7001, "Awa", "59")
	h.saveSheet(7001, "S-7001-1", chatFilesPerson, time.Date(2025, 5, 12, 0, 0, 0, 0, time.UTC),
		store.Request{Kind: "droits", Type: "css", Status: "resolue"})
	u := h.user(7001)
	yes := true
	if _, err := h.db.Store.SaveReview(context.Background(), store.Review{MediatorID: u.Mediator.ID, Year: 2025, Identified: &yes,
		Helped: chatFilesAnswer, Hindered: "Les délais de la CPAM."}, time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	return h.identifier(7001)
}

// exportXLSX asks /export for 2025 as the Nord coordinator 7002 and returns
// the message carrying the workbook.
func exportXLSX(t *testing.T, h *harness) (*telegramtest.User, telegramtest.Message) {
	t.Helper()
	c := h.coordinator(7002, store.Invitation{Level: "departement", Departement: "59"})
	c.Send("/export 01/01/2025 31/12/2025")
	c.Expect("Quel territoire")
	c.Press("Nord")
	return c, waitLong(t, c, "XLSX", func(m telegramtest.Message) bool {
		return m.Document != nil && strings.HasSuffix(m.Document.Name, ".xlsx")
	})
}

// waitLong waits for the user's newest message to satisfy ok, with a
// deadline sized for a slow, busy machine (an export under -race).
func waitLong(t *testing.T, u *telegramtest.User, what string, ok func(telegramtest.Message) bool) telegramtest.Message {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		if m := u.LastMessage(); ok(m) {
			return m
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %s; last message: %s", what, u.LastMessage())
	return telegramtest.Message{}
}

// workbook opens an XLSX and returns its sheet names and every cell's text.
func workbook(t *testing.T, data []byte) (sheets []string, cells string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var all strings.Builder
	for _, name := range f.GetSheetList() {
		rows, err := f.GetRows(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			all.WriteString(name + ": " + strings.Join(row, "|") + "\n")
		}
	}
	return f.GetSheetList(), all.String()
}

// docxText is the text of a DOCX's body (its XML, tags included).
func docxText(t *testing.T, data []byte) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range z.File {
		if f.Name != "word/document.xml" {
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
	t.Fatal("no word/document.xml in the DOCX")
	return ""
}

// By default (RELAIS_CHAT_FILES=aggregates), the files the chat carries hold
// figures only: no "Données" sheet, no free-text answers, no person code,
// no post identifier, no line-level CSV.
func TestChatFilesHoldFiguresOnlyByDefault(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	post := seedLineData(t, h)
	c, xlsx := exportXLSX(t, h)
	sheets, cells := workbook(t, xlsx.Document.Data)
	for _, gone := range []string{"Données", "Bilans – réponses libres"} {
		if slices.Contains(sheets, gone) {
			t.Errorf("the chat's workbook has the sheet %q: %q", gone, sheets)
		}
	}
	for _, secret := range []string{chatFilesPerson, post, chatFilesAnswer, "Les délais de la CPAM."} {
		if strings.Contains(cells, secret) {
			t.Errorf("the chat's workbook holds %q:\n%s", secret, cells)
		}
	}
	if !strings.Contains(cells, "Synthèse: Fiches|1\n") {
		t.Errorf("the workbook lacks its figures:\n%s", cells)
	}
	if got := strings.Join(xlsx.ButtonTexts(), "|"); got != "Autre période|Autre territoire" {
		t.Errorf("buttons under the chat's workbook: %s", got)
	}
	mustContain(t, xlsx.Text, "Export Excel — Nord, du 01/01/2025 au 31/12/2025.",
		"des chiffres seulement", "aucune ligne par demande", "aucun code de personne", "aucun identifiant de poste", "aucune réponse libre",
		"relais report")

	// A line-level CSV asked by an older button: a French answer, no file.
	sum := sha256.Sum256([]byte(indicators.Departement("59").Key()))
	for _, format := range []string{"csv", "codes"} {
		c.PressData(xlsx.ID, "e:20250101-20251231:"+hex.EncodeToString(sum[:5])+":"+format)
		got := c.Expect("ne sont pas envoyés dans la discussion")
		mustContain(t, got.Text, "relais report", "administrateur")
		if got.Document != nil {
			t.Fatalf("a %s file was sent: %s", format, got)
		}
	}
	if n := h.count(`SELECT count(*) FROM exports WHERE format <> 'xlsx'`); n != 0 {
		t.Errorf("%d refused line files recorded as exports", n)
	}

	// The annual report: figures, without the reviews' free text.
	region := h.coordinator(7003, store.Invitation{Level: "region"})
	region.Send("/rapport 2025")
	menu := region.Expect("Rapport annuel 2025 de la région")
	mustContain(t, menu.Text, "Les réponses libres des bilans n'y figurent pas")
	region.PressOn(menu, "Rapport annuel 2025 (Word)")
	doc := waitLong(t, region, "DOCX", func(m telegramtest.Message) bool { return m.Document != nil })
	body := docxText(t, doc.Document.Data)
	for _, secret := range []string{chatFilesAnswer, "Les délais de la CPAM.", post, chatFilesPerson} {
		if strings.Contains(body, secret) {
			t.Errorf("the chat's annual report holds %q", secret)
		}
	}
	mustContain(t, body, "Bilan régional 2025", "relais report --format docx")
	mustContain(t, doc.Text, "Rapport annuel 2025 – Hauts-de-France (DOCX).", "Chiffres seulement", "réponses libres des bilans n'y figurent pas")
}

// With RELAIS_CHAT_FILES=lines, the chat gets the line-level files as before.
func TestChatFilesLinesSendsTheLines(t *testing.T) {
	t.Parallel()
	h := newHarness(t, chatLines)
	post := seedLineData(t, h)
	c, xlsx := exportXLSX(t, h)
	sheets, cells := workbook(t, xlsx.Document.Data)
	for _, want := range []string{"Synthèse", "Bilans – réponses libres", "Données"} {
		if !slices.Contains(sheets, want) {
			t.Errorf("the workbook lacks the sheet %q: %q", want, sheets)
		}
	}
	for _, want := range []string{"|12/05/2025|" + post + "|Nord|" + chatFilesPerson + "|", chatFilesAnswer} {
		if !strings.Contains(cells, want) {
			t.Errorf("the workbook lacks %q:\n%s", want, cells)
		}
	}
	if got := strings.Join(xlsx.ButtonTexts(), "|"); got != "CSV pour tableur|CSV à codes (réimport)|Autre période|Autre territoire" {
		t.Errorf("buttons under the workbook: %s", got)
	}
	mustContain(t, xlsx.Text, "la feuille « Données », une ligne par demande, en clair")
	c.PressOn(xlsx, "CSV pour tableur")
	csv := waitLong(t, c, "CSV", func(m telegramtest.Message) bool {
		return m.Document != nil && strings.HasSuffix(m.Document.Name, ".csv")
	})
	if !strings.Contains(string(csv.Document.Data), ";"+post+";Nord;"+chatFilesPerson+";") {
		t.Errorf("CSV:\n%s", csv.Document.Data)
	}

	region := h.coordinator(7003, store.Invitation{Level: "region"})
	region.Send("/rapport 2025")
	menu := region.Expect("Rapport annuel 2025 de la région")
	mustContain(t, menu.Text, "Il contient les réponses libres des bilans")
	region.PressOn(menu, "Rapport annuel 2025 (Word)")
	doc := waitLong(t, region, "DOCX", func(m telegramtest.Message) bool { return m.Document != nil })
	// The answer is quoted by its département, never by its post.
	text := docxText(t, doc.Document.Data)
	mustContain(t, text, chatFilesAnswer+" » (Nord)")
	if strings.Contains(text, post) {
		t.Errorf("the annual report names the post %s", post)
	}
	mustContain(t, doc.Text, "Contient les réponses libres des bilans.")
}
