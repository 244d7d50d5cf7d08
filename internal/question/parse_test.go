package question

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/relais-sante/relais/internal/indicators"
)

// today is a Tuesday in May: "en mars" is this year's March, "en juillet"
// last year's July.
var today = time.Date(2025, 5, 20, 0, 0, 0, 0, time.UTC)

var testStructures = []Structure{{"59", "CCAS Roubaix"}, {"59", "Centre social Lille Sud"}, {"62", "Association Arras Santé"}}

// brief writes a parsed query the way the table spells it.
func brief(q Query) (terr, period, extra string) {
	terr = q.Territory.Kind
	if q.Territory.Kind == indicators.KindGroup { // a grouping by its name: « picardie »
		terr = strings.ToLower(strings.Fields(indicators.Group(q.Territory.Region, q.Territory.Group).Label())[0])
	}
	if q.Territory.Departement != "" {
		terr += ":" + q.Territory.Departement
	}
	if q.Territory.Structure != "" {
		terr += ":" + q.Territory.Structure
	}
	if q.PeriodSaid {
		period = q.Period.From.Format(time.DateOnly) + ".." + q.Period.To.Format(time.DateOnly)
	}
	var ex []string
	if len(q.Unknown) > 0 {
		ex = append(ex, "unk="+strings.Join(q.Unknown, " "))
	}
	if q.Conflict != "" {
		ex = append(ex, "conflict")
	}
	if len(q.Ambiguous) > 0 {
		ex = append(ex, "ambiguous")
	}
	if q.Own {
		ex = append(ex, "own")
	}
	if len(q.Unsupported) > 0 {
		ex = append(ex, "filter="+strings.Join(q.Unsupported, ","))
	}
	if q.Mismatch != "" {
		ex = append(ex, "unit")
	}
	for _, pl := range q.Foreign {
		ex = append(ex, "place="+pl.Name)
	}
	return terr, period, strings.Join(ex, " ")
}

