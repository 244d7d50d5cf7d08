package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/relais-sante/relais/internal/dialog"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/reminders"
	"github.com/relais-sante/relais/internal/state"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegram"
	"github.com/relais-sante/relais/internal/telegramtest"
)

// scheduler is the reminders scheduler of the harness's bot process.
func (h *harness) scheduler() *reminders.Scheduler {
	h.t.Helper()
	api, err := telegram.Connect(context.Background(), h.tg.Token(), h.tg.Endpoint())
	if err != nil {
		h.t.Fatal(err)
	}
	return reminders.New(reminders.Options{
		Store:    h.db.Store,
		Drafts:   h.drafts,
		Out:      telegram.NewSender(api, telegram.SenderOptions{Unlimited: true}),
		Location: paris,
		Hour:     9,
		Forms:    h.forms,
	})
}

func (h *harness) runReminders(now time.Time) {
	h.t.Helper()
	h.clock.Set(now)
	if err := h.scheduler().Job().Run(context.Background(), now); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) user(id int64) *store.User {
	h.t.Helper()
	u, err := h.db.Store.UserByTelegramID(context.Background(), ids.TelegramID(id))
	if err != nil {
		h.t.Fatal(err)
	}
	return u
}

// openSheet saves a sheet of date whose requests are open with these follow-up dates (zero: none).
func (h *harness) openSheet(mediatorID ids.MediatorID, id, ben string, date time.Time, follows ...time.Time) {
	h.t.Helper()
	sh := store.Sheet{ID: id, MediatorID: mediatorID, Date: date, Beneficiary: ben, Sex: "M", QPV: "non",
		Resources: "salaire", ContactMode: "contact_direct", Level: "oriente", SocialProtection: "non"}
	for i, f := range follows {
		r := store.Request{Kind: "soins", Type: "depistage", Status: "en_cours"}
		if i%2 == 1 {
			r.Kind, r.Type = "droits", "css"
		}
		if !f.IsZero() {
			r.FollowUp = &f
		}
		sh.Requests = append(sh.Requests, r)
	}
	if _, _, err := h.db.Store.SaveSheet(context.Background(), sh); err != nil {
		h.t.Fatal(err)
	}
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func (h *harness) request(id int64) (status string, follow, resolved *time.Time) {
	h.t.Helper()
	if err := h.db.SQL.QueryRow(context.Background(),
		`SELECT status, follow_up, resolved_at FROM requests WHERE id = $1`, id).Scan(&status, &follow, &resolved); err != nil {
		h.t.Fatal(err)
	}
	return
}

func requestIDs(h *harness) []int64 {
	h.t.Helper()
	rows, err := h.db.SQL.Query(context.Background(), `SELECT id FROM requests ORDER BY id`)
	if err != nil {
		h.t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			h.t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		h.t.Fatal(err)
	}
	return ids
}

func TestReminderOfASheetFilledInTheBotClosesWithOneTap(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(3001, "Awa", "59")
	fillToSummary(u) // 23/11: a CSS request open until 30/11, a screening resolved
	u.Press("✅ Enregistrer")
	u.Expect("Fiche n°")

	h.runReminders(time.Date(2026, 11, 29, 9, 0, 0, 0, paris))
	for _, m := range u.Messages() {
		if strings.Contains(m.Text, "Bonjour ! Des demandes attendent votre suivi aujourd'hui :") {
			t.Fatalf("reminded before the follow-up date: %v", m)
		}
	}
	h.runReminders(time.Date(2026, 11, 30, 9, 0, 0, 0, paris))
	rem := u.Expect("Bonjour ! Des demandes attendent votre suivi aujourd'hui :")
	if !strings.Contains(rem.Text, "Fiche n° 1, demande 1 — 23/11/2026") ||
		!strings.Contains(rem.Text, "Bonjour ! Des demandes attendent votre suivi aujourd'hui : 1 aujourd'hui.\n\n") ||
		!strings.Contains(rem.Text, "Accès aux droits · Complémentaire Santé Solidaire — suivi aujourd'hui") ||
		strings.Contains(rem.Text, "Dépistage") {
		t.Fatalf("reminder:\n%s", rem.Text)
	}
	if got := strings.Join(rem.ButtonTexts(), "|"); got != "Résolue|Non résolue|Abandonnée|Reporter d'une semaine" {
		t.Fatalf("buttons = %s", got)
	}

	h.clock.Set(time.Date(2026, 11, 30, 9, 42, 0, 0, paris))
	u.PressOn(rem, "Résolue")
	u.ExpectCallbackAnswer("Enregistré : résolue.")
	edited := u.Expect("✅ Résolue")
	if edited.ID != rem.ID || strings.Join(edited.ButtonTexts(), "|") != "↩ Annuler « Résolue »" || !strings.Contains(edited.Text, "Fiche n° 1, demande 1 — 23/11/2026") {
		t.Fatalf("edited reminder = %v", edited)
	}
	var status string
	var resolved *time.Time
	if err := h.db.SQL.QueryRow(context.Background(),
		`SELECT status, resolved_at FROM requests WHERE position = 1`).Scan(&status, &resolved); err != nil {
		t.Fatal(err)
	}
	if status != "resolue" || resolved == nil || !resolved.Equal(time.Date(2026, 11, 30, 9, 42, 0, 0, paris)) {
		t.Fatalf("row: %s resolved at %v", status, resolved)
	}
}

func TestSuivisListsOpenRequestsLateFirstAndRedrawsAfterEachTap(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(3002, "Awa", "59")
	med := h.user(3002).Mediator.ID
	h.openSheet(med, "recent", "RECENT", date(2026, 11, 20), date(2026, 12, 4))
	h.openSheet(med, "old", "OLDEST", date(2026, 9, 1), date(2026, 11, 1), time.Time{})
	ids := requestIDs(h) // recent, old#1, old#2

	u.Send("/suivis")
	list := u.Expect("Vos demandes en cours (3) : 1 en retard, 1 à venir, 1 sans date de suivi.")
	want := []string{
		"1. Fiche n° 2, demande 1 — 01/09/2026 — OLDEST\nAccès aux soins · Dépistage organisé — en retard depuis le 01/11",
		"2. Fiche n° 1, demande 1 — 20/11/2026 — RECENT\nAccès aux soins · Dépistage organisé — suivi prévu le 04/12",
		"3. Fiche n° 2, demande 2 — 01/09/2026 — OLDEST\nAccès aux droits · Complémentaire Santé Solidaire — ouverte depuis 83 jours, sans date de suivi",
	}
	if !strings.Contains(list.Text, strings.Join(want, "\n\n")) {
		t.Fatalf("/suivis:\n%s", list.Text)
	}
	if n := len(list.ButtonTexts()); n != 12 {
		t.Fatalf("%d buttons, want 12", n)
	}

	u.PressOn(list, "2 · Reporter d'une semaine")
	u.ExpectCallbackAnswer("Reportée au 11/12/2026.")
	list = u.Expect("⏭ Reportée au 11/12/2026")
	if _, follow, _ := h.request(ids[0]); follow == nil || !follow.Equal(date(2026, 12, 11)) {
		t.Fatalf("follow_up after postponing = %v", follow)
	}
	u.PressOn(list, "3 · Abandonnée")
	u.ExpectCallbackAnswer("Enregistré : abandonnée.")
	list = u.Expect("🚫 Abandonnée")
	if !strings.Contains(list.Text, "2. Fiche n° 1, demande 1 — 20/11/2026 — RECENT\nAccès aux soins · Dépistage organisé — ⏭ Reportée au 11/12/2026") {
		t.Fatalf("a postponed line lost its state on the next redraw:\n%s", list.Text)
	}
	// The abandoned one can be undone for a day.
	if got := strings.Join(list.ButtonTexts(), "|"); got != "1 · Résolue|1 · Non résolue|1 · Abandonnée|1 · Reporter d'une semaine|3 · ↩ Annuler « Abandonnée »" {
		t.Fatalf("buttons left = %s", got)
	}
	if status, _, resolved := h.request(ids[2]); status != "abandonnee" || resolved != nil {
		t.Fatalf("abandoned row: %s %v", status, resolved)
	}

	// Still open after the taps: the postponed one and the first.
	u.Send("/suivis")
	again := u.Expect("Vos demandes en cours (")
	if strings.Contains(again.Text, "demande 2") || !strings.Contains(again.Text, "RECENT") {
		t.Fatalf("/suivis after taps:\n%s", again.Text)
	}
}

func TestDoubleTapIsRecordedOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(3003, "Awa", "59")
	h.openSheet(h.user(3003).Mediator.ID, "s1", "AAAAAA", date(2026, 11, 2), date(2026, 11, 23))
	u.Send("/suivis")
	list := u.Expect("Vos demandes en cours (")

	// Two presses reach the bot before it answers the first (poor reception).
	h.stop()
	u.PressOn(list, "Résolue")
	u.PressOn(list, "Non résolue")
	h.start()
	u.ExpectCallbackAnswer("Enregistré : résolue.")
	u.ExpectCallbackAnswer("Déjà enregistré.")
	if edited := u.Expect("✅ Résolue"); strings.Join(edited.ButtonTexts(), "|") != "↩ Annuler « Résolue »" {
		t.Fatalf("edited = %v", edited)
	}
	if status, _, resolved := h.request(requestIDs(h)[0]); status != "resolue" || resolved == nil {
		t.Fatalf("row = %s %v", status, resolved)
	}
}

func TestAnotherMediatorsRequestIsRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mediator(3004, "Awa", "59")
	bob := h.mediator(3005, "Bob", "62")
	h.openSheet(h.user(3004).Mediator.ID, "s1", "AAAAAA", date(2026, 11, 2), date(2026, 11, 23))
	awaRequest := requestIDs(h)[0]

	// A forged (or stale) button carrying Awa's request id lands in Bob's chat.
	api, err := tgbotapi.NewBotAPIWithAPIEndpoint(h.tg.Token(), h.tg.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	m := tgbotapi.NewMessage(bob.ID(), "Suivi")
	m.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData("Résolue", fmt.Sprintf("r:%d:res", awaRequest))))
	if _, err := api.Send(m); err != nil {
		t.Fatal(err)
	}
	bob.Press("Résolue")
	bob.ExpectCallbackAnswer("ne fait pas partie de vos suivis")
	if status, _, resolved := h.request(awaRequest); status != "en_cours" || resolved != nil {
		t.Fatalf("Bob changed Awa's request: %s %v", status, resolved)
	}
	bob.Send("/suivis")
	bob.Expect("aucune demande en cours")
}

func TestRappelsSetsTheHourAndTheNudges(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(3006, "Awa", "59")
	h.openSheet(h.user(3006).Mediator.ID, "s1", "AAAAAA", date(2026, 11, 2), date(2026, 11, 23))

	u.Send("/rappels")
	settings := u.Expect("Heure du rappel : 9 h")
	if got := strings.Join(settings.ButtonTexts(), "|"); got != "8 h|✓ 9 h|10 h|12 h|14 h|17 h|Ne plus me relancer" {
		t.Fatalf("buttons = %s", got)
	}
	u.Press("14 h")
	u.ExpectCallbackAnswer("Rappel à 14 h enregistré.")
	u.Expect("Heure du rappel : 14 h")
	u.Press("Ne plus me relancer")
	u.ExpectCallbackAnswer("Relances désactivées.")
	settings = u.Expect("Relance d'une fiche laissée en cours : désactivée")
	if !strings.Contains(strings.Join(settings.ButtonTexts(), "|"), "✓ 14 h") || settings.ButtonTexts()[6] != "Me relancer" {
		t.Fatalf("settings = %v", settings)
	}
	if got := h.user(3006); got.ReminderHour != 14 || got.Nudges {
		t.Fatalf("stored preferences: hour %d nudges %v", got.ReminderHour, got.Nudges)
	}

	// The reminder now waits for 14:00, and a form left idle is not recalled.
	if err := h.drafts.Save(context.Background(), 3006, 3006, state.Draft{State: dialog.State{FormID: "fiche", RecordID: "x", UpdatedAt: time.Date(2026, 11, 23, 8, 0, 0, 0, paris)}}); err != nil {
		t.Fatal(err)
	}
	h.runReminders(time.Date(2026, 11, 23, 13, 59, 0, 0, paris))
	h.runReminders(time.Date(2026, 11, 23, 14, 0, 0, 0, paris))
	var reminders_, nudges int
	for _, m := range u.Messages() {
		switch {
		case strings.Contains(m.Text, "Bonjour ! Des demandes attendent votre suivi aujourd'hui :"):
			reminders_++
		case strings.Contains(m.Text, "Vous avez une fiche en cours"):
			nudges++
		}
	}
	if reminders_ != 1 || nudges != 0 {
		t.Fatalf("reminders %d, nudges %d; want 1 and 0", reminders_, nudges)
	}
}

