package bot_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/bot"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegramtest"
)

// The bot does not know a messenger but by its numbers: a Matrix person is
// a number at or above ids.FirstMatrix (matrix.Local). Here they come
// through the fake Bot API, which carries any number; the same linking on
// the real homeserver is in internal/matrix (TestLinkedPersonOnMatrix).
const matrixBase int64 = 8_000_000_000_000_000_000

// onMatrixToo is serve's wiring when Relais runs on Matrix beside Telegram.
func onMatrixToo(o *bot.Options) { o.MatrixUserID = "@relais:exemple.fr" }

var linkCodeRE = regexp.MustCompile(`start[ =]([A-Z0-9]{8})\b`)

// lierCode is the code of /lier's answer to u, and that answer with the
// code written CODE.
func lierCode(t *testing.T, u *telegramtest.User) (code, text string) {
	t.Helper()
	u.Send("/lier")
	msg := u.Expect("Ce code sert une fois")
	m := linkCodeRE.FindStringSubmatch(msg.Text)
	if m == nil {
		t.Fatalf("no code in %q", msg.Text)
	}
	return m[1], strings.ReplaceAll(msg.Text, m[1], "CODE")
}

const (
	msgLinked = "C'est fait : ce compte Tchap/Element est relié à votre compte Relais, avec le même rôle, le même territoire et les mêmes fiches. " +
		"Les rappels et le résumé du lundi arrivent désormais sur la messagerie où vous avez écrit en dernier.\n\nTapez /aide pour voir ce que vous pouvez faire."
	msgLinkedNotice = "Votre compte Relais est maintenant relié à un compte Tchap/Element. Si ce n'est pas vous, prévenez tout de suite votre coordinateur ou l'administrateur."
)