// Questions typed as people type them (no accents, typos, abbreviations,
// singular for plural) and what they must be read as. An empty period is
// "not said" (this year so far); extra lists the words not understood
// (unk=), two territories (conflict) and "mes" (own).
var questions = []struct {
	text, indicator, code, territory, period, breakdown, extra string
}{
	{"combien de demandes de CSS dans le 62 en mars 2024 ?", "requests", "droits.css", "departement:62", "2024-03-01..2024-03-31", "", ""},
	{"combien de demandes de css dans le 62 en mars ?", "requests", "droits.css", "departement:62", "2025-03-01..2025-03-31", "", ""},
	{"combein de demande de c2s ds le pas de calais en mars 2024", "requests", "droits.css", "departement:62", "2024-03-01..2024-03-31", "", ""},
	{"Combien de demandes de C2S dans le Pas-de-Calais en Mars 2024", "requests", "droits.css", "departement:62", "2024-03-01..2024-03-31", "", ""},
	{"nb demandes css 62 mars 2024", "requests", "droits.css", "departement:62", "2024-03-01..2024-03-31", "", ""},
	{"demandes complementaire sante solidaire pas de calais mars 2024", "requests", "droits.css", "departement:62", "2024-03-01..2024-03-31", "", ""},
	{"demandes de complémentaire santé solidaire dans le 62 en mars 2024", "requests", "droits.css", "departement:62", "2024-03-01..2024-03-31", "", ""},
	{"combien de dossiers CMU dans le pdc en 03/2024", "requests", "droits.css", "departement:62", "2024-03-01..2024-03-31", "", ""},
	{"combien de demandes de mutuelle dans le 62 du 01/03/2024 au 31/03/2024", "requests", "droits.css", "departement:62", "2024-03-01..2024-03-31", "", ""},
	{"combien de personnes accompagnées dans l'Oise cette année ?", "people", "", "departement:60", "2025-01-01..2025-05-20", "", ""},
	{"combien de personnes acompagnées dans l'oise cette annee", "people", "", "departement:60", "2025-01-01..2025-05-20", "", ""},
	{"nombre de personnes differentes dans l oise en 2024", "people", "", "departement:60", "2024-01-01..2024-12-31", "", ""},
	{"combien de bénéficiaires dans l'Aisne l'an dernier", "people", "", "departement:02", "2024-01-01..2024-12-31", "", ""},
	{"combien d'usagers dans la Somme en 2023", "people", "", "departement:80", "2023-01-01..2023-12-31", "", ""},
	{"combien de gens dans le 80 l'année dernière", "people", "", "departement:80", "2024-01-01..2024-12-31", "", ""},
	{"file active du nord en 2024", "people", "", "departement:59", "2024-01-01..2024-12-31", "", ""},
	{"taux de résolution des demandes de soins en Picardie au premier semestre 2024", "rate", "soins", "picardie", "2024-01-01..2024-06-30", "", ""},
	{"taux de resolution des demandes de soins en picardie au 1er semestre 2024", "rate", "soins", "picardie", "2024-01-01..2024-06-30", "", ""},
	{"taux de résolution soins picardie S1 2024", "rate", "soins", "picardie", "2024-01-01..2024-06-30", "", ""},
	{"taux de resolutoin des demandes de soin en picardie premier semestre 2024", "rate", "soins", "picardie", "2024-01-01..2024-06-30", "", ""},
	{"taux de résolution des demandes de droits en 2024", "rate", "droits", "", "2024-01-01..2024-12-31", "", ""},
	{"part des demandes de droits résolues dans le nord", "rate", "droits", "departement:59", "", "", ""},
	{"pourcentage de demandes résolues en 2024", "rate", "", "", "2024-01-01..2024-12-31", "", ""},
	{"combien de demandes résolues dans le 62", "resolved", "", "departement:62", "", "", ""},
	{"combien de demandes de soins résolues au deuxième trimestre 2024", "resolved", "soins", "", "2024-04-01..2024-06-30", "", ""},
	{"demandes de droits resolues T3 2024", "resolved", "droits", "", "2024-07-01..2024-09-30", "", ""},
	{"part des femmes dans le Nord en 2024", "sex", "F", "departement:59", "2024-01-01..2024-12-31", "", ""},
	{"part des femmes ds le nord en 2024", "sex", "F", "departement:59", "2024-01-01..2024-12-31", "", ""},
	{"% de femmes dans le 59 en 2024", "sex", "F", "departement:59", "2024-01-01..2024-12-31", "", ""},
	{"combien de femmes accompagnées en 2024", "sex", "F", "", "2024-01-01..2024-12-31", "", ""},
	{"part des hommes dans la somme", "sex", "M", "departement:80", "", "", ""},
	{"répartition par sexe dans l'oise", "sex", "", "departement:60", "", "type", ""},
	{"combien d'actions de prévention sur la nutrition l'an dernier ?", "actions", "theme.nutrition", "", "2024-01-01..2024-12-31", "", ""},
	{"combien d'actions de prevention sur la nutrition l'an dernier", "actions", "theme.nutrition", "", "2024-01-01..2024-12-31", "", ""},
	{"actions nutrition 2024", "actions", "theme.nutrition", "", "2024-01-01..2024-12-31", "", ""},
	{"combien d actions sur l'alimentation en 2024", "actions", "theme.nutrition", "", "2024-01-01..2024-12-31", "", ""},
	{"nombre d'actions collectives en 2024", "actions", "", "", "2024-01-01..2024-12-31", "", ""},
	{"actions collectives dans le nord ce mois-ci", "actions", "", "departement:59", "2025-05-01..2025-05-20", "", ""},
	{"combien d'actions co-animées en 2024", "actions", "role.coanimee", "", "2024-01-01..2024-12-31", "", ""},
	{"combien d'actions coanimées dans l'aisne", "actions", "role.coanimee", "departement:02", "", "", ""},
	{"actions co-construites avec les habitants en 2024", "actions", "role.coconstruite", "", "2024-01-01..2024-12-31", "", ""},
	{"actions sur le dépistage des cancers en 2024", "actions", "theme.cancer", "", "2024-01-01..2024-12-31", "", ""},
	{"combien d'actions sur la santé mentale cette année", "actions", "theme.sante_mentale", "", "2025-01-01..2025-05-20", "", ""},
	{"actions de vaccination en 2024", "actions", "theme.vaccination", "", "2024-01-01..2024-12-31", "", ""},
	{"combien d'ateliers sur la santé sexuelle", "actions", "theme.sante_sexuelle", "", "", "", ""},
	{"actions par thème en 2024", "actions", "", "", "2024-01-01..2024-12-31", "type", ""},
	{"combien de participants aux actions en 2024", "participants", "", "", "2024-01-01..2024-12-31", "", ""},
	{"nombre de participants aux actions collectives dans l'oise", "participants", "", "departement:60", "", "", ""},
	{"âge moyen à Roubaix", "age", "", "structure:59:CCAS Roubaix", "", "", ""},
	{"age moyen a roubaix", "age", "", "structure:59:CCAS Roubaix", "", "", ""},
	{"moyenne d'âge dans le nord en 2024", "age", "", "departement:59", "2024-01-01..2024-12-31", "", ""},
	{"âge moyen des personnes accompagnées en 2024", "age", "", "", "2024-01-01..2024-12-31", "", ""},
	{"quel est l'âge moyen dans la somme", "age", "", "departement:80", "", "", ""},
	{"combien de fiches ce mois-ci ?", "sheets", "", "", "2025-05-01..2025-05-20", "", ""},
	{"combien de fiches ce mois ci", "sheets", "", "", "2025-05-01..2025-05-20", "", ""},
	{"cmbien de fiches ce mois", "sheets", "", "", "2025-05-01..2025-05-20", "", ""},
	{"nombre de fiches cette semaine", "sheets", "", "", "2025-05-19..2025-05-20", "", ""},
	{"combien de fiches la semaine dernière", "sheets", "", "", "2025-05-12..2025-05-18", "", ""},
	{"fiches du mois dernier", "sheets", "", "", "2025-04-01..2025-04-30", "", ""},
	{"combien d'accompagnements en 2024", "sheets", "", "", "2024-01-01..2024-12-31", "", ""},
	{"nombre de fiches depuis janvier", "sheets", "", "", "2025-01-01..2025-05-20", "", ""},
	{"combien de fiches depuis le 1er mars", "sheets", "", "", "2025-03-01..2025-05-20", "", ""},
	{"fiches du 1er mars au 15 avril 2024", "sheets", "", "", "2024-03-01..2024-04-15", "", ""},
	{"fiches du 01/03/2024 au 15/04/2024", "sheets", "", "", "2024-03-01..2024-04-15", "", ""},
	{"fiches entre janvier et mars 2024", "sheets", "", "", "2024-01-01..2024-03-31", "", ""},
	{"nombre de fiches au premier trimestre 2024", "sheets", "", "", "2024-01-01..2024-03-31", "", ""},
	{"fiches T1 2024", "sheets", "", "", "2024-01-01..2024-03-31", "", ""},
	{"fiches au 4e trimestre 2024", "sheets", "", "", "2024-10-01..2024-12-31", "", ""},
	{"fiches au second semestre 2024", "sheets", "", "", "2024-07-01..2024-12-31", "", ""},
	{"fiches en décembre 2024", "sheets", "", "", "2024-12-01..2024-12-31", "", ""},
	{"fiches en decembre", "sheets", "", "", "2024-12-01..2024-12-31", "", ""},
	{"fiches en juillet", "sheets", "", "", "2024-07-01..2024-07-31", "", ""},
	{"fiches en janv 2025", "sheets", "", "", "2025-01-01..2025-01-31", "", ""},
	{"fiches en fevrier 2024", "sheets", "", "", "2024-02-01..2024-02-29", "", ""},
	{"fiches aujourd'hui", "sheets", "", "", "2025-05-20..2025-05-20", "", ""},
	{"fiches hier", "sheets", "", "", "2025-05-19..2025-05-19", "", ""},
	{"fiches le 15/03/2024", "sheets", "", "", "2024-03-15..2024-03-15", "", ""},
	{"combien de fiches dans les postes ruraux en 2024", "sheets", "", "rural", "2024-01-01..2024-12-31", "", ""},
	{"fiches en milieu rural", "sheets", "", "rural", "", "", ""},
	{"combien de fiches dans les postes en QPV en 2024", "sheets", "", "qpv_posts", "2024-01-01..2024-12-31", "", ""},
	{"fiches des postes ruraux du nord en 2024", "sheets", "", "rural:59", "2024-01-01..2024-12-31", "", ""},
	{"nb de fiches par departement en 2024", "sheets", "", "", "2024-01-01..2024-12-31", "departement", ""},
	{"nombre de fiches par département", "sheets", "", "", "", "departement", ""},
	{"fiches par dept en 2024", "sheets", "", "", "2024-01-01..2024-12-31", "departement", ""},
	{"combien de fiches par mois en 2024", "sheets", "", "", "2024-01-01..2024-12-31", "month", ""},
	{"fiches mois par mois cette année", "sheets", "", "", "2025-01-01..2025-05-20", "month", ""},
	{"évolution des demandes de CSS en 2024", "requests", "droits.css", "", "2024-01-01..2024-12-31", "month", ""},
	{"mes suivis en retard ?", "overdue", "", "", "", "", "own"},
	{"mes suivis en retard", "overdue", "", "", "", "", "own"},
	{"suivis en retard", "overdue", "", "", "", "", ""},
	{"combien de demandes en retard", "overdue", "", "", "", "", ""},
	{"demandes à relancer", "overdue", "", "", "", "", ""},
	{"combien de demandes en cours", "open", "", "", "", "", ""},
	{"combien de suivis en cours", "open", "", "", "", "", ""},
	{"demandes de droits en cours", "open", "droits", "", "", "", ""},
	{"combien de demandes de soins par type en 2024", "requests", "soins", "", "2024-01-01..2024-12-31", "type", ""},
	{"demandes de soins par type T1 2024", "requests", "soins", "", "2024-01-01..2024-03-31", "type", ""},
	{"demandes de droits par type", "requests", "droits", "", "", "type", ""},
	{"combien de demandes de prise de rdv la semaine dernière", "requests", "soins.rdv", "", "2025-05-12..2025-05-18", "", ""},
	{"nombre de demandes de prise de rendez-vous en 2024", "requests", "soins.rdv", "", "2024-01-01..2024-12-31", "", ""},
	{"combien de rdv en 2024", "requests", "soins.rdv", "", "2024-01-01..2024-12-31", "", ""},
	{"medecin traitant dans le 59 le mois dernier", "requests", "soins.recherche_ps", "departement:59", "2025-04-01..2025-04-30", "", ""},
	{"recherche de médecin traitant en 2024", "requests", "soins.recherche_ps", "", "2024-01-01..2024-12-31", "", ""},
	{"combien de demandes de bilan de santé en 2024", "requests", "soins.bilan_sante", "", "2024-01-01..2024-12-31", "", ""},
	{"demandes de dépistage en 2024", "requests", "soins.depistage", "", "2024-01-01..2024-12-31", "", ""},
	{"accompagnement aux rdv médicaux en 2024", "requests", "soins.accompagnement_rdv", "", "2024-01-01..2024-12-31", "", ""},
	{"combien de demandes d'accompagnement physique", "requests", "soins.accompagnement_rdv", "", "", "", ""},
	{"combien de demandes de frais de specialiste", "requests", "droits.frais_specialiste", "", "", "", ""},
	{"demandes prestations sociales dans l'aisne", "requests", "droits.prestations_sociales", "departement:02", "", "", ""},
	{"demandes de prestations de santé en 2024", "requests", "droits.prestations_sante", "", "2024-01-01..2024-12-31", "", ""},
	{"combien de demandes d'addiction", "requests", "soins.addiction", "", "", "", ""},
	{"demandes activité physique adaptée", "requests", "soins.apa", "", "", "", ""},
	{"combien de demandes plateforme de rendez-vous", "requests", "soins.plateforme_rdv", "", "", "", ""},
	{"combien de demandes d'accès aux droits en 2024", "requests", "droits", "", "2024-01-01..2024-12-31", "", ""},
	{"combien de demandes d'accès aux soins en 2024", "requests", "soins", "", "2024-01-01..2024-12-31", "", ""},
	{"combien de demandes en 2024", "requests", "", "", "2024-01-01..2024-12-31", "", ""},
	{"combien de personnes en QPV depuis janvier", "qpvpeople", "", "", "2025-01-01..2025-05-20", "", ""},
	{"part des personnes vivant en QPV dans le nord", "qpvpeople", "", "departement:59", "", "", ""},
	{"combien d'habitants des quartiers prioritaires en 2024", "qpvpeople", "", "", "2024-01-01..2024-12-31", "", ""},
	{"RSA dans la somme", "resources", "rsa", "departement:80", "", "", ""},
	{"part des beneficiaires au RSA dans le nord", "resources", "rsa", "departement:59", "", "", "unit"},
	{"combien de personnes au RSA en 2024", "resources", "rsa", "", "2024-01-01..2024-12-31", "", "unit"},
	{"combien de personnes à l'AAH", "resources", "aah", "", "", "", "unit"},
	{"personnes sans ressources en 2024", "resources", "aucune", "", "2024-01-01..2024-12-31", "", "unit"},
	{"part des chômeurs", "resources", "chomage", "", "", "", ""},
	{"personnes à la retraite dans l'oise", "resources", "retraite", "departement:60", "", "", "unit"},
	{"ressources des personnes en 2024", "resources", "", "", "2024-01-01..2024-12-31", "type", ""},
	{"répartition des ressources dans le 62", "resources", "", "departement:62", "", "type", ""},
	{"modes de contact en 2024", "contact", "", "", "2024-01-01..2024-12-31", "type", ""},
	{"combien de personnes venues par aller vers", "contact", "aller_vers", "", "", "", "unit"},
	{"part du bouche à oreille", "contact", "bouche_a_oreille", "", "", "", ""},
	{"orientation par un partenaire en 2024", "contact", "orientation_partenaire", "", "2024-01-01..2024-12-31", "", ""},
	{"combien de personnes orientées en 2024", "level", "oriente", "", "2024-01-01..2024-12-31", "", "unit"},
	{"niveau d'accompagnement en 2024", "level", "", "", "2024-01-01..2024-12-31", "type", ""},
	{"combien de personnes informées", "level", "informe", "", "", "", "unit"},
	{"orientés vers la protection sociale en 2024", "protection", "", "", "2024-01-01..2024-12-31", "", ""},
	{"freins mobilite 2024", "obstacles", "mobilite", "", "2024-01-01..2024-12-31", "", ""},
	{"freins en 2024", "obstacles", "", "", "2024-01-01..2024-12-31", "type", ""},
	{"quels sont les obstacles en 2024", "obstacles", "", "", "2024-01-01..2024-12-31", "type", ""},
	{"combien de fiches avec un frein de mobilité", "obstacles", "mobilite", "", "", "", ""},
	{"barrière de la langue en 2024", "obstacles", "langue", "", "2024-01-01..2024-12-31", "", ""},
	{"combien de personnes avec des problèmes de logement", "obstacles", "logement", "", "", "", "unit"},
	{"freins liés au handicap", "obstacles", "handicap", "", "", "", ""},
	{"combien de partenaires", "partners", "", "", "", "type", ""},
	{"partenaires sanitaires", "partners", "sanitaire", "", "", "", ""},
	{"nombre de partenaires sociaux dans le nord", "partners", "social", "departement:59", "", "", ""},
	{"bilans annuels 2024", "reviews", "", "", "2024-01-01..2024-12-31", "", ""},
	{"combien de bilans annuels remplis en 2024", "reviews", "", "", "2024-01-01..2024-12-31", "", ""},
	{"partenariat cpam", "reviews", "cpam_partnership", "", "", "", ""},
	{"part des médiateurs avec un partenariat avec la CPAM en 2024", "reviews", "cpam_partnership", "", "2024-01-01..2024-12-31", "", ""},
	{"combien de médiateurs formés en 2024", "reviews", "training", "", "2024-01-01..2024-12-31", "", ""},
	{"médiateurs identifiés sur le territoire en 2024", "reviews", "identified", "", "2024-01-01..2024-12-31", "", ""},
	{"nombre de médiateurs actifs dans l'aisne", "mediators", "", "departement:02", "", "", ""},
	{"combien de médiateurs dans le 59", "mediators", "", "departement:59", "", "", ""},
	{"combien de mediatrices actives en 2024", "mediators", "", "", "2024-01-01..2024-12-31", "", ""},
	{"combien de postes dans la somme", "posts", "", "departement:80", "", "", ""},
	{"combien de fiches dans la région en 2024", "sheets", "", "region", "2024-01-01..2024-12-31", "", ""},
	{"fiches hauts de france 2024", "sheets", "", "region", "2024-01-01..2024-12-31", "", ""},
	{"combien de fiches en HDF en 2024", "sheets", "", "region", "2024-01-01..2024-12-31", "", ""},
	{"combien de fiches dans toute la région", "sheets", "", "region", "", "", ""},
	{"fiches en ex-picardie en 2024", "sheets", "", "picardie", "2024-01-01..2024-12-31", "", ""},
	{"combien de fiches dans le nord pas de calais", "sheets", "", "", "", "", "conflict"},
	{"bonjour", "", "", "", "", "", ""},
	{"quelle est la météo à Paris", "", "", "", "", "", "unk=meteo place=Paris"},
	{"combien de demandes de CSS à Arras", "requests", "droits.css", "structure:62:Association Arras Santé", "", "", ""},
	{"merci beaucoup", "", "", "", "", "", ""},
	{"?", "", "", "", "", "", ""},
	{"combien de fichse dans l'oise en 2024", "sheets", "", "departement:60", "2024-01-01..2024-12-31", "", ""},
	{"combien de demandse de soins en 2024", "requests", "soins", "", "2024-01-01..2024-12-31", "", ""},
	{"combien de personnes accompagnées dans la somme en 2024", "people", "", "departement:80", "2024-01-01..2024-12-31", "", ""},
	{"nombre de fiches dans l aisne en 2025", "sheets", "", "departement:02", "2025-01-01..2025-12-31", "", ""},
	{"pourcentage de femmes en 2024", "sex", "F", "", "2024-01-01..2024-12-31", "", ""},
	{"combien d'hommes en 2024", "sex", "M", "", "2024-01-01..2024-12-31", "", ""},
	{"part des non binaires", "sex", "X", "", "", "", ""},
	{"combien de fiches dans le nord en mars et avril 2024", "sheets", "", "departement:59", "2024-03-01..2024-04-30", "", ""},
	{"combien de fiches depuis 2023", "sheets", "", "", "2023-01-01..2025-05-20", "", ""},
	{"actions pour les professionnels en 2024", "actions", "audience.professionnels", "", "2024-01-01..2024-12-31", "", ""},
	{"demandes css en 2024 par département", "requests", "droits.css", "", "2024-01-01..2024-12-31", "departement", ""},
}

