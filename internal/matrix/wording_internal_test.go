package matrix

import "testing"

// What the bot and the forms say about buttons reads, on Matrix, as what
// a person does there: write a number or a label; a command named in a
// sentence is written with « ! »; a date, a path or a word that is no
// command keeps its « / ».
func TestTextsSayToTypeNotToTouch(t *testing.T) {
	t.Parallel()
	p := NewPresenter(nil, []string{"start", "fiche", "bilan", "/inviter"})
	for text, want := range map[string]string{
		"Touchez un bouton ou écrivez la date, par exemple 21/11 ou 21/11/2026.":                                 "Écrivez le numéro d'un choix ou la date, par exemple 21/11 ou 21/11/2026.",
		"Aucun nom : touchez un bouton, ou écrivez le code de la personne (ou son début).":                       "Aucun nom : écrivez le numéro d'un choix, ou le code de la personne (ou son début).",
		"Freins rencontrés ? Touchez-en un ou plusieurs, puis « Valider ».":                                      "Freins rencontrés ? Écrivez un ou plusieurs numéros (par exemple 1 3), puis « Valider ».",
		"D'autres partenaires ont-ils co-animé l'action ? Touchez leurs types, puis « Valider », ou « Passer ».": "D'autres partenaires ont-ils co-animé l'action ? Écrivez leurs numéros (par exemple 1 3), puis « Valider », ou « Passer ».",
		"Tout est correct ? Touchez « Enregistrer ».":                                                            "Tout est correct ? Écrivez « Enregistrer ».",
		"Touchez « Enregistrer » (ou écrivez « ok »), ou un bouton ✏️ pour modifier une réponse.":                "Écrivez « Enregistrer » (ou « ok »), ou le numéro d'un ✏️ pour modifier une réponse.",
		"Ce bouton n'est plus actif.":                                                      "Ce choix n'est plus actif.",
		"Répondez avec les boutons.":                                                       "Répondez avec le numéro d'un choix.",
		"Touchez le bouton ou tapez /bilan.":                                               "Écrivez le numéro du choix ou tapez !bilan.",
		"Tapez /inviter sans rien d'autre pour choisir avec des boutons.":                  "Tapez !inviter sans rien d'autre pour choisir parmi des choix numérotés.",
		"Pour corriger une fiche enregistrée depuis moins de 7 jours, touchez son numéro.": "Pour corriger une fiche enregistrée depuis moins de 7 jours, écrivez le numéro de son choix ✏️.",
		"/fiche (« /fiche » ou (/fiche)), pas /fichier, CAF/CPAM, https://x.fr/fiche":      "!fiche (« !fiche » ou (!fiche)), pas /fichier, CAF/CPAM, https://x.fr/fiche",
		"Sexe de la personne ?":                                                            "Sexe de la personne ?",
	} {
		if got := p.typed(text); got != want {
			t.Errorf("%q:\n got %q\nwant %q", text, got, want)
		}
	}
}
