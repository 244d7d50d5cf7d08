package bot_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/relais-sante/relais/internal/bot"
	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegram"
	"github.com/relais-sante/relais/internal/telegramtest"
)

// seedSheets saves n sheets for the mediator registered as telegram user id,
// each with a CSS request (resolved for even i) on date.
func (h *harness) seedSheets(telegramID int64, n int, date time.Time) {
	h.t.Helper()
	ctx := context.Background()
	u, err := h.db.Store.UserByTelegramID(ctx, ids.TelegramID(telegramID))
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
			// Saved the day itself, by the bot's clock: a resolution's time is
			// what the reports read at a period's end.
			SavedAt: date.Add(12 * time.Hour),
		})
		if err != nil {
			h.t.Fatal(err)
		}
	}
}

func (h *harness) coordinator(id int64, inv store.Invitation) *telegramtest.User {
	h.t.Helper()
	inv.Role = roles.Coordinator
	u := h.tg.NewUser(id, "Coord").For(h.t)
	u.Send("/start " + h.invite(inv))
	u.Expect("Bienvenue")
	return u
}

func TestCoordinatorAsksIndicatorsOfTheirTerritoryOnly(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mediator(4001, "Awa", "59")
	h.mediator(4002, "Léa", "62")
	h.seedSheets(4001, 3, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	h.seedSheets(4002, 5, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))

	nord := h.coordinator(4100, store.Invitation{Level: "departement", Departement: "59"})
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
	nord.PressOn(figures, "Droits")
	rights := nord.Expect("Accès aux droits – Nord")
	if p := rights.Photo; p == nil || !bytes.HasPrefix(p.Data, []byte("\x89PNG")) {
		t.Fatal("no PNG chart with the rights section")
	}

	region := h.coordinator(4101, store.Invitation{Level: "region"})
	region.Send("/indicateurs 01/01/2026 31/12/2026")
	region.Expect("Quel territoire")
	region.Press("Hauts-de-France")
	region.Expect("Fiches : 8")

	region.Send("/indicateurs 31/12/2026 01/01/2026")
	region.Expect("Période incorrecte")
}

