package question

import "strings"

// Places Relais does not count by: the French départements outside the
// region, the other regions and large cities, and the towns of the region
// (Relais counts by région, département, structure and kind of post, not
// by town). A question naming one is never answered for another
// territory: it is refused, with the territories Relais knows.

// departementNames are the French départements, by code, outside the
// Hauts-de-France (its five are in the lexicon).
var departementNames = map[string]string{
	"01": "Ain", "03": "Allier", "04": "Alpes-de-Haute-Provence", "05": "Hautes-Alpes",
	"06": "Alpes-Maritimes", "07": "Ardèche", "08": "Ardennes", "09": "Ariège", "10": "Aube", "11": "Aude",
	"12": "Aveyron", "13": "Bouches-du-Rhône", "14": "Calvados", "15": "Cantal", "16": "Charente",
	"17": "Charente-Maritime", "18": "Cher", "19": "Corrèze", "2a": "Corse-du-Sud", "2b": "Haute-Corse",
	"21": "Côte-d'Or", "22": "Côtes-d'Armor", "23": "Creuse", "24": "Dordogne", "25": "Doubs", "26": "Drôme",
	"27": "Eure", "28": "Eure-et-Loir", "29": "Finistère", "30": "Gard", "31": "Haute-Garonne", "32": "Gers",
	"33": "Gironde", "34": "Hérault", "35": "Ille-et-Vilaine", "36": "Indre", "37": "Indre-et-Loire",
	"38": "Isère", "39": "Jura", "40": "Landes", "41": "Loir-et-Cher", "42": "Loire", "43": "Haute-Loire",
	"44": "Loire-Atlantique", "45": "Loiret", "46": "Lot", "47": "Lot-et-Garonne", "48": "Lozère",
	"49": "Maine-et-Loire", "50": "Manche", "51": "Marne", "52": "Haute-Marne", "53": "Mayenne",
	"54": "Meurthe-et-Moselle", "55": "Meuse", "56": "Morbihan", "57": "Moselle", "58": "Nièvre",
	"61": "Orne", "63": "Puy-de-Dôme", "64": "Pyrénées-Atlantiques", "65": "Hautes-Pyrénées",
	"66": "Pyrénées-Orientales", "67": "Bas-Rhin", "68": "Haut-Rhin", "69": "Rhône", "70": "Haute-Saône",
	"71": "Saône-et-Loire", "72": "Sarthe", "73": "Savoie", "74": "Haute-Savoie", "75": "Paris",
	"76": "Seine-Maritime", "77": "Seine-et-Marne", "78": "Yvelines", "79": "Deux-Sèvres", "81": "Tarn",
	"82": "Tarn-et-Garonne", "83": "Var", "84": "Vaucluse", "85": "Vendée", "86": "Vienne",
	"87": "Haute-Vienne", "88": "Vosges", "89": "Yonne", "90": "Territoire de Belfort", "91": "Essonne",
	"92": "Hauts-de-Seine", "93": "Seine-Saint-Denis", "94": "Val-de-Marne", "95": "Val-d'Oise",
	"971": "Guadeloupe", "972": "Martinique", "973": "Guyane", "974": "La Réunion", "976": "Mayotte",
}

// otherPlaces are regions, former regions, countries and large cities
// outside the Hauts-de-France.
var otherPlaces = []string{
	"Île-de-France", "Normandie", "Bretagne", "Pays de la Loire", "Centre-Val de Loire", "Grand Est",
	"Bourgogne-Franche-Comté", "Bourgogne", "Franche-Comté", "Nouvelle-Aquitaine", "Aquitaine", "Occitanie",
	"Auvergne-Rhône-Alpes", "Auvergne", "Rhône-Alpes", "Provence-Alpes-Côte d'Azur", "PACA", "Corse",
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

var places = buildPlaces()

func buildPlaces() []place {
	var out []place
	add := func(name, dep string) {
		var ws []string
		for _, w := range tokens(name) {
			if !stop[w] {
				ws = append(ws, w)
			}
		}
		if len(ws) > 0 {
			out = append(out, place{words: ws, name: name, dep: dep})
		}
	}
	for _, n := range departementNames {
		if n != "La Réunion" { // « réunion » is a word of the trade: 974 only
			add(n, "")
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
func placeAt(ws []string, i int, towns bool) (p place, n int) {
	for _, c := range places {
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

// departementCode reads a French département number outside the region
// (« 75 », « 2a », « 974 »): the name, or "" when w is none.
func departementCode(w string) string {
	return departementNames[strings.ToLower(w)]
}
