package question

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/relais-sante/relais/internal/codes"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/territory"
)

// catalogue is every query the answers can title: each indicator with
// each of its codes.
func catalogue() []Query {
	var out []Query
	add := func(ind string, list ...string) {
		for _, c := range list {
			out = append(out, Query{Indicator: ind, Code: c})
		}
	}
	add(Sheets, "")
	add(People, "")
	add(QPV, "", "non")
	add(PeopleQPV, "")
	add(Sex, append([]string{""}, codes.Sex.Codes()...)...)
	add(Age, "")
	add(Resources, append([]string{""}, codes.Resources.Codes()...)...)
	add(Contact, append([]string{""}, codes.ContactModes.Codes()...)...)
	add(Level, append([]string{""}, codes.Levels.Codes()...)...)
	add(Protection, "")
	reqs := []string{"", "droits", "soins"}
	for _, k := range []string{"droits", "soins"} {
		for _, c := range codes.RequestTypes(k).Codes() {
			reqs = append(reqs, k+"."+c)
		}
	}
	add(Requests, reqs...)
	add(Resolved, reqs...)
	add(Rate, reqs...)
	add(Open, reqs...)
	add(Overdue, "")
	add(Obstacles, append([]string{""}, codes.Obstacles.Codes()...)...)
	acts := []string{"", "audience.professionnels"}
	for _, c := range codes.ActionRoles.Codes() {
		acts = append(acts, "role."+c)
	}
	for _, c := range codes.Themes.Codes() {
		acts = append(acts, "theme."+c)
	}
	add(Actions, acts...)
	add(Participants, "")
	add(Partners, append([]string{""}, codes.PartnerCategories.Codes()...)...)
	add(Reviews, append([]string{""}, indicators.ReviewQuestions.Codes()...)...)
	add(Mediators, "")
	add(Posts, "")
	return out
}

// A title starting with an accented letter (« âge moyen à Roubaix ») has
// its first letter lower-cased, not its first byte: every title of the
// catalogue renders whole in the « Compris » line, and names its unit.
func TestEveryTitleRendersWholeInTheComprisLine(t *testing.T) {
	t.Parallel()
	s := indicators.Region("32")
	p := indicators.Year(2024)
	for _, q := range catalogue() {
		title := Title(q)
		if title == "" || Definition(q) == "" || Unit(q) == "" {
			t.Errorf("%s|%s: title %q, definition %q, unit %q", q.Indicator, q.Code, title, Definition(q), Unit(q))
			continue
		}
		q.PeriodSaid = true
		text := Text(q, s, s.Label(), p, FigureOf(q, &indicators.Report{}), nil)
		line, _, _ := strings.Cut(text, "\n")
		if !utf8.ValidString(text) || strings.ContainsRune(text, utf8.RuneError) {
			t.Errorf("%s|%s: broken letters in %q", q.Indicator, q.Code, line)
		}
		first, _ := utf8.DecodeRuneInString(strings.TrimPrefix(line, "Compris : "))
		if !strings.HasPrefix(line, "Compris : ") || unicode.IsUpper(first) {
			t.Errorf("%s|%s: %q", q.Indicator, q.Code, line)
		}
		if !strings.HasSuffix(line, " – unité : "+Unit(q)+".") {
			t.Errorf("%s|%s: the unit is not named: %q", q.Indicator, q.Code, line)
		}
	}
	q := Query{Indicator: Age, PeriodSaid: true}
	line, _, _ := strings.Cut(Text(q, s, s.Label(), p, FigureOf(q, &indicators.Report{}), nil), "\n")
	if want := "Compris : âge moyen des personnes – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : années, moyenne des fiches où l'âge est connu."; line != want {
		t.Errorf("got  %q\nwant %q", line, want)
	}
	if got := Title(Query{Indicator: Rate, Code: "soins"}); got != "Taux de résolution – demandes d'accès aux soins" {
		t.Errorf("rate title %q", got)
	}
	if got := lowerFirst("Écoute"); got != "écoute" {
		t.Errorf("lowerFirst(Écoute) = %q", got)
	}
}