// The nudge names the draft as the form registry does: a sheet is "une
// fiche", any other form "une saisie", with the form's title.
func TestNudgeNamesTheDraftFromTheFormRegistry(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	awa := h.mediator(3008, "Awa", "59")
	awa.Send("/fiche")
	awa.Press("Aujourd'hui")
	awa.Expect("Personne accompagnée")
	ben := h.mediator(3009, "Ben", "62")
	ben.Send("/action")
	ben.Press("Hier")
	ben.Expect("votre rôle")

	h.runReminders(h.clock.Now().Add(4*time.Hour + time.Minute))
	for _, c := range []struct {
		u    *telegramtest.User
		want string
	}{
		{awa, "Vous avez une fiche en cours (Fiche d'accompagnement). Voulez-vous la reprendre ?"},
		{ben, "Vous avez une saisie en cours (Action collective). Voulez-vous la reprendre ?"},
	} {
		if m := c.u.Expect("Voulez-vous la reprendre ?"); m.Text != c.want || strings.Join(m.ButtonTexts(), "|") != "Reprendre|Abandonner" {
			t.Errorf("nudge = %q %v, want %q with Reprendre|Abandonner", m.Text, m.ButtonTexts(), c.want)
		}
	}
}

func TestNudgeResumesTheForm(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(3007, "Awa", "59")
	u.Send("/fiche")
	u.Press("Aujourd'hui")
	u.Press("Nouvelle personne")
	u.Expect("Sexe de la personne")

	h.runReminders(h.clock.Now().Add(4*time.Hour + time.Minute))
	nudge := u.Expect("Vous avez une fiche en cours")
	if got := strings.Join(nudge.ButtonTexts(), "|"); got != "Reprendre|Abandonner" {
		t.Fatalf("nudge buttons = %s", got)
	}
	h.runReminders(h.clock.Now().Add(time.Hour))
	n := 0
	for _, m := range u.Messages() {
		if strings.Contains(m.Text, "Vous avez une fiche en cours") {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d nudges, want 1", n)
	}
	u.PressOn(nudge, "Reprendre")
	u.Expect("Sexe de la personne")
}

// A status tapped by mistake is undone within a day, audited; the figures
// follow (the rollups are recomputed by their triggers).
func TestStatusUndoneWithinADay(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(3010, "Awa", "59")
	h.openSheet(h.user(3010).Mediator.ID, "s1", "AAAAAA", date(2026, 11, 2), date(2026, 11, 23))
	id := requestIDs(h)[0]
	u.Send("/suivis")
	list := u.Expect("Vos demandes en cours (")
	u.PressOn(list, "Non résolue")
	u.ExpectCallbackAnswer("Enregistré : non résolue.")
	closed := u.Expect("❌ Non résolue")
	u.PressOn(closed, "↩ Annuler « Non résolue »")
	u.ExpectCallbackAnswer("Annulé : la demande est de nouveau en cours.")
	reopened := u.Expect("Accès aux")
	if strings.Contains(reopened.Text, "❌") || strings.Join(reopened.ButtonTexts(), "|") != "Résolue|Non résolue|Abandonnée|Reporter d'une semaine" {
		t.Fatalf("after undo:\n%s\n%v", reopened.Text, reopened.ButtonTexts())
	}
	if status, _, resolved := h.request(id); status != "en_cours" || resolved != nil {
		t.Fatalf("row after undo = %s %v", status, resolved)
	}
	if n := h.count(`SELECT count(*) FROM audit WHERE action = 'status_undone'`); n != 1 {
		t.Fatalf("%d audit rows", n)
	}

	// Closed again, then the undo comes a day and a minute later: refused.
	u.PressOn(reopened, "Résolue")
	closed = u.Expect("✅ Résolue")
	h.clock.Set(h.clock.Now().Add(24*time.Hour + time.Minute))
	u.PressOn(closed, "↩ Annuler « Résolue »")
	u.ExpectCallbackAnswer("Trop tard pour annuler (24 heures au plus)")
	if status, _, _ := h.request(id); status != "resolue" {
		t.Fatalf("row after a late undo = %s", status)
	}
}

// « ↩ Annuler » undoes the status its button shows, not one a sheet
// correction set since: the corrected status stays and the mediator is told.
func TestUndoLeavesAStatusSetByACorrection(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(3011, "Awa", "59")
	med := h.user(3011).Mediator.ID
	h.openSheet(med, "s1", "AAAAAA", date(2026, 11, 2), date(2026, 11, 23))
	id := requestIDs(h)[0]
	u.Send("/suivis")
	list := u.Expect("Vos demandes en cours (")
	u.PressOn(list, "Résolue")
	closed := u.Expect("✅ Résolue")
	// The mediator corrects the sheet: the request was not resolved after all.
	sh := store.Sheet{ID: "s1", MediatorID: med, Date: date(2026, 11, 2), Beneficiary: "AAAAAA", Sex: "M", QPV: "non",
		Resources: "salaire", ContactMode: "contact_direct", Level: "oriente", SocialProtection: "non",
		Requests: []store.Request{{Kind: "soins", Type: "depistage", Status: "non_resolue"}}}
	if _, err := h.db.Store.UpdateSheet(context.Background(), sh, h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	u.PressOn(closed, "↩ Annuler « Résolue »")
	u.ExpectCallbackAnswer("La fiche a été corrigée depuis : rien n'est annulé.")
	if status, _, _ := h.request(id); status != "non_resolue" {
		t.Fatalf("row after the undo = %s, want the corrected non_resolue", status)
	}
	if n := h.count(`SELECT count(*) FROM audit WHERE action = 'status_undone'`); n != 0 {
		t.Fatalf("%d undo audited, want 0", n)
	}
}

// An « ↩ Annuler » button sent before the undo named its status
// ("r:<id>:und", still under messages of the past day) still undoes.
func TestUndoFromAButtonWithoutItsStatus(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(3012, "Awa", "59")
	h.openSheet(h.user(3012).Mediator.ID, "s1", "AAAAAA", date(2026, 11, 2), date(2026, 11, 23))
	id := requestIDs(h)[0]
	u.Send("/suivis")
	list := u.Expect("Vos demandes en cours (")
	u.PressOn(list, "Abandonnée")
	closed := u.Expect("🚫 Abandonnée")
	u.PressData(closed.ID, fmt.Sprintf("r:%d:und", id))
	u.ExpectCallbackAnswer("Annulé : la demande est de nouveau en cours.")
	if status, _, resolved := h.request(id); status != "en_cours" || resolved != nil {
		t.Fatalf("row after the undo = %s %v, want en_cours", status, resolved)
	}
}

// /suivis puts the late requests first (« en retard depuis le 30/11 »),
// then those due today, then the later ones with their date, then those
// without a date; five per page in one message, numbered across pages, with
// ‹ › buttons that edit the message in place (one edit, the press answered).
// Five requests fit one page: no page buttons.
func TestSuivisShowsLateFirstInPagesOfFive(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(3013, "Awa", "59")
	med := h.user(3013).Mediator.ID
	h.openSheet(med, "s1", "NODATE", date(2026, 10, 1), time.Time{})
	h.openSheet(med, "s2", "FUTURE", date(2026, 11, 2), date(2026, 12, 10), date(2027, 1, 5))
	h.openSheet(med, "s3", "LATEAA", date(2026, 11, 20), date(2026, 11, 30))
	h.openSheet(med, "s4", "TODAYY", date(2026, 12, 1), date(2026, 12, 6))
	h.openSheet(med, "s5", "LATEBB", date(2026, 11, 25), date(2026, 12, 2))
	h.clock.Set(time.Date(2026, 12, 6, 10, 0, 0, 0, paris))

	u.Send("/suivis")
	list := u.Expect("Vos demandes en cours")
	want := "Vos demandes en cours (6) : 2 en retard, 1 aujourd'hui, 2 à venir, 1 sans date de suivi.\n\n" +
		"1. Fiche n° 3, demande 1 — 20/11/2026 — LATEAA\nAccès aux soins · Dépistage organisé — en retard depuis le 30/11\n\n" +
		"2. Fiche n° 5, demande 1 — 25/11/2026 — LATEBB\nAccès aux soins · Dépistage organisé — en retard depuis le 02/12\n\n" +
		"3. Fiche n° 4, demande 1 — 01/12/2026 — TODAYY\nAccès aux soins · Dépistage organisé — suivi aujourd'hui\n\n" +
		"4. Fiche n° 2, demande 1 — 02/11/2026 — FUTURE\nAccès aux soins · Dépistage organisé — suivi prévu le 10/12\n\n" +
		"5. Fiche n° 2, demande 2 — 02/11/2026 — FUTURE\nAccès aux droits · Complémentaire Santé Solidaire — suivi prévu le 05/01/2027\n\n" +
		"Page 1 sur 2"
	if list.Text != want {
		t.Fatalf("/suivis:\n%s\nwant:\n%s", list.Text, want)
	}
	buttons := list.ButtonTexts()
	if len(buttons) != 21 || buttons[0] != "1 · Résolue" || buttons[19] != "5 · Reporter d'une semaine" || buttons[20] != "Suivantes ›" {
		t.Fatalf("buttons = %q", buttons)
	}
	for _, row := range list.Buttons {
		for _, b := range row {
			if len(b.Data) > 64 {
				t.Fatalf("callback data %q over 64 bytes", b.Data)
			}
		}
	}
	if n := len(u.Messages()); n != 4 { // /start, Bienvenue, /suivis, the list
		t.Fatalf("%d messages in the chat, want one list:\n%v", n, u.Messages())
	}

	before := h.tg.Stats()
	u.PressOn(list, "Suivantes ›")
	page2 := u.Expect("Page 2 sur 2")
	u.ExpectCallbackAnswer("")
	after := h.tg.Stats()
	if page2.ID != list.ID {
		t.Fatalf("page 2 sent as a new message %d, want message %d edited", page2.ID, list.ID)
	}
	for method, want := range map[string]int{"editmessagetext": 1, "answercallbackquery": 1, "sendmessage": 0} {
		if got := after.ByMethod[method] - before.ByMethod[method]; got != want {
			t.Errorf("page tap: %d %s, want %d", got, method, want)
		}
	}
	want2 := "Vos demandes en cours (6) : 2 en retard, 1 aujourd'hui, 2 à venir, 1 sans date de suivi.\n\n" +
		"6. Fiche n° 1, demande 1 — 01/10/2026 — NODATE\nAccès aux soins · Dépistage organisé — ouverte depuis 66 jours, sans date de suivi\n\n" +
		"Page 2 sur 2"
	if page2.Text != want2 {
		t.Fatalf("page 2:\n%s\nwant:\n%s", page2.Text, want2)
	}
	if got := strings.Join(page2.ButtonTexts(), "|"); got != "6 · Résolue|6 · Non résolue|6 · Abandonnée|6 · Reporter d'une semaine|‹ Précédentes" {
		t.Fatalf("page 2 buttons = %s", got)
	}

	// A status on page 2 keeps its number and the page buttons.
	u.PressOn(page2, "6 · Résolue")
	u.ExpectCallbackAnswer("Enregistré : résolue.")
	closed := u.Expect("✅ Résolue")
	if !strings.Contains(closed.Text, "6. Fiche n° 1, demande 1 — 01/10/2026 — NODATE\nAccès aux soins · Dépistage organisé — ✅ Résolue\n\nPage 2 sur 2") ||
		strings.Join(closed.ButtonTexts(), "|") != "6 · ↩ Annuler « Résolue »|‹ Précédentes" {
		t.Fatalf("after a tap on page 2:\n%s\n%v", closed.Text, closed.ButtonTexts())
	}

	// Five left: one page, no page buttons.
	u.PressOn(closed, "‹ Précédentes")
	page1 := u.Expect("Vos demandes en cours (5) : 2 en retard, 1 aujourd'hui, 2 à venir.")
	if strings.Contains(page1.Text, "Page") || strings.Contains(page1.Text, "NODATE") || !strings.Contains(page1.Text, "5. Fiche n° 2, demande 2") {
		t.Fatalf("five open requests:\n%s", page1.Text)
	}
	if b := page1.ButtonTexts(); len(b) != 20 || b[19] != "5 · Reporter d'une semaine" {
		t.Fatalf("five open requests, buttons = %q", b)
	}
}

// The page buttons show the presser's own requests: a page button forged
// into another mediator's chat shows theirs, and a coordinator's is refused.
func TestForgedPageButtonShowsOnlyOwnRequests(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mediator(3014, "Awa", "59")
	bob := h.mediator(3015, "Bob", "62")
	coord := h.coordinator(3016, store.Invitation{Level: "departement", Departement: "59"})
	for i := range 7 {
		h.openSheet(h.user(3014).Mediator.ID, fmt.Sprintf("s%d", i), fmt.Sprintf("AWA%03d", i), date(2026, 11, 2), date(2026, 11, 23))
	}
	api, err := tgbotapi.NewBotAPIWithAPIEndpoint(h.tg.Token(), h.tg.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []*telegramtest.User{bob, coord} {
		m := tgbotapi.NewMessage(u.ID(), "Suivi")
		m.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
			tgbotapi.NewInlineKeyboardButtonData("Suivantes ›", "sp:1")))
		if _, err := api.Send(m); err != nil {
			t.Fatal(err)
		}
	}
	bob.Press("Suivantes ›")
	if m := bob.Expect("aucune demande en cours"); strings.Contains(m.Text, "AWA") {
		t.Fatalf("Bob sees Awa's requests:\n%s", m.Text)
	}
	coord.Press("Suivantes ›")
	coord.ExpectCallbackAnswer("Ce bouton n'est plus actif.")
	if n := h.count(`SELECT count(*) FROM audit WHERE action = 'refused' AND target = 'button:sp'`); n != 1 {
		t.Fatalf("%d refusals audited, want 1", n)
	}
	for _, m := range coord.Messages() {
		if strings.Contains(m.Text, "AWA") {
			t.Fatalf("the coordinator sees a beneficiary code:\n%s", m.Text)
		}
	}
}

// « mes suivis en retard ? » answers with the count, then the late requests
// themselves with their buttons; the ones due today or later are not late.
func TestLateFollowUpsQuestionListsThem(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(3014, "Awa", "59")
	med := h.user(3014).Mediator.ID
	h.openSheet(med, "s1", "LATEAA", date(2026, 11, 20), date(2026, 11, 30))
	h.openSheet(med, "s2", "TODAYY", date(2026, 12, 1), date(2026, 12, 6))
	h.openSheet(med, "s3", "LATEBB", date(2026, 11, 25), date(2026, 12, 5))
	h.clock.Set(time.Date(2026, 12, 6, 10, 0, 0, 0, paris))

	u.Send("mes suivis en retard ?")
	u.Expect("Suivis en retard : 2 demandes au 06/12/2026")
	list := u.Expect("Vos demandes en retard :")
	want := "Vos demandes en retard :\n\n" +
		"1. Fiche n° 1, demande 1 — 20/11/2026 — LATEAA\nAccès aux soins · Dépistage organisé — en retard depuis le 30/11\n\n" +
		"2. Fiche n° 3, demande 1 — 25/11/2026 — LATEBB\nAccès aux soins · Dépistage organisé — en retard depuis le 05/12"
	if list.Text != want {
		t.Fatalf("late list:\n%s\nwant:\n%s", list.Text, want)
	}
	if got := len(list.ButtonTexts()); got != 8 {
		t.Fatalf("%d buttons, want 4 per late request: %q", got, list.ButtonTexts())
	}
	u.PressOn(list, "2 · Résolue")
	u.ExpectCallbackAnswer("Enregistré : résolue.")
	var status string
	if err := h.db.SQL.QueryRow(context.Background(), `SELECT status FROM requests WHERE sheet_id = 's3'`).Scan(&status); err != nil {
		t.Fatal(err)
	}
	if status != "resolue" {
		t.Fatalf("status after the press = %q, want resolue", status)
	}
}
