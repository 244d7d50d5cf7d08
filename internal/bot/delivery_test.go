package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/telegramtest"
)

// botMessages counts the messages the bot sent in the user's chat.
func botMessages(u *telegramtest.User) int {
	n := 0
	for _, m := range u.Messages() {
		if m.FromBot {
			n++
		}
	}
	return n
}

// syncChat sends /aide and waits for its answer: updates of a chat are handled
// in order, so everything delivered before it has been handled.
func syncChat(t *testing.T, u *telegramtest.User, before int) {
	t.Helper()
	u.Send("/aide")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(u.LastMessage().Text, "Ce que vous pouvez faire") || botMessages(u) <= before {
		if time.Now().After(deadline) {
			t.Fatalf("no answer to /aide; last message %q", u.LastMessage().Text)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Telegram delivers again an update whose confirmation it did not see (a
// crash before the offset moved): a typed answer delivered twice is
// answered once and counted once.
func TestRedeliveredTypedAnswerHandledOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(2101, "Awa", "62")
	u.Send("/fiche")
	u.Expect("Date de l'accompagnement")
	u.Press("Aujourd'hui")
	u.Press("Nouvelle personne")
	u.Press("Femme")
	u.Expect("Âge de la personne")
	age := u.Send("34")
	u.Expect("quartier prioritaire")
	h.stop()
	before := botMessages(u)
	if err := h.tg.Redeliver(age); err != nil {
		t.Fatal(err)
	}
	h.start()
	syncChat(t, u, before)
	if got := botMessages(u); got != before+1 {
		t.Fatalf("bot sent %d messages after the redelivered answer and /aide, want 1 (the help): %q", got-before, u.LastMessage().Text)
	}
	// The form is where the first delivery left it: at the QPV question.
	u.Press("Oui")
	u.Expect("Principale ressource")
}

// The first « Enregistrer » delivered again after a restart saves nothing
// more and shows nothing more: one confirmation, one sheet.
func TestRedeliveredSaveHandledOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(2102, "Awa", "62")
	summary := fillToSummary(u)
	u.PressOn(summary, "✅ Enregistrer")
	u.Expect("Fiche n°")
	h.stop()
	before, answers := botMessages(u), len(u.CallbackAnswers())
	calls := h.tg.Stats().ByMethod
	u.SendDuplicate() // the press, as Telegram would deliver it again
	h.start()
	syncChat(t, u, before)
	if got := botMessages(u); got != before+1 {
		t.Fatalf("bot sent %d messages after the redelivered save and /aide, want 1", got-before)
	}
	if got := len(u.CallbackAnswers()); got != answers {
		t.Fatalf("%d more answers to the press", got-answers)
	}
	// The press is not handled again: no second answer to it, no edit.
	after := h.tg.Stats().ByMethod
	for _, m := range []string{"answercallbackquery", "editmessagetext", "editmessagereplymarkup"} {
		if after[m] != calls[m] {
			t.Errorf("%s called %d more times for the redelivered press", m, after[m]-calls[m])
		}
	}
	if n := h.count(`SELECT count(*) FROM sheets`); n != 1 {
		t.Fatalf("sheets = %d, want 1", n)
	}
	confirmations := 0
	for _, m := range u.Messages() {
		if strings.Contains(m.Text, "Fiche n°") {
			confirmations++
		}
	}
	if confirmations != 1 {
		t.Fatalf("%d confirmations shown, want 1", confirmations)
	}
}

// waitUnreachable waits until the user's unreachable mark is want.
func (h *harness) waitUnreachable(id int64, want bool) {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		u, err := h.db.Store.UserByTelegramID(context.Background(), ids.TelegramID(id))
		if err != nil {
			h.t.Fatal(err)
		}
		if u.Unreachable == want {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("user %d unreachable = %v, want %v", id, u.Unreachable, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Telegram tells the bot when a user blocks it (my_chat_member): the user
// is marked unreachable, so scheduled messages skip them; unblocking, or
// simply writing again, makes them reachable.
func TestBlockingTheBotMarksTheUserUnreachable(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(2103, "Awa", "62")
	h.waitUnreachable(2103, false)
	u.Block()
	h.waitUnreachable(2103, true)
	u.Unblock()
	h.waitUnreachable(2103, false)

	// Blocked while the bot was down, the update lost: a 403 marks them
	// (see jobs), and their next message makes them reachable again.
	if _, err := h.db.Store.MarkUnreachable(context.Background(), 2103, h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	u.Send("/aide")
	u.Expect("Ce que vous pouvez faire")
	h.waitUnreachable(2103, false)
}

// An engine error (a failing lookup) reaches the log once, with the update
// id, the role and the step, never what the user typed; the user is told.
func TestEngineErrorLoggedOnceWithoutTheText(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(2104, "Awa", "62")
	u.Send("/fiche")
	u.Expect("Date de l'accompagnement")
	u.Press("Aujourd'hui")
	u.Expect("Personne accompagnée")
	if _, err := h.db.SQL.Exec(context.Background(), `ALTER TABLE beneficiaries RENAME TO beneficiaries_gone`); err != nil {
		t.Fatal(err)
	}
	id := u.Send("QZX7K2")
	u.Expect("Un problème technique empêche de continuer")
	logs := h.logs.String()
	if n := strings.Count(logs, "form step"); n != 1 {
		t.Fatalf("engine error logged %d times, want 1:\n%s", n, logs)
	}
	// The attributes are looked for on the error's own line: other lines
	// (the registration's) carry a role too.
	var line string
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, "form step") {
			line = l
		}
	}
	for _, want := range []string{fmt.Sprintf("update_id=%d", id), "role=mediator", "step=beneficiary", "beneficiaries"} {
		if !strings.Contains(line, want) {
			t.Errorf("log line lacks %q: %s", want, line)
		}
	}
	if strings.Contains(logs, "QZX7K2") {
		t.Fatalf("the typed text reached the log:\n%s", logs)
	}
}

// A crash after the draft was saved and before the update was recorded as
// handled: Telegram delivers the typed answer again, and the draft knows it
// applied it already, so the next question does not take it.
func TestRedeliveryAfterCrashBeforeTheUpdateWasRecorded(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(2105, "Awa", "62")
	startSheetToAge(u)
	age := u.Send("34")
	u.Expect("quartier prioritaire")
	h.waitDraftAt(2105, "qpv")
	h.stop()
	// The record of the update is lost (the process died before writing it).
	if err := h.rdb.Client.Del(context.Background(), fmt.Sprintf("%supdate:%d", h.rdb.Prefix, age)).Err(); err != nil {
		t.Fatal(err)
	}
	before := botMessages(u)
	u.SendDuplicate()
	h.start()
	syncChat(t, u, before)
	if got := botMessages(u); got != before+1 {
		t.Fatalf("bot sent %d messages after the redelivered answer and /aide, want 1: %q", got-before, u.LastMessage().Text)
	}
	u.Press("Oui")
	u.Expect("Principale ressource")
}

// A confirmation Telegram refused (or a crash before it) leaves the draft:
// pressing « Enregistrer » again shows « Fiche n° 1 enregistrée » and the
// sheet is stored once. Before, the draft went first and the second press
// read « Cette saisie est déjà terminée ou abandonnée ».
func TestSavedButUnconfirmedSheetIsConfirmedOnTheNextPress(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(2106, "Awa", "62")
	summary := fillToSummary(u)
	h.waitChatFree(2106) // the summary's update is wholly handled
	h.tg.InjectFault(telegramtest.Fault{Method: "editMessageText", Code: 400, Description: "Bad Request: message to edit not found"})
	answered := len(u.CallbackAnswers())
	u.PressOn(summary, "✅ Enregistrer")
	// The press is answered at once, the confirmation comes after the save.
	for deadline := time.Now().Add(5 * time.Second); len(u.CallbackAnswers()) == answered; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the press was not answered")
		}
	}
	h.waitChatFree(2106)
	if n := h.count(`SELECT count(*) FROM sheets`); n != 1 {
		t.Fatalf("sheets = %d after the first press, want 1", n)
	}
	// The refused edit is logged with the update it belongs to.
	for _, l := range strings.Split(h.logs.String(), "\n") {
		if strings.Contains(l, `msg="edit message"`) && !strings.Contains(l, "update_id=") {
			t.Errorf("refused edit logged without its update: %s", l)
		}
	}
	if !strings.Contains(h.logs.String(), `msg="edit message"`) {
		t.Errorf("refused edit not logged:\n%s", h.logs.String())
	}
	for _, m := range u.Messages() {
		if strings.Contains(m.Text, "enregistrée") {
			t.Fatalf("the refused confirmation was shown: %q", m.Text)
		}
	}
	u.PressOn(summary, "✅ Enregistrer")
	u.Expect("Fiche n° 1 enregistrée")
	if n := h.count(`SELECT count(*) FROM sheets`); n != 1 {
		t.Fatalf("sheets = %d after the second press, want 1", n)
	}
	if a := u.CallbackAnswers(); len(a) == 0 || strings.Contains(a[len(a)-1].Text, "déjà terminée") {
		t.Fatalf("second press answered %+v", a)
	}
}
