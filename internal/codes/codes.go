// Package codes is the catalogue of the domain's category codes and their
// French labels (../shared/domain.md). Records store codes; labels are only
// for display, so forms, import and reports all check against this one list.
package codes

import "github.com/relais-sante/relais/internal/territory"

// Choice is one code with its French label. Label is the one wording of
// the code: the button a mediator taps, the line of the summary, the row of
// every report and file, so it fits a button (MaxButton) and is never cut
// or reworded elsewhere.
type Choice struct {
	Code  string
	Label string
}

// List is an ordered list of choices.
type List []Choice

// Has reports whether code belongs to the list.
func (l List) Has(code string) bool {
	for _, c := range l {
		if c.Code == code {
			return true
		}
	}
	return false
}

// Label returns the French label of code, or the code itself when unknown.
func (l List) Label(code string) string {
	for _, c := range l {
		if c.Code == code {
			return c.Label
		}
	}
	return code
}

// Codes returns the codes in order.
func (l List) Codes() []string {
	out := make([]string, len(l))
	for i, c := range l {
		out[i] = c.Code
	}
	return out
}

// Departements of the Hauts-de-France region (INSEE 32), the default
// deployment, from the embedded reference (internal/territory): what tests
// of that deployment list. The code reads DepartementsOf(served) or
// DepartementLabel.
var Departements = DepartementsOf(territory.Served{hautsDeFrance})

var hautsDeFrance, _ = territory.FindRegion("32")

var Sex = List{{"F", "Femme"}, {"M", "Homme"}, {"X", "Non binaire"}}

var YesNo = List{{"oui", "Oui"}, {"non", "Non"}}

// QPVUnknown is the answer of a person who does not know whether they live
// in a priority neighbourhood: reports count it as non renseigné.
const QPVUnknown = "nsp"

// QPV is where the person lives: in a QPV, not, or they do not know (many
// people do not know the limits of their neighbourhood).
var QPV = List{{"oui", "Oui"}, {"non", "Non"}, {QPVUnknown, "Ne sait pas"}}

var Resources = List{
	{"aah", "AAH"},
	{"allocations_familiales", "Allocations familiales"},
	{"assurance_maladie", "Assurance maladie"},
	{"aucune", "Aucune ressource"},
	{"non_communique", "Non communiqué"},
	{"chomage", "Chômage"},
	{"retraite", "Pension de retraite"},
	{"reversion", "Pension de réversion"},
	{"rsa", "RSA"},
	{"salaire", "Salaire"},
	{"autre", "Autre"},
}

var ContactModes = List{
	{"aller_vers", "Aller vers"},
	{"bouche_a_oreille", "Bouche-à-oreille"},
	{"communication", "Communication de la structure"},
	{"contact_direct", "Contact direct"},
	{"orientation_partenaire", "Orientation par un partenaire"},
	{"rencontre_physique", "Rencontre physique"},
	{"demarche_usager", "Démarche de l'usager"},
}

var Levels = List{{"informe", "Informé"}, {"oriente", "Orienté"}, {"accompagne", "Accompagné"}}

var Obstacles = List{
	{"demarches", "Complexité des démarches administratives"},
	{"mobilite", "Mobilité"},
	{"manque_info", "Manque d'info sur les dispositifs"},
	{"non_connaissance", "Non connaissance des droits"},
	{"handicap", "Handicap"},
	{"crainte", "Crainte de conséquences négatives"},
	{"logement", "Logement"},
	{"emploi", "Emploi"},
	{"education", "Éducation"},
	{"ressources", "Ressources financières"},
	{"langue", "Barrière linguistique"},
}

var RequestKinds = List{{"droits", "Accès aux droits"}, {"soins", "Accès aux soins"}}

var RightsTypes = List{
	{"frais_specialiste", "Aides pour frais de spécialiste"},
	{"css", "Complémentaire Santé Solidaire"},
	{"prestations_sante", "Prestations de santé"},
	{"prestations_sociales", "Prestations sociales"},
	{"autre", "Autre"},
}

var CareTypes = List{
	{"rdv", "Prise de RDV"},
	{"recherche_ps", "Recherche d'un professionnel de santé"},
	{"bilan_sante", "Accompagnement bilan de santé"},
	{"accompagnement_rdv", "Accompagnement aux RDV médicaux"},
	{"conseil", "Conseil santé"},
	{"apa", "Activité physique adaptée"},
	{"depistage", "Dépistage organisé"},
	{"plateforme_rdv", "Activation compte plateforme de RDV"},
	{"addiction", "Addiction / CMPP / CSAPA"},
	{"atelier_cuisine", "Atelier cuisine"},
	{"autre", "Autre"},
}

// RequestTypes returns the types allowed for a request kind.
func RequestTypes(kind string) List {
	switch kind {
	case "droits":
		return RightsTypes
	case "soins":
		return CareTypes
	}
	return nil
}