func TestParseQuestions(t *testing.T) {
	t.Parallel()
	if len(questions) < 150 {
		t.Fatalf("only %d questions in the table", len(questions))
	}
	p := NewParser(hdf, testStructures)
	for _, c := range questions {
		q := p.Parse(c.text, today)
		terr, period, extra := brief(q)
		got := fmt.Sprintf("%s|%s|%s|%s|%s|%s", q.Indicator, q.Code, terr, period, q.Breakdown, extra)
		want := fmt.Sprintf("%s|%s|%s|%s|%s|%s", c.indicator, c.code, c.territory, c.period, c.breakdown, c.extra)
		if got != want {
			t.Errorf("%q\n got  %s\n want %s", c.text, got, want)
		}
	}
}

func TestPeriodNotSaidIsThisYearSoFar(t *testing.T) {
	t.Parallel()
	q := NewParser(hdf, nil).Parse("combien de fiches ?", today)
	if q.PeriodSaid || q.Period != indicators.YearToDate(today) {
		t.Fatalf("period %v (said %v), want this year so far", q.Period, q.PeriodSaid)
	}
}

// One typo is tolerated in a word of five letters or more, not two, and
// not in a shorter word.
func TestTypoTolerance(t *testing.T) {
	t.Parallel()
	p := NewParser(hdf, nil)
	for text, want := range map[string]string{
		"fiches":   Sheets, // exact
		"fichse":   Sheets, // two letters swapped
		"fichees":  Sheets, // one letter added
		"fches":    Sheets, // one letter missing
		"fixhes":   Sheets, // one letter wrong
		"fxxhes":   "",     // two letters wrong
		"ficheszz": "",     // two letters added
		"agee":     "",     // a four-letter word gets no typo
	} {
		if got := p.Parse(text, today).Indicator; got != want {
			t.Errorf("%q read as %q, want %q", text, got, want)
		}
	}
}

