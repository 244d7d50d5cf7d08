// Package bottest holds the scripted golden conversations (fiche, action,
// bilan, partenaire) in one place, so that each presenter's test plays the
// same inputs: the Telegram test (internal/bot) presses buttons, the Matrix
// test (internal/matrix) types the number each choice is shown with. It is
// for tests only; it imports nothing of Relais, so either test can use it
// without the bot importing the Matrix transport.
package bottest

import (
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
)

// Turn is one input of a scripted conversation: a typed text (Send) or a
// pressed button (Press, its label as Telegram shows it), and a piece of
// the bot's answer to wait for (Expect).
type Turn struct {
	Send, Press, Expect string
}

// Conversation is a named script; its transcripts are Name.txt (Telegram)
// and Name.matrix.txt (Matrix) under Dir.
type Conversation struct {
	Name  string
	Turns []Turn
}

// Conversations are the scripts, played by a mediator of the Nord (59),
// registered before the first turn, on 23/11/2026 at 10:00 in Paris.
var Conversations = []Conversation{
	{"fiche", []Turn{
		{Send: "/fiche", Expect: "Date de l'accompagnement ?"},
		{Press: "Aujourd'hui", Expect: "Personne accompagnée ?"},
		{Press: "Nouvelle personne", Expect: "Sexe de la personne ?"},
		{Press: "Femme", Expect: "Âge de la personne (en années) ?"},
		{Send: "34", Expect: "quartier prioritaire (QPV) ?"},
		{Press: "Oui", Expect: "Principale ressource de la personne ?"},
		{Press: "RSA", Expect: "Comment la personne a-t-elle connu"},
		{Press: "Aller vers", Expect: "Niveau d'intervention ?"},
		{Press: "Accompagné", Expect: "acteurs de la protection sociale"},
		{Press: "Oui", Expect: "Accès aux droits ou accès aux soins ?"},
		{Press: "Accès aux droits", Expect: "Quelle demande d'accès aux droits ?"},
		{Press: "Complémentaire Santé Solidaire", Expect: "Où en est la demande ?"},
		{Press: "En cours", Expect: "Quand faire le point sur cette demande ?"},
		{Press: "Dans 1 semaine", Expect: "Ajouter une autre demande"},
		{Press: "Non", Expect: "Freins rencontrés ?"},
		{Press: "Mobilité", Expect: "Freins rencontrés ?"},
		{Press: "Valider", Expect: "Une note ?"},
		{Send: "Orientée vers la PMI du quartier.", Expect: "Récapitulatif"},
		{Press: "✅ Enregistrer", Expect: "enregistrée"},
	}},
	{"action", []Turn{
		{Send: "/action", Expect: "Date de l'action"},
		{Send: "12/11/2026", Expect: "votre rôle"},
		{Press: "Participation", Expect: "Pour quel public"},
		{Press: "Grand public", Expect: "Thèmes de l'action"},
		{Press: "Vaccination", Expect: "Thèmes de l'action"},
		{Press: "Valider", Expect: "Combien de participants"},
		{Send: "40", Expect: "intitulé court"},
		{Press: "Passer", Expect: "Récapitulatif"},
		{Press: "✅ Enregistrer", Expect: "Action n°"},
	}},
	{"bilan", []Turn{
		{Send: "/bilan", Expect: "est-il identifié"},
		{Press: "Oui", Expect: "connues de vos partenaires"},
		{Press: "Non", Expect: "partenariat avec la CPAM"},
		{Press: "Oui", Expect: "instances partenariales"},
		{Press: "Oui", Expect: "Combien de partenaires sanitaires"},
		{Send: "2", Expect: "Combien de partenaires du champ social"},
		{Send: "4", Expect: "Combien de partenaires médico-sociaux"},
		{Send: "0", Expect: "informées, orientées ou accompagnées"},
		{Send: "154", Expect: "habitent en quartier prioritaire"},
		{Send: "108", Expect: "pour l'accès aux droits"},
		{Send: "78", Expect: "pour l'accès aux soins"},
		{Send: "46", Expect: "acteurs de la protection sociale"},
		{Send: "52", Expect: "Quels types de partenaires et de publics"},
		{Press: "Habitants", Expect: "Quels types de partenaires et de publics"},
		{Press: "Valider", Expect: "facilité votre travail"},
		{Send: "Le soutien de la coordinatrice du CLS.", Expect: "freiné votre travail"},
		{Send: "Les délais de rendez-vous chez les spécialistes.", Expect: "faudrait-il améliorer"},
		{Send: "Un local pour les permanences.", Expect: "Besoins de santé constatés"},
		{Press: "Santé mentale", Expect: "Besoins de santé constatés"},
		{Press: "Valider", Expect: "Freins à l'accès à la santé constatés"},
		{Press: "Passer", Expect: "projet professionnel"},
		{Press: "Oui", Expect: "suivi une formation"},
		{Press: "Non", Expect: "Récapitulatif"},
		{Press: "✅ Enregistrer", Expect: "Bilan 2026 enregistré"},
	}},
	{"partenaire", []Turn{
		{Send: "/partenaires", Expect: "aucun partenaire"},
		{Press: "Ajouter un partenaire", Expect: "Nom du partenaire"},
		{Send: "CPAM de l'Artois", Expect: "Catégorie du partenaire"},
		{Press: "Sanitaire", Expect: "Type de partenaire"},
		{Press: "CPAM", Expect: "Récapitulatif"},
		{Press: "✅ Enregistrer", Expect: "Partenaire enregistré"},
	}},
}

// Dir is the directory of the transcripts (internal/bot/testdata/conversations),
// found from this file so that a test of any package reads the same files.
func Dir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("bottest: no caller information to find the transcripts")
	}
	return filepath.Join(filepath.Dir(file), "..", "testdata", "conversations")
}

// newCode finds the code given to a new person, random in each run.
var newCode = regexp.MustCompile(`Code de la personne : ([A-Z0-9]{4,8})\b`)

// MaskCodes writes the codes given to new people as ######: they are
// random in each run, and a transcript must not change with them.
func MaskCodes(s string) string {
	for _, m := range newCode.FindAllStringSubmatch(s, -1) {
		s = strings.ReplaceAll(s, m[1], "######")
	}
	return s
}
