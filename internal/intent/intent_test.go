package intent_test

import (
	"testing"

	"github.com/relais-sante/relais/internal/intent"
	"github.com/relais-sante/relais/internal/roles"
)

func TestRead(t *testing.T) {
	const med, coord, admin = roles.Mediator, roles.Coordinator, roles.Admin
	cmd := func(c, arg string) intent.Intent { return intent.Intent{Kind: intent.Command, Command: c, Arg: arg} }
	greet := intent.Intent{Kind: intent.Greeting}
	thanks := intent.Intent{Kind: intent.Thanks}
	question := intent.Intent{Kind: intent.Question}
	none := intent.Intent{Kind: intent.None}
	for _, c := range []struct {
		text string
		role roles.Role
		want intent.Intent
	}{
		// Greetings, typos and all, for every role.
		{"bonjour", med, greet},
		{"Bonjour !", coord, greet},
		{"bonjoru", med, greet},
		{"bnjour", med, greet},
		{"salut", admin, greet},
		{"slaut", med, greet},
		{"bonsoir", med, greet},
		{"coucou", med, greet},
		{"hello", coord, greet},
		{"bonjour ça va ?", med, greet},
		{"Bonjour Madame", med, greet},
		{"merci", med, thanks},
		{"merci beaucoup !", coord, thanks},
		{"mercii", med, thanks},
		{"super merci", med, thanks},
		{"cest bon merci", med, thanks},
		{"c'est gentil, merci", coord, thanks},
		{"cest pour une nouvelle fiche", med, cmd("/fiche", "")},
		{"jen veux une nouvelle fiche", med, cmd("/fiche", "")},
		{"cest bon", med, none},
		// Intents, with or without a slash, typos, no accents, no apostrophes.
		{"nouvelle fiche", med, cmd("/fiche", "")},
		{"nouvele fihce", med, cmd("/fiche", "")},
		{"/nouvelle fiche", med, cmd("/fiche", "")},
		{"jveux faire une nouvelle fiche svp", med, cmd("/fiche", "")},
		{"j'ai une fiche a remplir", med, cmd("/fiche", "")},
		{"jai une fiche a remplir", med, cmd("/fiche", "")},
		{"bonjour, nouvelle fiche", med, cmd("/fiche", "")},
		{"/fihce", med, cmd("/fiche", "")},
		{"nouvelle fiche", coord, cmd("/fiche", "")}, // the bot refuses it, like /fiche
		{"mes fiches", med, cmd("/mesfiches", "")},
		{"une action", med, cmd("/action", "")},
		{"une acion collective", med, cmd("/action", "")},
		{"mes suivis", med, cmd("/suivis", "")},
		{"mes suivi", med, cmd("/suivis", "")},
		{"mes suivis en retard ?", med, question}, // the question parser answers it
		{"mes chiffres", med, cmd("/meschiffres", "")},
		{"mes chifres", med, cmd("/meschiffres", "")},
		{"mes chiffres", coord, cmd("/indicateurs", "")},
		{"indicateurs", coord, cmd("/indicateurs", "")},
		{"indicateur", admin, cmd("/indicateurs", "")},
		{"indicateurs", med, cmd("/indicateurs", "")}, // refused by the bot
		{"rapport annuel 2024", coord, cmd("/rapport", "2024")},
		{"rapport anuel 2024", coord, cmd("/rapport", "2024")},
		{"rapport annuel", admin, cmd("/rapport", "")},
		{"aide", med, cmd("/aide", "")},
		{"aidee", med, cmd("/aide", "")},
		{"jai besoin daide", med, cmd("/aide", "")},
		{"j'ai besoin d'aide", coord, cmd("/aide", "")},
		{"exporter", coord, cmd("/export", "")},
		{"exporté", coord, cmd("/export", "")},
		{"lexport excel", coord, cmd("/export", "")},
		{"exporter", med, cmd("/export", "")}, // refused by the bot
		{"activité", coord, cmd("/activite", "")},
		{"equipe", admin, cmd("/equipe", "")},
		{"inviter un médiateur", coord, cmd("/inviter", "")},
		{"rappels", med, cmd("/rappels", "")},
		// Questions about figures go to the question parser.
		{"combien de fiches ce mois ?", med, question},
		{"fiches en 2024", coord, question},
		{"nombre de femmes", coord, question},
		{"et à Roubaix ?", coord, question},
		// Neither.
		{"7h", med, none},
		{"blabla", med, none},
		{"je suis fatiguée", med, none},
		{"", med, none},
	} {
		if got := intent.Read(c.text, c.role); got != c.want {
			t.Errorf("Read(%q, %s) = %+v, want %+v", c.text, c.role, got, c.want)
		}
	}
}
