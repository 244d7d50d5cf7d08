package question

import (
	"strings"

	"github.com/relais-sante/relais/internal/territory"
)

// Places Relais does not count by: the French départements and regions
// the deployment does not serve (from the reference, internal/territory),
// former regions and large cities, and the towns of the Hauts-de-France
// (Relais counts by région, département, structure and kind of post, not
// by town). A question naming one is never answered for another
// territory: it is refused, with the territories Relais knows.
//
// Only the Hauts-de-France's towns are listed (regionTowns, typed when
// it was the only region): a town of another region is reported as an
// unknown place after « à », « dans », never answered for a territory.

// otherPlaces are former regions, short names of regions, countries and
// large cities: never a territory of Relais (the regions and départements
// come from the reference).
var otherPlaces = []string{
	"Bourgogne", "Franche-Comté", "Aquitaine",
	"Auvergne", "Rhône-Alpes", "PACA", "Corse",
	"Alsace", "Lorraine", "Champagne-Ardenne", "Limousin", "Poitou-Charentes", "Languedoc-Roussillon",
	"Midi-Pyrénées", "IDF", "Belgique", "Outre-mer", "DOM", "DOM-TOM",
	"Lyon", "Marseille", "Toulouse", "Nice", "Nantes", "Strasbourg", "Montpellier", "Bordeaux", "Rennes",
	"Reims", "Le Havre", "Saint-Étienne", "Toulon", "Grenoble", "Dijon", "Angers", "Nîmes", "Brest",
	"Limoges", "Tours", "Metz", "Rouen", "Caen", "Orléans", "Mulhouse", "Perpignan", "Clermont-Ferrand",
	"Besançon", "Nancy", "Poitiers", "La Rochelle", "Ajaccio", "Bastia", "Bruxelles", "Charleville-Mézières",
}

// regionTowns are towns of the Hauts-de-France, with their département:
// Relais knows them only through a structure named after them.
var regionTowns = map[string]string{
	"Lille": "59", "Roubaix": "59", "Tourcoing": "59", "Dunkerque": "59", "Villeneuve-d'Ascq": "59",
	"Valenciennes": "59", "Douai": "59", "Maubeuge": "59", "Cambrai": "59", "Armentières": "59",
	"Wattrelos": "59", "Hazebrouck": "59", "Denain": "59", "Grande-Synthe": "59", "Marcq-en-Barœul": "59",
	"Amiens": "80", "Abbeville": "80", "Albert": "80", "Péronne": "80", "Montdidier": "80",
	"Calais": "62", "Boulogne-sur-Mer": "62", "Arras": "62", "Lens": "62", "Liévin": "62", "Béthune": "62",
	"Hénin-Beaumont": "62", "Saint-Omer": "62", "Bruay-la-Buissière": "62", "Berck": "62", "Carvin": "62",
	"Beauvais": "60", "Compiègne": "60", "Creil": "60", "Nogent-sur-Oise": "60", "Senlis": "60", "Noyon": "60",
	"Saint-Quentin": "02", "Soissons": "02", "Laon": "02", "Château-Thierry": "02", "Chauny": "02", "Hirson": "02",
}

// place is a place name ready for matching: its folded words.
type place struct {
	words []string
	name  string // as written to the asker
	dep   string // a town of the region: its département
}

// newPlace folds a place's name; false when it has no word left.
func newPlace(name, dep string) (place, bool) {
	var ws []string
	for _, w := range tokens(name) {
		if !stop[w] {
			ws = append(ws, w)
		}
	}
	return place{words: ws, name: name, dep: dep}, len(ws) > 0
}

// foreignPlaces are the places outside the served regions: the other
// regions and départements, the other regions' groupings and aliases
// (« Picardie », « HDF » under Occitanie alone), otherPlaces and the
// Hauts-de-France's towns (a town is never a territory).
func foreignPlaces(served territory.Served) []place {
	var out []place
	add := func(name, dep string) {
		if p, ok := newPlace(name, dep); ok {
			out = append(out, p)
		}
	}
	for _, r := range territory.Regions() {
		if _, ok := served.Region(r.Code); ok {
			continue
		}
		if r.Name != "La Réunion" {
			add(r.Name, "")
		}
		for _, a := range regionAliases[r.Code] {
			add(a, "")
		}
		for i, g := range r.Annexe() {
			if len(g.Departements) > 1 {
				add(g.Name, "")
				for _, a := range groupAliases[groupKey(r.Code, i)] {
					add(a, "")
				}
			}
		}
	}
	for _, d := range territory.Departements() {
		if _, ok := served.Departement(d.Code); !ok && d.Name != "La Réunion" { // « réunion » is a word of the trade: 974 only
			add(d.Name, "")
		}
	}
	for _, n := range otherPlaces {
		add(n, "")
	}
	for n, d := range regionTowns {
		add(n, d)
	}
	return out
}

// placeAt finds the longest place whose words start at ws[i] (words
// without stop words, folded, exact: a typo would turn « marché » into the
// Manche); n is its number of words.
func (v *vocab) placeAt(ws []string, i int, towns bool) (p place, n int) {
	for _, c := range v.places {
		if (c.dep != "") != towns || len(c.words) <= n || i+len(c.words) > len(ws) {
			continue
		}
		ok := true
		for k, w := range c.words {
			if ws[i+k] != w {
				ok = false
				break
			}
		}
		if ok {
			p, n = c, len(c.words)
		}
	}
	return p, n
}

// departementCode reads the number of a French département the
// deployment does not serve (« 75 », « 2a », « 974 »): the name, or ""
// when w is none.
func (v *vocab) departementCode(w string) string {
	return v.foreignNumbers[strings.ToLower(w)]
}
