// Package draftprompt is what Relais says about a draft left open: the
// sentence naming it and the « Reprendre / Abandonner » buttons. The bot
// (a new form over a draft) and the reminders' nudge say it the same way,
// so it lives below both.
package draftprompt

import (
	"github.com/relais-sante/relais/internal/callbackdata"
	"github.com/relais-sante/relais/internal/chat"
)

// nouns name a draft of a form; a form missing here is « une saisie » (a
// bilan or an action is not a « fiche »).
var nouns = map[string]string{"fiche": "une fiche"}

// InProgress names a draft of formID left open, by its noun and, when
// known, the form's title: "Vous avez une fiche en cours (Fiche
// d'accompagnement)."
func InProgress(formID, title string) string {
	noun := "une saisie"
	if n, ok := nouns[formID]; ok {
		noun = n
	}
	if title == "" {
		return "Vous avez " + noun + " en cours."
	}
	return "Vous avez " + noun + " en cours (" + title + ")."
}

// Buttons offer to resume or drop the draft that will save recordID
// (handled by the bot's "b" buttons); after dropping it, form next starts
// ("" for none). The buttons name the draft, so a press on an old message
// never touches a newer draft.
func Buttons(recordID, next string) [][]chat.Button {
	return [][]chat.Button{{{Text: "Reprendre", Data: callbackdata.Resume(recordID)}, {Text: "Abandonner", Data: callbackdata.Drop(recordID, next)}}}
}
