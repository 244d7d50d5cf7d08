package bot_test

import (
	"strings"
	"testing"

	"github.com/relais-sante/relais/internal/telegramtest"
)

// fillToNote plays a sheet up to its note question.
func fillToNote(u *telegramtest.User) {
	startSheetToAge(u)
	u.Send("34")
	u.Press("Oui") // QPV
	u.Press("RSA")
	u.Press("Aller vers")
	u.Press("Accompagné")
	u.Expect("protection sociale")
	u.Press("Oui")
	u.Press("Accès aux droits")
	u.Press("Complémentaire Santé Solidaire")
	u.Press("Résolue")
	u.Expect("Ajouter une autre demande")
	u.Press("Non")
	u.Press("Valider")
	u.Expect("Une note")
}

// A note that identifies someone is refused and leaves the chat: Telegram
// keeps what a user typed, on their phone and on Telegram's servers.
func TestIdentifyingNoteIsDeletedFromTheChat(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(2001, "Awa", "59")
	fillToNote(u)
	u.Send("rappeler au 06/12/34/56/78")
	refusal := u.Expect("Pas de numéro de téléphone")
	want := "Pas de numéro de téléphone : rien qui permette de reconnaître la personne. Rien n'a été enregistré ; réécrivez le texte sans ce détail. Votre message a été effacé de la conversation.\n\nUne note ?"
	if !strings.HasPrefix(refusal.Text, want) {
		t.Fatalf("refusal = %q, want it to start with %q", refusal.Text, want)
	}
	for _, m := range u.Messages() {
		if strings.Contains(m.Text, "34/56") {
			t.Fatalf("the number is still in the chat: %v", m)
		}
	}
	if n := h.count(`SELECT count(*) FROM sheets`); n != 0 {
		t.Fatalf("%d sheets saved", n)
	}
	u.Send("Orientée vers la PMI du quartier.")
	u.Expect("Récapitulatif")
	u.Press("✅ Enregistrer")
	u.Expect("Fiche n°")
	if n := h.count(`SELECT count(*) FROM sheets WHERE note = 'Orientée vers la PMI du quartier.'`); n != 1 {
		t.Fatalf("%d sheets saved with the second note", n)
	}
	if n := h.count(`SELECT count(*) FROM sheets WHERE note LIKE '%34%'`); n != 0 {
		t.Fatalf("%d sheets saved with the number", n)
	}
}

// When Telegram refuses the deletion, the refusal still comes and does not
// claim the message is gone; the log says so without the message.
func TestIdentifyingNoteNotDeletedStillRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(2001, "Awa", "59")
	fillToNote(u)
	h.tg.Bot().InjectFault(telegramtest.Fault{Method: "deleteMessage", Code: 400, Description: "Bad Request: message can't be deleted"})
	u.Send("Fatou Diallo doit rappeler la CPAM")
	refusal := u.Expect("Pas de nom")
	if strings.Contains(refusal.Text, "effacé") {
		t.Fatalf("refusal claims a deletion that failed: %q", refusal.Text)
	}
	typed := false
	for _, m := range u.Messages() {
		typed = typed || (!m.FromBot && m.Text == "Fatou Diallo doit rappeler la CPAM")
	}
	if !typed {
		t.Fatal("the message is gone although the deletion failed")
	}
	logs := h.logs.String()
	if !strings.Contains(logs, "delete identifying message") || strings.Contains(logs, "Diallo") {
		t.Fatalf("logs = %s", logs)
	}
	if n := h.count(`SELECT count(*) FROM sheets`); n != 0 {
		t.Fatalf("%d sheets saved", n)
	}
}
