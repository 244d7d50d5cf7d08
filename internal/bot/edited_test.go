package bot_test

import (
	"strings"
	"testing"

	"github.com/relais-sante/relais/internal/telegramtest"
)

const editedReply = "Les messages modifiés ne sont pas pris en compte : rien n'a changé. Renvoyez le texte corrigé si besoin."

// saveSheetWithNote saves a sheet whose note is note and returns the id of
// the user's message that typed it.
func saveSheetWithNote(t *testing.T, h *harness, u *telegramtest.User, note string) int {
	t.Helper()
	fillToNote(u)
	u.Send(note)
	u.Expect("Récapitulatif")
	u.Press("✅ Enregistrer")
	u.Expect("Fiche n°")
	if n := h.count(`SELECT count(*) FROM sheets WHERE note = $1`, note); n != 1 {
		t.Fatalf("%d sheets saved with the note", n)
	}
	for _, m := range u.Messages() {
		if !m.FromBot && m.Text == note {
			return m.ID
		}
	}
	t.Fatalf("the note is not in the chat")
	return 0
}

// botMessagesAfter are the bot's messages sent after message id.
func botMessagesAfter(u *telegramtest.User, id int) []telegramtest.Message {
	var out []telegramtest.Message
	for _, m := range u.Messages() {
		if m.FromBot && m.ID > id {
			out = append(out, m)
		}
	}
	return out
}

// Editing a saved note to add a phone number: the edit is deleted from the
// chat (Telegram keeps it otherwise), the user is told once that edits
// change nothing, and the saved note is the one first typed.
func TestEditedIdentifyingMessageIsDeletedAndChangesNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(2001, "Awa", "59")
	id := saveSheetWithNote(t, h, u, "Orientée vers la PMI du quartier.")
	last := u.Messages()[len(u.Messages())-1].ID

	u.Edit(id, "Orientée vers la PMI, rappeler au 06 12 34 56 78")
	want := "Pas de numéro de téléphone : rien qui permette de reconnaître la personne. Votre message modifié a été effacé de la conversation.\n\n" + editedReply
	if got := u.Expect(editedReply).Text; got != want {
		t.Fatalf("reply = %q, want %q", got, want)
	}
	for _, m := range u.Messages() {
		if strings.Contains(m.Text, "56 78") {
			t.Fatalf("the number is still in the chat: %v", m)
		}
	}
	if got := botMessagesAfter(u, last); len(got) != 1 {
		t.Fatalf("bot messages after the edit = %v, want one", got)
	}
	if n := h.count(`SELECT count(*) FROM sheets`); n != 1 {
		t.Fatalf("%d sheets", n)
	}
	if n := h.count(`SELECT count(*) FROM sheets WHERE note = 'Orientée vers la PMI du quartier.'`); n != 1 {
		t.Fatalf("the saved note changed: %d sheets with the first note", n)
	}
}

// When Telegram refuses the deletion, the reply does not claim the edit is
// gone: it asks the user to delete it.
func TestEditedIdentifyingMessageNotDeletedAsksTheUser(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(2001, "Awa", "59")
	id := saveSheetWithNote(t, h, u, "Orientée vers la PMI du quartier.")
	h.tg.Bot().InjectFault(telegramtest.Fault{Method: "deleteMessage", Code: 400, Description: "Bad Request: message can't be deleted"})
	u.Edit(id, "Mme Fatou Diallo, née le 12/03/1985")
	want := "Pas de date de naissance : l'âge suffit : rien qui permette de reconnaître la personne. Effacez vous-même ce message modifié (appui long, Supprimer).\n\n" + editedReply
	if got := u.Expect(editedReply).Text; got != want {
		t.Fatalf("reply = %q, want %q", got, want)
	}
	if logs := h.logs.String(); !strings.Contains(logs, "delete identifying edited message") || strings.Contains(logs, "Diallo") {
		t.Fatalf("logs = %s", logs)
	}
	if n := h.count(`SELECT count(*) FROM sheets WHERE note = 'Orientée vers la PMI du quartier.'`); n != 1 {
		t.Fatalf("the saved note changed: %d sheets with the first note", n)
	}
}

// A harmless edit stays in the chat; the user is told once that it changes
// nothing, and nothing saved changes.
func TestEditedHarmlessMessageOnlyGetsTheReply(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(2001, "Awa", "59")
	id := saveSheetWithNote(t, h, u, "Orientée vers la PMI du quartier.")
	last := u.Messages()[len(u.Messages())-1].ID

	u.Edit(id, "Orientée vers la PMI et le CCAS.")
	if got := u.Expect(editedReply).Text; got != editedReply {
		t.Fatalf("reply = %q, want %q", got, editedReply)
	}
	if got := botMessagesAfter(u, last); len(got) != 1 {
		t.Fatalf("bot messages after the edit = %v, want one", got)
	}
	kept := false
	for _, m := range u.Messages() {
		kept = kept || (m.ID == id && m.Text == "Orientée vers la PMI et le CCAS.")
	}
	if !kept {
		t.Fatalf("the harmless edit was deleted: %v", u.Messages())
	}
	if n := h.count(`SELECT count(*) FROM sheets WHERE note = 'Orientée vers la PMI du quartier.'`); n != 1 {
		t.Fatalf("the saved note changed: %d sheets with the first note", n)
	}
	if n := h.count(`SELECT count(*) FROM sheets`); n != 1 {
		t.Fatalf("%d sheets", n)
	}
}