// reply is what the bot answers a regional coordinator (or a mediator)
// who types text on 2025-05-20, cut to its first line: the « Compris »
// line of an answer, or the first sentence of a refusal. It follows the
// bot's order (internal/bot/questions.go).
func reply(p *Parser, v indicators.Viewer, text string) string {
	q := p.Parse(text, today)
	var out string
	switch {
	case len(q.Foreign) > 0:
		out = ForeignPlaces(hdf, q, v, "CCAS Roubaix")
	case !q.Understood():
		out = NotUnderstood(q)
	default:
		s, refusal := Scope(hdf, q, v)
		if refusal != "" {
			out = refusal
			break
		}
		label := s.Label()
		out = Text(q, s, label, q.Period, FigureOf(q, &indicators.Report{Scope: s}), nil)
	}
	line, _, _ := strings.Cut(out, "\n")
	return line
}

// Phrasings typed as on a phone (no accents, abbreviations,
// typos), with what the bot answers first: the « Compris » line naming
// its unit, or the refusal that gives no figure.
var phrasings = []struct{ text, want string }{
	// units named
	{"cb de fiches ds le 59 en 2024", "Compris : fiches d'accompagnement – Nord – du 01/01/2024 au 31/12/2024 – unité : fiches."},
	{"nbr de personnes suivies ds la somme l an dernier", "Compris : personnes accompagnées (distinctes) – Somme – du 01/01/2024 au 31/12/2024 – unité : personnes distinctes."},
	{"combien de gens en qpv dans l aisne en 2024", "Compris : personnes distinctes vivant en QPV – Aisne – du 01/01/2024 au 31/12/2024 – unité : personnes distinctes."},
	{"nb personnes habitant en qpv 62 2024", "Compris : personnes distinctes vivant en QPV – Pas-de-Calais – du 01/01/2024 au 31/12/2024 – unité : personnes distinctes."},
	{"fiches qpv oise 2024", "Compris : fiches de personnes vivant en QPV – Oise – du 01/01/2024 au 31/12/2024 – unité : fiches."},
	{"nombre de fiches hors qpv en 2024", "Compris : fiches de personnes ne vivant pas en QPV – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : fiches."},
	{"% de femmes ds le 80 en 2024", "Compris : fiches de femmes – Somme – du 01/01/2024 au 31/12/2024 – unité : fiches."},
	{"combien d hommes et de femmes en 2024", "Compris : fiches par sexe – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : fiches."},
	{"age moyen ds l oise en 2024", "Compris : âge moyen des personnes – Oise – du 01/01/2024 au 31/12/2024 – unité : années, moyenne des fiches où l'âge est connu."},
	{"moyene d age a roubaix 2024", "Compris : âge moyen des personnes – CCAS Roubaix (Nord) – du 01/01/2024 au 31/12/2024 – unité : années, moyenne des fiches où l'âge est connu."},
	{"combien de css en cours", "Compris : demandes « Complémentaire Santé Solidaire » en cours – Hauts-de-France – du 01/01/2025 au 20/05/2025 (cette année, faute de période précisée) – unité : demandes."},
	{"nb de demandes c2s en cours ds le nord en 2024", "Compris : demandes « Complémentaire Santé Solidaire » en cours – Nord – du 01/01/2024 au 31/12/2024 – unité : demandes."},
	{"demandes de rdv en attente 2024", "Compris : demandes « Prise de RDV » en cours – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : demandes."},
	{"combien de css resolues en 2024", "Compris : demandes « Complémentaire Santé Solidaire » résolues – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : demandes."},
	{"taux de reussite des demandes de droits 2024", "Compris : taux de résolution – demandes d'accès aux droits – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : part des demandes, en %."},
	{"dossiers mutuelle pdc 1er trimestre 2024", "Compris : demandes « Complémentaire Santé Solidaire » – Pas-de-Calais – du 01/01/2024 au 31/03/2024 – unité : demandes."},
	{"fiches des 3 derniers mois", "Compris : fiches d'accompagnement – Hauts-de-France – du 21/02/2025 au 20/05/2025 – unité : fiches."},
	{"combien de fiches les 12 derniers mois dans le nord", "Compris : fiches d'accompagnement – Nord – du 21/05/2024 au 20/05/2025 – unité : fiches."},
	{"nb d actions collectives ds la somme en 2024", "Compris : actions collectives de prévention – Somme – du 01/01/2024 au 31/12/2024 – unité : actions collectives."},
	{"actions pour les jeunes en 2024", "Compris : actions collectives sur le thème « Santé des jeunes » – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : actions collectives."},
	{"nombre de participants aux ateliers 2024", "Compris : participants aux actions collectives – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : participants déclarés."},
	{"combien de mediateurs actifs ds l aisne en 2024", "Compris : médiateurs actifs – Aisne – du 01/01/2024 au 31/12/2024 – unité : médiateurs actifs."},
	{"nb de femmes orientees par un partenaire en 2024", "Je ne sais pas encore filtrer par mode de contact : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé."},
	{"ressources des personnes dans le nord en 2024", "Compris : ressources principales – Nord – du 01/01/2024 au 31/12/2024 – unité : fiches."},
	{"part du rsa dans le 62 en 2024", "Compris : fiches de personnes dont la ressource principale est « RSA » – Pas-de-Calais – du 01/01/2024 au 31/12/2024 – unité : fiches."},
	{"combien de fiches avec un frein de langue en 2024", "Compris : fiches citant le frein « Barrière linguistique » – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : fiches."},
	{"personnes orientees vers la protection sociale 2024", "Compris : personnes orientées vers les acteurs de la protection sociale – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : personnes distinctes, en moyenne par médiateur actif."},
	{"suivis en retard dans le nord", "Compris : suivis en retard – Nord – du 01/01/2025 au 20/05/2025 (cette année, faute de période précisée) – unité : demandes."},

	{"cb de mediateurs en qpv en 2024", "Compris : médiateurs actifs – Postes en QPV – du 01/01/2024 au 31/12/2024 – unité : médiateurs actifs."},
	{"nb de partenaires sociaux", "Compris : partenaires du champ social – Hauts-de-France – du 01/01/2025 au 20/05/2025 (cette année, faute de période précisée) – unité : partenaires."},
	{"combien de dossiers de mutuelle en attente ds l oise", "Compris : demandes « Complémentaire Santé Solidaire » en cours – Oise – du 01/01/2025 au 20/05/2025 (cette année, faute de période précisée) – unité : demandes."},

	{"j'aimerais connaitre le nombre de demandes de css ds le 02", "Compris : demandes « Complémentaire Santé Solidaire » – Aisne – du 01/01/2025 au 20/05/2025 (cette année, faute de période précisée) – unité : demandes."},
	{"ya combien de fiches ds le 80 au cours du trimestre dernier", "Compris : fiches d'accompagnement – Somme – du 01/01/2025 au 31/03/2025 – unité : fiches."},
	{"montre moi les fiches du mois", "Compris : fiches d'accompagnement – Hauts-de-France – du 01/05/2025 au 20/05/2025 – unité : fiches."},
	{"fiches sur l annee 2024 dans l oise", "Compris : fiches d'accompagnement – Oise – du 01/01/2024 au 31/12/2024 – unité : fiches."},

	// filters the indicators cannot apply: no figure
	{"freins des femmes", "Je ne sais pas encore filtrer par sexe : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé."},
	{"combien de fiches pour les 18-25 ans", "Je ne sais pas encore filtrer par âge (18-25 ans) : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé."},
	{"actions sur la vaccination pour les jeunes", "Je ne sais pas encore filtrer par deux thèmes à la fois : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé."},
	{"combien de css refusees en 2024", "Je ne sais pas encore filtrer par statut « non résolue » : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé."},
	{"combien de css non resolues en 2024", "Je ne sais pas encore filtrer par statut « non résolue » : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé."},
	{"nb de demandes pas resolues ds le nord", "Je ne sais pas encore filtrer par statut « non résolue » : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé."},
	{"demandes abandonnees en 2024", "Je ne sais pas encore filtrer par statut « abandonnée » : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé."},
	{"combien de dossiers clotures cette annee", "Je ne sais pas encore filtrer par statut « clôturée » : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé."},
	{"combien de personnes de moins de 25 ans", "Je ne sais pas encore filtrer par âge (moins de 25 ans) : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé."},
	{"nb de fiches des plus de 60 ans en 2024", "Je ne sais pas encore filtrer par âge (plus de 60 ans) : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé."},
	{"fiches 60 ans et plus", "Je ne sais pas encore filtrer par âge (60 ans et plus) : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé."},
	{"combien de jeunes de 18 a 25 ans dans le nord", "Je ne sais pas encore filtrer par âge (de 18 a 25 ans), âge (jeunes) : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé."},
	{"fiches 25 ans", "Je ne sais pas encore filtrer par âge (25 ans) : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé."},
	{"combien de mineurs accompagnes en 2024", "Je ne sais pas encore filtrer par âge (mineurs) : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé."},
	{"nb de seniors ds la somme", "Je ne sais pas encore filtrer par âge (seniors) : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé."},
	{"repartition par tranche d age en 2024", "Je ne sais pas encore filtrer par âge (par tranche d'âge) : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé."},
	{"combien de femmes au rsa", "Je ne sais pas encore filtrer par ressource principale : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé."},
	{"combien de femmes en qpv en 2024", "Je ne sais pas encore filtrer par lieu de vie (QPV) : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé."},
	{"demandes de css pour les femmes", "Je ne sais pas encore filtrer par sexe : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé."},
	{"demandes de soins des personnes en qpv", "Je ne sais pas encore filtrer par lieu de vie (QPV) : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé."},
	{"age moyen des hommes en 2024", "Je ne sais pas encore filtrer par sexe : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé."},
	{"combien de fiches au rsa avec un frein de mobilite", "Je ne sais pas encore filtrer par frein : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé."},
	{"personnes au chomage venues par le bouche a oreille", "Je ne sais pas encore filtrer par mode de contact : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé."},

	// people asked, sheets counted: no figure
	{"combien de personnes au rsa ds le nord", "Je ne sais pas encore compter les personnes distinctes par ressource principale : Relais compte les fiches (une personne accompagnée deux fois compte deux fois)."},
	{"nb de beneficiaires orientes en 2024", "Je ne sais pas encore compter les personnes distinctes par niveau d'accompagnement : Relais compte les fiches (une personne accompagnée deux fois compte deux fois)."},
	{"combien de gens ont un frein de mobilite", "Je ne sais pas encore compter les personnes distinctes par frein : Relais compte les fiches (une personne accompagnée deux fois compte deux fois)."},
	{"combien de personnes ont demande la css", "Je ne sais pas encore compter les personnes distinctes par demande : Relais compte les demandes (une fiche peut en porter plusieurs)."},
	{"combien de personnes hors qpv", "Je ne sais pas encore compter les personnes distinctes hors QPV : Relais compte les personnes vivant en QPV, et les fiches hors QPV."},
	{"nb de fiches avec une demande de css", "Je ne sais pas encore compter les fiches par demande : Relais compte les demandes (une fiche peut en porter plusieurs)."},

	// a mean the indicator does not give: no figure
	{"combien de fiches par mediateur en 2024", "Je ne sais pas encore calculer une moyenne par médiateur pour « fiches d'accompagnement » : Relais en donne le total."},
	{"nbre moyen de demandes par fiche", "Je ne sais pas encore calculer une moyenne par fiche pour « demandes » : Relais en donne le total."},

	// places Relais does not count by: no figure
	{"combien de fiches a paris en 2026", "« Paris » ne fait pas partie des territoires de Relais."},
	{"nb de fiches dans le 75", "« le 75 (Paris) » ne fait pas partie des territoires de Relais."},
	{"demandes de css ds le 93 en 2024", "« le 93 (Seine-Saint-Denis) » ne fait pas partie des territoires de Relais."},
	{"combien de personnes a lyon", "« Lyon » ne fait pas partie des territoires de Relais."},
	{"fiches en bretagne 2024", "« Bretagne » ne fait pas partie des territoires de Relais."},
	{"combien de fiches en ile de france", "« Île-de-France » ne fait pas partie des territoires de Relais."},
	{"age moyen dans les bouches du rhone", "« Bouches-du-Rhône » ne fait pas partie des territoires de Relais."},
	{"nb de fiches a amiens en 2024", "« Amiens » (Somme) ne fait pas partie des territoires de Relais : Relais ne compte pas par commune."},
	{"combien de fiches a lille", "« Lille » (Nord) ne fait pas partie des territoires de Relais : Relais ne compte pas par commune."},
	{"fiches a st quentin", "« Saint-Quentin » (Aisne) ne fait pas partie des territoires de Relais : Relais ne compte pas par commune."},
	{"combien de fiches a saint quentin", "« Saint-Quentin » (Aisne) ne fait pas partie des territoires de Relais : Relais ne compte pas par commune."},
	{"combien de fiches a hazebrouck en 2024", "« Hazebrouck » (Nord) ne fait pas partie des territoires de Relais : Relais ne compte pas par commune."},
	{"combien de fiches en 24", "« le 24 (Dordogne) » ne fait pas partie des territoires de Relais ; pour l'année 2024, écrivez « en 2024 »."},
	{"fiches ds la creuse", "« Creuse » ne fait pas partie des territoires de Relais."},
	{"combien de fiches dans le val d oise", "« Val-d'Oise » ne fait pas partie des territoires de Relais."},
	{"nb de fiches a bailleul en 2024", "« bailleul » : je ne connais pas ce lieu, qui ne fait pas partie des territoires de Relais."},

	// words not understood: no confident figure
	{"combien de fiches urgentissimes", "Je n'ai compris qu'une partie de votre question."},
	{"combien de fiches urgentes", "Je n'ai compris qu'une partie de votre question."}, // not « argent » mistyped
	{"combien de visites a domicile en 2024", "Je n'ai pas compris quel chiffre vous cherchez."},
}

func TestPhrasingsTypedOnAPhone(t *testing.T) {
	t.Parallel()
	if len(phrasings) < 60 {
		t.Fatalf("only %d phrasings", len(phrasings))
	}
	p := NewParser(hdf, testStructures[:1])
	regional := indicators.Viewer{Role: roles.Coordinator, Level: territory.LevelRegion}
	for _, c := range phrasings {
		if got := reply(p, regional, c.text); got != c.want {
			t.Errorf("%q\n got  %s\n want %s", c.text, got, c.want)
		}
	}
	// a mediator naming a place is told to ask about their own figures
	mediator := indicators.Viewer{Role: roles.Mediator, MediatorID: 7}
	if got, want := reply(p, mediator, "fiches a marseille"), "« Marseille » ne fait pas partie des territoires de Relais. Vous ne pouvez consulter que vos propres chiffres : posez la question sans nommer de lieu, par exemple « combien de fiches ce mois-ci ? »."; got != want {
		t.Errorf("mediator:\n got  %s\n want %s", got, want)
	}
}
