package matrix

import (
	"regexp"
	"strings"
)

// toTyping rewrites what the bot says about buttons into what a person on
// Matrix does instead: there is nothing to touch, they write a choice's
// number (or its label, which the presenter reads as well). The bot and
// the forms speak of buttons because they are written once for every
// messenger; the golden conversations (internal/bot/testdata/conversations/*.diff)
// show each sentence as Matrix renders it. The longest phrases come first:
// strings.Replacer takes, at each place, the first pair in this order.
var toTyping = strings.NewReplacer(
	// Dates (« Touchez un bouton ou écrivez la date »), people.
	"Touchez un bouton ou écrivez", "Écrivez le numéro d'un choix ou",
	"touchez un bouton, ou écrivez", "écrivez le numéro d'un choix, ou",
	"touchez son code, ou écrivez-le", "écrivez son code",
	"touchez la bonne personne", "écrivez le numéro de la bonne personne",
	// Multiple choices.
	"Touchez-en un ou plusieurs, puis", "Écrivez un ou plusieurs numéros (par exemple 1 3), puis",
	"Touchez leurs types, puis", "Écrivez leurs numéros (par exemple 1 3), puis",
	"Touchez une ou plusieurs réponses, ou écrivez-les, puis", "Écrivez une ou plusieurs réponses, ou leurs numéros (par exemple 1 3), puis",
	// The summary and corrections.
	"(ou écrivez « ok »), ou un bouton ✏️", "(ou « ok »), ou le numéro d'un ✏️",
	"touchez le bouton ✏️ de", "écrivez le numéro du ✏️ de",
	"touchez ✏️ devant", "écrivez le numéro du ✏️ devant",
	"appuyez à nouveau sur « ", "écrivez à nouveau « ",
	// Sheets to correct (« ✏️ n° 12 »), follow-ups' statuses.
	"touchez son numéro", "écrivez le numéro de son choix ✏️",
	"touchez son statut", "écrivez le numéro de son statut",
	"touchez leur statut", "écrivez le numéro de leur statut",
	// Any other button.
	"Touchez le bouton", "Écrivez le numéro du choix",
	"Touchez un bouton", "Écrivez le numéro d'un choix",
	"touchez un bouton", "écrivez le numéro d'un choix",
	"appuyez sur un bouton", "écrivez le numéro d'un choix",
	"choisir avec des boutons", "choisir parmi des choix numérotés",
	"avec les boutons", "avec le numéro d'un choix",
	"Ce bouton n'est", "Ce choix n'est",
	// « Touchez « Enregistrer » »: its label is typed as it is.
	"Touchez « ", "Écrivez « ",
	"touchez « ", "écrivez « ",
)

// slashCommand is « /fiche » where a command is named in a sentence (at
// its start, or after a space, a bracket or a quotation mark): not a date
// (21/11) or a path.
var slashCommand = regexp.MustCompile(`(^|[\s(«"'])/([a-z_]+)\b`)

// typed is text as a person on Matrix reads it: what it says about buttons
// says to write a number (toTyping), and the bot's commands are written
// « !fiche », as the person types them (Element and Tchap take a leading
// « / » as their own command and do not send it).
func (p *Presenter) typed(text string) string {
	text = toTyping.Replace(text)
	return slashCommand.ReplaceAllStringFunc(text, func(m string) string {
		sub := slashCommand.FindStringSubmatch(m)
		if !p.commands[sub[2]] {
			return m
		}
		return sub[1] + "!" + sub[2]
	})
}