// A mediator on Telegram types /lier, then « start CODE » from Tchap: one
// person on both, with the same post, the same sheets and the same rules;
// reminders go to the messenger they last wrote from.
func TestMediatorLinksTchapAndIsTheSamePersonThere(t *testing.T) {
	t.Parallel()
	h := newHarness(t, onMatrixToo)
	awa := h.mediator(6101, "Awa", "59")
	code, text := lierCode(t, awa)
	if want := "Pour utiliser Relais aussi sur votre autre messagerie, avec le même compte (rôle, territoire, fiches) :\n\n" +
		"Sur Tchap/Element, ouvrez une conversation privée avec le bot @relais:exemple.fr et écrivez-lui : !start CODE\n\n" +
		"Ce code sert une fois et expire dans 15 minutes. Ensuite, les rappels et le résumé du lundi arrivent sur la messagerie où vous avez écrit en dernier."; text != want {
		t.Fatalf("/lier says\n%s\nwant\n%s", text, want)
	}

	tchap := h.tg.NewUser(matrixBase+6101, "awa").For(t)
	tchap.Send("/start " + strings.ToLower(code)) // typed in lower case: read as the code
	if got := tchap.Expect("C'est fait").Text; got != msgLinked {
		t.Fatalf("linked: %q", got)
	}
	if got := awa.Expect("maintenant relié").Text; got != msgLinkedNotice {
		t.Fatalf("notice on Telegram: %q", got)
	}
	if n := h.count(`SELECT count(*) FROM users`); n != 1 {
		t.Fatalf("%d users rows after linking, want 1", n)
	}
	if n := h.count(`SELECT count(*) FROM user_accounts WHERE account = $1 AND user_id = 6101`, matrixBase+6101); n != 1 {
		t.Fatalf("%d accounts linked, want 1", n)
	}

	// The same post: its sheets are listed on Tchap.
	h.seedSheets(6101, 1, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	tchap.Send("/mesfiches")
	tchap.Expect("n° 1 — 20/11/2026 — P10100")
	// The same rule: a mediator asking for the export is refused alike.
	awa.Send("/export")
	onTelegram := awa.Expect("réservée").Text
	tchap.Send("/export")
	onTchap := tchap.Expect("réservée").Text
	want := "La commande /export est réservée aux coordinateurs. Tapez /aide pour voir ce que vous pouvez faire."
	if onTelegram != want || onTchap != want {
		t.Fatalf("/export refused with %q on Telegram and %q on Tchap, want %q", onTelegram, onTchap, want)
	}
	// Linked already: no second code.
	tchap.Send("/lier")
	tchap.Expect("Votre compte Relais est déjà relié à Telegram et à Tchap/Element : écrivez au bot sur l'une ou l'autre, " +
		"les rappels arrivent sur la messagerie où vous avez écrit en dernier.")

	// Scheduled messages go where the person last wrote: Tchap, then
	// Telegram once they write there again, within the hour (the write
	// that records the last activity at most hourly moves at once).
	med := h.user(6101)
	h.openSheet(med.Mediator.ID, "due", "DUE001", date(2026, 11, 20), date(2026, 11, 30))
	h.clock.Set(time.Date(2026, 11, 30, 9, 30, 0, 0, paris))
	tchap.Send("/aide")
	tchap.Expect("Ce que vous pouvez faire")
	h.runReminders(time.Date(2026, 11, 30, 10, 0, 0, 0, paris))
	tchap.Expect("Bonjour ! Des demandes attendent votre suivi aujourd'hui : 1 aujourd'hui.")
	if n := remindersIn(awa); n != 0 {
		t.Fatalf("%d reminders on Telegram, the messenger not written from last", n)
	}
	awa.Send("/aide")
	awa.Expect("Ce que vous pouvez faire")
	h.runReminders(time.Date(2026, 12, 1, 10, 0, 0, 0, paris))
	awa.Expect("Bonjour ! Des demandes attendent votre suivi aujourd'hui : 1 en retard.")
	if n := remindersIn(tchap); n != 1 {
		t.Fatalf("%d reminders on Tchap, want the first one only", n)
	}
}

// remindersIn counts the morning reminders in u's chat.
func remindersIn(u *telegramtest.User) int {
	n := 0
	for _, m := range u.Messages() {
		if strings.HasPrefix(m.Text, "Bonjour ! Des demandes attendent votre suivi") {
			n++
		}
	}
	return n
}

// A coordinator registered on Matrix links Telegram (the other way round)
// and sees there, as on Matrix, their département's figures only.
func TestMatrixCoordinatorLinksTelegramAndSeesTheirTerritoryOnly(t *testing.T) {
	t.Parallel()
	h := newHarness(t, onMatrixToo)
	h.mediator(6201, "Awa", "59")
	h.mediator(6202, "Léa", "62")
	h.seedSheets(6201, 3, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	h.seedSheets(6202, 5, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	onTchap := h.coordinator(matrixBase+6210, store.Invitation{Level: "departement", Departement: "62"})

	code, text := lierCode(t, onTchap)
	if want := "Pour utiliser Relais aussi sur votre autre messagerie, avec le même compte (rôle, territoire, fiches) :\n\n" +
		"Sur Telegram, ouvrez ce lien, qui ouvre la conversation avec le bot @relais_test_bot et lui donne le code : https://t.me/relais_test_bot?start=CODE\n\n" +
		"Ce code sert une fois et expire dans 15 minutes. Ensuite, les rappels et le résumé du lundi arrivent sur la messagerie où vous avez écrit en dernier."; text != want {
		t.Fatalf("/lier on Matrix says\n%s\nwant\n%s", text, want)
	}
	onTelegram := h.tg.NewUser(6210, "Coord").For(t)
	onTelegram.Send("/start " + code)
	onTelegram.Expect("C'est fait : ce compte Telegram est relié à votre compte Relais")
	onTchap.Expect("Votre compte Relais est maintenant relié à un compte Telegram.")

	for _, u := range []*telegramtest.User{onTelegram, onTchap} {
		u.Send("/indicateurs")
		u.Expect("quelle période")
		u.Press("Cette année")
		choice := u.Expect("Quel territoire")
		if got := strings.Join(choice.ButtonTexts(), "|"); got != "Pas-de-Calais|Postes ruraux – Pas-de-Calais|Postes en QPV – Pas-de-Calais|CCAS Roubaix (Pas-de-Calais)" {
			t.Fatalf("account %d offered %s, want the Pas-de-Calais only", u.ID(), got)
		}
		u.Press("Pas-de-Calais")
		figures := u.Expect("Fiches : 5")
		if strings.Contains(figures.Text, "Fiches : 8") || strings.Contains(figures.Text, "Fiches : 3") {
			t.Fatalf("Pas-de-Calais figures of account %d include the Nord: %s", u.ID(), figures.Text)
		}
	}
}

// Every refusal of a link code is said in French and links nothing: an
// expired code, a used one, an account registered as someone else, a
// disabled user, a code typed on the same messenger, a second account on
// one messenger.
func TestLinkCodeRefusals(t *testing.T) {
	t.Parallel()
	h := newHarness(t, onMatrixToo)
	awa := h.mediator(6301, "Awa", "59")
	linked := func() int { return h.count(`SELECT count(*) FROM user_accounts`) }

	// Expired: 15 minutes and one second later.
	code, _ := lierCode(t, awa)
	h.clock.Set(h.clock.Now().Add(store.LinkCodeTTL + time.Second))
	late := h.tg.NewUser(matrixBase+6301, "awa").For(t)
	late.Send("/start " + code)
	late.Expect("Ce code de liaison a expiré (validité 15 minutes). Demandez-en un autre sur votre autre messagerie (commande « lier »).")

	// Typed on Telegram by another Telegram account.
	code, _ = lierCode(t, awa)
	other := h.tg.NewUser(6302, "Autre").For(t)
	other.Send("/start " + code)
	other.Expect("Ce code relie votre compte Relais à une autre messagerie que Telegram : tapez-le sur votre autre messagerie.")
	// Typed by the account that asked for it.
	awa.Send("/start " + code)
	awa.Expect("Ce compte Telegram est déjà relié à votre compte Relais : ce code se tape sur votre autre messagerie.")

	// A Matrix account registered as someone else.
	lea := h.coordinator(matrixBase+6310, store.Invitation{Level: "departement", Departement: "62"})
	lea.Send("/start " + code)
	lea.Expect("Ce compte Tchap/Element est déjà inscrit sur Relais pour une autre personne : il ne peut pas être relié à un second compte. " +
		"Tapez ce code depuis un autre compte Tchap/Element, ou demandez à l'administrateur.")
	if n := linked(); n != 0 {
		t.Fatalf("%d accounts linked by refused codes", n)
	}

	// Used: it linked one Matrix account (at the last second of its
	// quarter of an hour), a second one gets the refusal.
	h.clock.Set(h.clock.Now().Add(store.LinkCodeTTL))
	late.Send("/start " + code)
	late.Expect("C'est fait")
	second := h.tg.NewUser(matrixBase+6302, "awa2").For(t)
	second.Send("/start " + code)
	second.Expect("Ce code de liaison a déjà servi. Chaque code ne sert qu'une fois : demandez-en un autre sur votre autre messagerie (commande « lier »).")

	// A disabled user's code.
	paul := h.mediator(6303, "Paul", "59")
	code, _ = lierCode(t, paul)
	if err := h.db.Store.SetUserDisabled(context.Background(), 6303, true, nil); err != nil {
		t.Fatal(err)
	}
	paulMx := h.tg.NewUser(matrixBase+6303, "paul").For(t)
	paulMx.Send("/start " + code)
	paulMx.Expect("Le compte Relais qui a demandé ce code est désactivé : il ne peut pas être relié à une autre messagerie. " +
		"Adressez-vous à votre coordinateur ou à l'administrateur.")
	if n := linked(); n != 1 {
		t.Fatalf("%d accounts linked, want Awa's only", n)
	}
	if n := h.count(`SELECT count(*) FROM audit WHERE action = 'start_refused' AND detail->>'reason' LIKE 'link_%'`); n != 6 {
		t.Fatalf("%d refused link codes audited, want 6", n)
	}
}

// Without Matrix, /lier says there is nothing to link, and gives no code.
func TestLierOnOneMessenger(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	awa := h.mediator(6401, "Awa", "59")
	awa.Send("/lier")
	awa.Expect("Relais ne fonctionne ici que sur Telegram : il n'y a pas d'autre messagerie à relier.")
	if n := h.count(`SELECT count(*) FROM link_codes`); n != 0 {
		t.Fatalf("%d codes made", n)
	}
}

// Blocking the bot on the messenger the person's reminders do not go to
// changes nothing; on the one they go to, it makes them unreachable.
func TestBlockingTheBotOnTheOtherMessengerKeepsReminders(t *testing.T) {
	t.Parallel()
	h := newHarness(t, onMatrixToo)
	awa := h.mediator(6501, "Awa", "59")
	code, _ := lierCode(t, awa)
	tchap := h.tg.NewUser(matrixBase+6501, "awa").For(t)
	tchap.Send("/start " + code)
	tchap.Expect("C'est fait") // reminders go to Tchap from now
	awa.Block()
	h.waitConfirmed()
	if h.user(6501).Unreachable {
		t.Fatal("blocking the bot on Telegram stopped the reminders that go to Tchap")
	}
	tchap.Block()
	h.waitUnreachable(6501, true)
}

// waitConfirmed waits until the bot has confirmed every update (it does
// once each is handled).
func (h *harness) waitConfirmed() {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for h.tg.Bot().PendingUpdates() > 0 {
		if time.Now().After(deadline) {
			h.t.Fatalf("%d updates still not confirmed", h.tg.Bot().PendingUpdates())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Disabled, a person linked on both messengers is a stranger on both, and
// the forms they left open on either go.
func TestDisablingALinkedPersonClosesBothMessengers(t *testing.T) {
	t.Parallel()
	h := newHarness(t, onMatrixToo)
	awa := h.mediator(6601, "Awa", "59")
	code, _ := lierCode(t, awa)
	tchap := h.tg.NewUser(matrixBase+6601, "awa").For(t)
	tchap.Send("/start " + code)
	tchap.Expect("C'est fait")
	for _, u := range []*telegramtest.User{awa, tchap} {
		u.Send("/fiche")
		u.Expect("Date de l'accompagnement ?")
	}
	claire := h.coordinator(6610, store.Invitation{Level: "region"})
	claire.Send("/equipe")
	claire.Expect("Votre équipe (région Hauts-de-France) : 1 personne.")
	claire.Press("Désactiver n° 1")
	claire.Press("Oui, désactiver")
	claire.ExpectCallbackAnswer("Compte de Awa désactivé : plus aucun accès à Relais.")
	claire.Expect("Compte de Awa désactivé") // the team page, redrawn once the drafts are gone
	for _, id := range []int64{6601, matrixBase + 6601} {
		if _, open, err := h.drafts.Load(context.Background(), ids.ChatID(id), ids.TelegramID(id)); err != nil || open {
			t.Fatalf("account %d: draft still open (%v) after disabling: %v", id, open, err)
		}
	}
	tchap.Send("/fiche")
	tchap.Expect("Relais est réservé aux médiateurs santé et à leurs coordinateurs.")
}

// A registered account typing codes has a stranger's allowance: a live
// link code of someone else is refused (the account is someone's already)
// and counted, unknown codes too, and the 6th is not tried, the live code
// included; that code still links its owner's other messenger.
func TestRegisteredChatHasTheSameAllowanceOfCodes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, onMatrixToo)
	awa := h.mediator(6701, "Awa", "59")
	code, _ := lierCode(t, awa)
	eve := h.mediator(6702, "Eve", "59")
	eve.Send("/start " + code)
	eve.Expect("Ce compte Telegram est déjà inscrit sur Relais pour une autre personne")
	for _, wrong := range []string{"FAUXCOD2", "FAUXCOD3", "FAUXCOD4", "FAUXCOD5"} {
		eve.Send("/start " + wrong)
		eve.Expect("Vous avez déjà un compte sur Relais. Tapez /aide pour voir ce que vous pouvez faire.")
	}
	eve.Send("/start " + code)
	if got := eve.Expect("Trop de codes").Text; got != msgTooManyCodes {
		t.Fatalf("6th code from a registered chat: %q", got)
	}
	if n := h.count(`SELECT count(*) FROM audit WHERE action = 'start_refused' AND actor = 6702`); n != 1 {
		t.Fatalf("%d refused codes audited for Eve, want the link code's once", n)
	}
	tchap := h.tg.NewUser(matrixBase+6701, "awa").For(t)
	tchap.Send("/start " + code)
	tchap.Expect("C'est fait")
}
