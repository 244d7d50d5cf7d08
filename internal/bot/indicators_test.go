package bot_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegramtest"
)

// seedSheets saves n sheets for the mediator registered as telegram user id,
// each with a CSS request (resolved for even i) on date.
func (h *harness) seedSheets(telegramID int64, n int, date time.Time) {
	h.t.Helper()
	ctx := context.Background()
	u, err := h.db.Store.UserByTelegramID(ctx, telegramID)
	if err != nil {
		h.t.Fatal(err)
	}
	for i := range n {
		status := "en_cours"
		if i%2 == 0 {
			status = "resolue"
		}
		age := 30 + i
		_, _, err := h.db.Store.SaveSheet(ctx, store.Sheet{
			ID: fmt.Sprintf("seed-%d-%d", telegramID, i), MediatorID: u.Mediator.ID, Date: date,
			Beneficiary: fmt.Sprintf("P%05d", telegramID%1000*100+int64(i)), Sex: "F", Age: &age, QPV: "oui",
			Resources: "rsa", ContactMode: "aller_vers", Level: "oriente", SocialProtection: "non",
			Requests: []store.Request{{Kind: "droits", Type: "css", Status: status}},
		})
		if err != nil {
			h.t.Fatal(err)
		}
	}
}

func (h *harness) coordinator(id int64, inv store.Invitation) *telegramtest.User {
	h.t.Helper()
	inv.Role = store.RoleCoordinator
	u := h.tg.NewUser(id, "Coord").For(h.t)
	u.Send("/start " + h.invite(inv))
	u.Expect("Bienvenue")
	return u
}

func TestCoordinatorAsksIndicatorsOfTheirTerritoryOnly(t *testing.T) {
	h := newHarness(t)
	h.mediator(4001, "Awa", "59")
	h.mediator(4002, "Léa", "62")
	h.seedSheets(4001, 3, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	h.seedSheets(4002, 5, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))

	nord := h.coordinator(4100, store.Invitation{Scope: "departement", Departement: "59"})
	nord.Send("/indicateurs")
	nord.Expect("quelle période")
	nord.Press("Cette année")
	choice := nord.Expect("Quel territoire")
	labels := strings.Join(choice.ButtonTexts(), "|")
	if !strings.Contains(labels, "Nord") || strings.Contains(labels, "Pas-de-Calais") || strings.Contains(labels, "Hauts-de-France") {
		t.Fatalf("Nord coordinator offered %s", labels)
	}
	nord.Press(choice.ButtonTexts()[0])
	figures := nord.Expect("Fiches : 3")
	if strings.Contains(figures.Text, "Fiches : 8") {
		t.Fatalf("Nord figures include Pas-de-Calais: %s", figures.Text)
	}
	deadline := time.Now().Add(5 * time.Second)
	for nord.LastMessage().Photo == nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if p := nord.LastMessage().Photo; p == nil || !bytes.HasPrefix(p.Data, []byte("\x89PNG")) {
		t.Fatal("no PNG chart after the figures")
	}

	region := h.coordinator(4101, store.Invitation{Scope: "region"})
	region.Send("/indicateurs 01/01/2026 31/12/2026")
	region.Expect("Quel territoire")
	region.Press("Hauts-de-France")
	region.Expect("Fiches : 8")

	region.Send("/indicateurs 31/12/2026 01/01/2026")
	region.Expect("Période incorrecte")
}

func TestMediatorSeesOwnFiguresWithMonbilan(t *testing.T) {
	h := newHarness(t)
	h.mediator(4201, "Awa", "59")
	other := h.mediator(4202, "Léa", "59")
	h.seedSheets(4201, 4, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	h.seedSheets(4202, 7, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	other.Send("/monbilan")
	other.Press("Ce mois")
	other.Expect("Fiches : 7")
	other.Send("/indicateurs")
	other.Expect("Commande inconnue")
}

func TestExportSendsXLSXAndIsAudited(t *testing.T) {
	h := newHarness(t)
	h.mediator(4301, "Awa", "80")
	h.seedSheets(4301, 2, time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC))
	c := h.coordinator(4302, store.Invitation{Scope: "departement", Departement: "80"})
	c.Send("/export")
	c.Press("Ce mois")
	c.Press("Somme")
	deadline := time.Now().Add(5 * time.Second)
	for c.LastMessage().Document == nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	doc := c.LastMessage().Document
	if doc == nil || !strings.HasSuffix(doc.Name, ".xlsx") {
		t.Fatalf("no XLSX document: %+v", c.LastMessage())
	}
	f, err := excelize.OpenReader(bytes.NewReader(doc.Data))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("Données")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][0] != "sheet_id" || rows[1][13] != "css" {
		t.Fatalf("raw rows = %v", rows)
	}
	if n := h.count(`SELECT count(*) FROM exports WHERE user_id = 4302 AND format = 'xlsx'`); n != 1 {
		t.Fatalf("export audit rows = %d", n)
	}
	c.Press("La même chose en CSV")
	deadline = time.Now().Add(5 * time.Second)
	for (c.LastMessage().Document == nil || !strings.HasSuffix(c.LastMessage().Document.Name, ".csv")) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if d := c.LastMessage().Document; d == nil || !strings.HasPrefix(string(d.Data), "sheet_id,date,mediator") {
		t.Fatalf("no CSV export: %+v", c.LastMessage())
	}
}

func TestDigestSwitch(t *testing.T) {
	h := newHarness(t)
	u := h.mediator(4401, "Awa", "59")
	u.Send("/digest off")
	u.Expect("ne recevrez plus")
	if n := h.count(`SELECT count(*) FROM users WHERE telegram_id = 4401 AND NOT digest`); n != 1 {
		t.Fatal("digest not turned off")
	}
	u.Send("/digest on")
	u.Expect("chaque lundi")
}