var Statuses = List{
	{"en_cours", "En cours"}, {"resolue", "Résolue"}, {"non_resolue", "Non résolue"}, {"abandonnee", "Abandonnée"},
}

var ActionRoles = List{{"coanimee", "Co-animée"}, {"coconstruite", "Co-construite avec les habitants"}, {"participation", "Participation sans co-animer"}}

var Audiences = List{{"public", "Grand public"}, {"professionnels", "Professionnels"}}

var Themes = List{
	{"nutrition", "Nutrition"},
	{"cancer", "Dépistage des cancers"},
	{"addiction", "Addictions"},
	{"sante_mentale", "Santé mentale"},
	{"sante_sexuelle", "Santé sexuelle"},
	{"vaccination", "Vaccination"},
	{"bilan_sante", "Bilan de santé"},
	{"parcours_soins", "Parcours de soins"},
	{"hygiene", "Hygiène"},
	{"sante_jeunes", "Santé des jeunes"},
	{"autre", "Autre"},
}

var PartnerTypes = List{
	{"cpam", "CPAM"},
	{"professionnel_sante", "Professionnel de santé"},
	{"centre_social", "Centre social"},
	{"association", "Association"},
	{"acteur_specialise", "Acteur spécialisé"},
	{"service_prevention", "Service de prévention"},
	{"collectivite", "Collectivité"},
	{"autre", "Autre"},
}

var PartnerCategories = List{{"sanitaire", "Sanitaire"}, {"social", "Social"}, {"medico_social", "Médico-social"}}

var HealthNeeds = List{
	{"sante_mentale", "Santé mentale"},
	{"addictions", "Addictions"},
	{"nutrition", "Nutrition"},
	{"hygiene", "Hygiène"},
	{"cancer", "Cancer"},
	{"sante_sexuelle", "Santé sexuelle"},
	{"autre", "Autre"},
}

// Publics are the kinds of partners and publics the mediator works with,
// asked in the annual review ("Quels types de partenaires ?" in the
// regional report, 27 answers).
var Publics = List{
	{"pro_social", "Professionnels du secteur social"},
	{"pro_sante", "Professionnels de santé"},
	{"pro_medico_social", "Professionnels du médico-social"},
	{"pro_education", "Professionnels de l'éducation"},
	{"pro_insertion", "Professionnels de l'insertion"},
	{"pro_logement", "Bailleurs, professionnels du logement"},
	{"elus", "Élus"},
	{"associations", "Associations"},
	{"benevoles", "Bénévoles"},
	{"demandeurs_emploi", "Demandeurs d'emploi / RSA"},
	{"habitants", "Habitants"},
	{"familles", "Parents, familles"},
	{"enfants", "Enfants"},
	{"scolaires", "Élèves"},
	{"jeunes", "Jeunes (16-25 ans)"},
	{"etudiants", "Étudiants"},
	{"femmes", "Femmes"},
	{"femmes_enceintes", "Femmes enceintes"},
	{"personnes_agees", "Personnes âgées"},
	{"handicap", "Personnes en situation de handicap"},
	{"migrants", "Personnes migrantes"},
	{"gens_du_voyage", "Gens du voyage"},
	{"sans_domicile", "Personnes sans domicile"},
	{"addictions", "Personnes en situation d'addiction"},
	{"troubles_psychiques", "Personnes avec troubles psychiques"},
	{"travailleurs_precaires", "Travailleurs précaires"},
	{"justice", "Personnes sous-main de justice"},
}

// Lists maps a list name (as used in dialogs/*.yaml `choices_from`) to its list.
var Lists = map[string]List{
	"departements":       Departements,
	"sex":                Sex,
	"yes_no":             YesNo,
	"qpv":                QPV,
	"resources":          Resources,
	"contact_modes":      ContactModes,
	"levels":             Levels,
	"obstacles":          Obstacles,
	"request_kinds":      RequestKinds,
	"rights_types":       RightsTypes,
	"care_types":         CareTypes,
	"statuses":           Statuses,
	"action_roles":       ActionRoles,
	"audiences":          Audiences,
	"themes":             Themes,
	"partner_types":      PartnerTypes,
	"partner_categories": PartnerCategories,
	"health_needs":       HealthNeeds,
	"publics":            Publics,
}

// MaxButton is the longest button text, in characters, that an old phone
// shows whole in a one-column keyboard.
const MaxButton = 40

// DepartementsOf lists the départements of the served regions, region by
// region: the choices a deployment offers, and the rule « a département
// of a served region ».
func DepartementsOf(served territory.Served) List {
	var out List
	for _, d := range served.Departements() {
		out = append(out, Choice{d.Code, d.Name})
	}
	return out
}

// DepartementLabel is any French département's name (« Nord » for 59),
// or the code itself when unknown: labels of rows whatever the region.
func DepartementLabel(code string) string {
	if d, ok := territory.FindDepartement(code); ok {
		return d.Name
	}
	return code
}