func TestMediatorSeesOwnFiguresWithMonbilan(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mediator(4201, "Awa", "59")
	other := h.mediator(4202, "Léa", "59")
	h.seedSheets(4201, 4, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	h.seedSheets(4202, 7, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	other.Send("/monbilan")
	other.Press("Ce mois")
	figures := other.Expect("Fiches : 7")
	if !strings.HasPrefix(figures.Text, "Vos chiffres\n") || strings.Contains(figures.Text, "Médiateur") {
		t.Fatalf("a mediator's own figures are headed by a post name:\n%s", figures.Text)
	}
	other.PressOn(figures, "Droits")
	if chart := other.Expect("Accès aux droits – vos chiffres"); chart.Photo == nil || strings.Contains(chart.Text, "n°") || strings.Contains(chart.Text, "Médiateur") {
		t.Fatalf("the mediator's rights section (a chart, no post name): %s", chart)
	}
	other.Send("/indicateurs")
	other.Expect("réservée aux coordinateurs")
}

func TestExportSendsXLSXAndIsAudited(t *testing.T) {
	t.Parallel()
	h := newHarness(t, chatLines) // the line-level files in the chat
	h.mediator(4301, "Awa", "80")
	h.seedSheets(4301, 2, time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC))
	c := h.coordinator(4302, store.Invitation{Level: "departement", Departement: "80"})
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
	if len(rows) != 3 || rows[0][0] != "Fiche" || rows[1][13] != "Complémentaire Santé Solidaire" {
		t.Fatalf("raw rows = %v", rows)
	}
	if n := h.count(`SELECT count(*) FROM exports WHERE user_id = 4302 AND format = 'xlsx'`); n != 1 {
		t.Fatalf("export audit rows = %d", n)
	}
	c.Press("CSV pour tableur")
	deadline = time.Now().Add(5 * time.Second)
	for (c.LastMessage().Document == nil || !strings.HasSuffix(c.LastMessage().Document.Name, ".csv")) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if d := c.LastMessage().Document; d == nil || !strings.HasPrefix(string(d.Data), "\ufeffFiche;Date;Médiateur;Département;") {
		t.Fatalf("no CSV export: %+v", c.LastMessage())
	}
}

func TestDigestSwitch(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(4401, "Awa", "59")
	u.Send("/digest off") // the former name still works
	u.Expect("ne recevrez plus le résumé du lundi")
	if n := h.count(`SELECT count(*) FROM users WHERE telegram_id = 4401 AND NOT digest`); n != 1 {
		t.Fatal("digest not turned off")
	}
	u.Send("/digest peut-être")
	u.Expect("Je n'ai pas compris « peut-être »")
	if n := h.count(`SELECT count(*) FROM users WHERE telegram_id = 4401 AND NOT digest`); n != 1 {
		t.Fatal("an unclear answer changed the setting")
	}
	u.Send("/resume")
	u.Expect("Le résumé du lundi est désactivé. Écrivez /resume oui pour le recevoir")
	u.Send("/resume oui")
	u.Expect("chaque lundi")
	if n := h.count(`SELECT count(*) FROM users WHERE telegram_id = 4401 AND digest`); n != 1 {
		t.Fatal("/resume oui did not turn the Monday summary on")
	}
}

// forgePress delivers a callback query with any data, as a modified client
// could send, on the user's message msg, to a bot sharing the harness's
// database, Redis and fake Telegram.
func (h *harness) forgePress(user *telegramtest.User, msg telegramtest.Message, data string) {
	h.t.Helper()
	ctx := context.Background()
	api, err := telegram.Connect(ctx, h.tg.Token(), h.tg.Endpoint())
	if err != nil {
		h.t.Fatal(err)
	}
	b := bot.New(bot.Options{
		Store: h.db.Store, Drafts: h.drafts, Updates: h.updates, Location: paris, Now: h.clock.Now, Forms: h.forms,
		Out:      telegram.NewSender(api, telegram.SenderOptions{Unlimited: true}),
		Username: api.Self.UserName, Log: slog.New(slog.DiscardHandler),
	})
	ev := chat.Event{ID: int(time.Now().UnixNano() % 1_000_000_000), ChatID: user.ID(), ChatKind: chat.Private,
		SenderID: user.ID(), SenderName: "Coord", MessageID: msg.ID,
		Press: &chat.Press{Data: data, CallbackID: "forged", MessageText: msg.Text}}
	// The running bot may still hold the chat (finishing the previous
	// update): deliver again, as Telegram would.
	for i := 0; ; i++ {
		err := b.HandleEvent(ctx, ev)
		if !errors.Is(err, bot.ErrChatBusy) {
			if err != nil {
				h.t.Fatal(err)
			}
			return
		}
		if i == 500 {
			h.t.Fatal("chat busy for 5 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestForgedScopeButtonIsRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mediator(4401, "Awa", "59")
	h.mediator(4402, "Léa", "62")
	h.seedSheets(4401, 3, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	h.seedSheets(4402, 5, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	nord := h.coordinator(4410, store.Invitation{Level: "departement", Departement: "59"})
	nord.Send("/indicateurs 01/01/2026 31/12/2026")
	choice := nord.Expect("Quel territoire")
	sum := sha256.Sum256([]byte(indicators.Departement("62").Key()))
	forged := []string{
		"i:20260101-20261231:" + hex.EncodeToString(sum[:5]), // Pas-de-Calais, named
		"i:20260101-20261231:7",                              // a place in the list
		"e:20260101-20261231:" + hex.EncodeToString(sum[:5]) + ":csv",
	}
	for _, data := range forged {
		h.forgePress(nord, choice, data)
		if got := nord.LastMessage(); !strings.Contains(got.Text, "ne fait pas partie") || got.Document != nil {
			t.Fatalf("forged %q answered %s", data, got)
		}
	}
	if n := h.count(`SELECT count(*) FROM exports`); n != 0 {
		t.Fatalf("%d exports after forged presses", n)
	}
}

// A structure registering between the question and the press must not turn
// a button into another territory's figures.
func TestScopeButtonKeepsItsTerritoryWhenStructuresChange(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mediator(4501, "Awa", "59") // CCAS Roubaix, Nord
	h.seedSheets(4501, 3, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	region := h.coordinator(4510, store.Invitation{Level: "region"})
	region.Send("/indicateurs 01/01/2026 31/12/2026")
	choice := region.Expect("Quel territoire")

	late := h.tg.NewUser(4502, "Zoé").For(t)
	late.Send("/start " + h.invite(store.Invitation{Role: roles.Mediator, Departement: "02", Structure: "Association Laon"}))
	late.Expect("Bienvenue")

	region.PressOn(choice, "CCAS Roubaix (Nord)")
	figures := region.Expect("Indicateurs – ")
	if !strings.Contains(figures.Text, "Indicateurs – CCAS Roubaix (Nord)") || !strings.Contains(figures.Text, "Fiches : 3") {
		t.Fatalf("pressed CCAS Roubaix, got:\n%s", figures.Text)
	}
}

// The CSV button under an XLSX export gives the same dates, whatever the day it is pressed.
func TestExportCSVButtonKeepsThePeriod(t *testing.T) {
	t.Parallel()
	h := newHarness(t, chatLines) // the line-level files in the chat
	h.mediator(4601, "Awa", "80")
	h.seedSheets(4601, 2, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
	c := h.coordinator(4602, store.Invitation{Level: "structure", Departement: "80", Structure: "CCAS Roubaix"})
	c.Send("/export")
	c.Press("Cette semaine")
	deadline := time.Now().Add(5 * time.Second)
	for c.LastMessage().Document == nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	xlsx := c.LastMessage()
	if xlsx.Document == nil {
		t.Fatalf("no XLSX: %s", xlsx)
	}
	h.clock.Set(time.Date(2026, 12, 1, 10, 0, 0, 0, paris)) // next week
	c.PressOn(xlsx, "CSV pour tableur")
	deadline = time.Now().Add(5 * time.Second)
	for (c.LastMessage().Document == nil || !strings.HasSuffix(c.LastMessage().Document.Name, ".csv")) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	d := c.LastMessage()
	if d.Document == nil || !strings.HasSuffix(d.Document.Name, "_2026-11-23_2026-11-23.csv") || strings.Count(string(d.Document.Data), "\n") != 3 {
		t.Fatalf("CSV of another period: %s\n%s", d, d.Document.Data)
	}
}