func TestOneEdit(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"resolution", "resolution", true}, {"resolutoin", "resolution", true}, {"resolutio", "resolution", true},
		{"resolutionn", "resolution", true}, {"resolucion", "resolution", true}, {"resolutnio", "resolution", false},
		{"abc", "abcde", false}, {"", "a", true}, {"ab", "ba", true}, {"abcd", "badc", false},
	} {
		if got := oneEdit(c.a, c.b); got != c.want {
			t.Errorf("oneEdit(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestKeyRoundTrip(t *testing.T) {
	t.Parallel()
	p := NewParser(hdf, nil)
	for _, c := range questions {
		q := p.Parse(c.text, today)
		if q.Indicator == "" {
			continue
		}
		back, ok := ParseKey(q.Key())
		if !ok || back.Indicator != q.Indicator || back.Code != q.Code || back.Breakdown != q.Breakdown {
			t.Errorf("%q: key %q read back as %+v (ok %v)", c.text, q.Key(), back, ok)
		}
	}
	for _, bad := range []string{"", "sheets", "nope||-", "sheets||x", "a|b|c|d"} {
		if _, ok := ParseKey(bad); ok {
			t.Errorf("ParseKey(%q) accepted", bad)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, c := range questions {
		f.Add(c.text)
	}
	f.Add("du 31/02/2024 au 29/02/2023")
	f.Add("1/1/1 00/00/0000 t9 s3 5e trimestre 99 mars 2099")
	f.Add(strings.Repeat("é/", 300))
	f.Add("et en avril ?")
	f.Add("combien de femmes de moins de 25 ans dans le 75 a lyon")
	p := NewParser(hdf, testStructures)
	last := p.Parse("combien de demandes de css dans le 62 en mars 2024", today)
	f.Fuzz(func(t *testing.T, text string) {
		q := p.Parse(text, today)
		if q.Period.Validate() != nil {
			t.Fatalf("%q gives an invalid period %v", text, q.Period)
		}
		for _, w := range q.Unknown {
			if !utf8.ValidString(w) {
				t.Fatalf("%q gives an invalid word %q", text, w)
			}
		}
		if q.Indicator != "" && Title(q) == "" {
			t.Fatalf("%q gives an indicator without a title: %+v", text, q)
		}
		for _, pl := range q.Foreign {
			if !utf8.ValidString(pl.Name) || pl.Name == "" {
				t.Fatalf("%q gives an invalid place %q", text, pl.Name)
			}
		}
		if q.Understood() && (len(q.Foreign) > 0 || len(q.Unsupported) > 0 || q.Mismatch != "") {
			t.Fatalf("%q is understood with a place, a filter or a unit it cannot answer: %+v", text, q)
		}
		if f, ok := FollowUp(q, last); ok && f.Period.Validate() != nil {
			t.Fatalf("%q as a follow-up gives an invalid period %v", text, f.Period)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	p := NewParser(hdf, append(testStructures, manyStructures(200)...))
	texts := []string{
		"combien de demandes de CSS dans le 62 en mars 2024 ?",
		"taux de resolutoin des demandes de soin en picardie premier semestre 2024",
		"âge moyen à Roubaix",
		"quelle est la météo à Paris",
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p.Parse(texts[i%len(texts)], today)
	}
}

func manyStructures(n int) []Structure {
	var out []Structure
	for i := range n {
		out = append(out, Structure{"59", fmt.Sprintf("Association Quartier%d Solidarité", i)})
	}
	return out
}

// A date's fields are 1 or 2 digits, a year 2 or 4: strconv alone would
// take "05/03/20244" for a year 20244 and overflow on 20 digits.
func TestOddDateFieldsAreNoPeriod(t *testing.T) {
	t.Parallel()
	p := NewParser(hdf, nil)
	for _, text := range []string{"fiches le 5/3/20244", "fiches le a5/3/2024", "fiches le 99999999999999999999/3/2024", "fiches en a3/2024"} {
		if q := p.Parse(text, today); q.PeriodSaid {
			_, period, _ := brief(q)
			t.Errorf("%q read as the period %s, want none", text, period)
		}
	}
}
