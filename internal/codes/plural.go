package codes

import "strings"

// Agreement is how the labels of a list read in the middle of a figures
// message, after a plural noun: "partenaires sanitaires", "actions
// co-animées", "femmes". The labels themselves are singular headings
// ("Social", "Co-animée"); written after "partenaires" or "actions" they
// must agree in number and gender, which a lower-cased label does not.
type Agreement struct {
	Noun     string            // the plural noun the forms qualify or are: "partenaires"
	Feminine bool              // the noun's gender
	Forms    map[string]string // code → plural form, lower case
}

// Plurals holds the agreement of every list whose labels the figures
// messages write after a plural noun, keyed like Lists. Partner categories
// read "du champ social", not "sociaux": "partenaires sociaux" means trade
// unions and employers in French.
var Plurals = map[string]Agreement{
	"sex": {Noun: "personnes", Feminine: true, Forms: map[string]string{
		"F": "femmes", "M": "hommes", "X": "non binaires",
	}},
	"action_roles": {Noun: "actions", Feminine: true, Forms: map[string]string{
		"coanimee": "co-animées", "coconstruite": "co-construites avec les habitants", "participation": "participations sans co-animer",
	}},
	"partner_categories": {Noun: "partenaires", Feminine: false, Forms: map[string]string{
		"sanitaire": "sanitaires", "social": "du champ social", "medico_social": "médico-sociaux",
	}},
}

// Plural is the form of a list's label after its plural noun; the
// lower-cased label when the list or code has none (Plurals' test makes
// sure every code of its lists has one).
func Plural(list, code string) string {
	if f, ok := Plurals[list].Forms[code]; ok {
		return f
	}
	return strings.ToLower(Lists[list].Label(code))
}
