package question

import (
	"strconv"
	"strings"
	"sync"

	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/territory"
)

// The territories a question names are the deployment's: the served
// regions' names, their départements' names and numbers, their Annexe 1
// groupings of several départements (the Picardie), and the usual short
// names below, only where their region is served. « région » and
// « régional » mean the asker's region. Every other region and
// département is a place Relais does not count by (foreignPlaces).

// regionAliases are short names of a region, by INSEE code.
var regionAliases = map[string][]string{"32": {"HDF"}}

// groupAliases are other names of a grouping (groupKey).
var groupAliases = map[string][]string{groupKey("32", 0): {"ex-Picardie"}}

// departementAliases are short names of a département, by code.
var departementAliases = map[string][]string{"62": {"PdC"}}

func groupKey(region string, i int) string { return region + "." + strconv.Itoa(i) }

// vocab is what a parser knows for one set of served regions: the
// catalogue with the served territories' phrases, and the places outside.
type vocab struct {
	entries []entry
	// byFirst indexes entries by the first letter of their first word, in
	// order: a typed word matches a phrase only with the same first letter
	// (near, oneEdit), so only those are tried.
	byFirst        [256][]int
	places         []place
	foreignNumbers map[string]string // a département's number (lower case) outside the served regions: its name
}

// vocabs caches a vocab per set of served regions (their codes, joined):
// the bot makes a parser per question, and a deployment serves one set.
var vocabs sync.Map

func vocabFor(served territory.Served) *vocab {
	codes := make([]string, len(served))
	for i, r := range served {
		codes[i] = r.Code
	}
	key := strings.Join(codes, ",")
	if v, ok := vocabs.Load(key); ok {
		return v.(*vocab)
	}
	v := &vocab{places: foreignPlaces(served), foreignNumbers: map[string]string{}}
	v.entries = append(build(phrases), build(territoryPhrases(served))...)
	for e, ent := range v.entries {
		c := ent.words[0][0]
		v.byFirst[c] = append(v.byFirst[c], e)
	}
	for _, d := range territory.Departements() {
		if _, ok := served.Departement(d.Code); !ok {
			v.foreignNumbers[strings.ToLower(d.Code)] = d.Name
		}
	}
	got, _ := vocabs.LoadOrStore(key, v)
	return got.(*vocab)
}

// territoryPhrases are the served territories' names as phrases: « r:76 »
// for a region, « g:32.0 » for a grouping, « d:59 » for a département (its
// name and number).
func territoryPhrases(served territory.Served) []phrase {
	var out []phrase
	for _, r := range served {
		out = append(out, ph(r.Name, m(cTerritory, "r:"+r.Code)))
		for _, a := range regionAliases[r.Code] {
			out = append(out, ph(a, m(cTerritory, "r:"+r.Code)))
		}
		for i, g := range r.Annexe() {
			if len(g.Departements) < 2 {
				continue
			}
			k := groupKey(r.Code, i)
			out = append(out, ph(g.Name, m(cTerritory, "g:"+k)))
			for _, a := range groupAliases[k] {
				out = append(out, ph(a, m(cTerritory, "g:"+k)))
			}
		}
		for _, d := range r.Departements() {
			out = append(out, ph(d.Name, m(cTerritory, "d:"+d.Code)), ph(d.Code, m(cTerritory, "d:"+d.Code)))
			for _, a := range departementAliases[d.Code] {
				out = append(out, ph(a, m(cTerritory, "d:"+d.Code)))
			}
		}
	}
	return out
}

// territoryOfValue is the Territory of a phrase's value: « d:59 »,
// « r:76 », « g:32.0 », or a kind (« region »: the asker's region,
// « rural », « qpv_posts »).
func territoryOfValue(val string) Territory {
	kind, code, _ := strings.Cut(val, ":")
	switch kind {
	case "d":
		return Territory{Kind: indicators.KindDepartement, Departement: code}
	case "r":
		return Territory{Kind: indicators.KindRegion, Region: code}
	case "g":
		region, i, _ := strings.Cut(code, ".")
		n, err := strconv.Atoi(i)
		if err != nil {
			return Territory{Kind: indicators.KindGroup, Region: region, Group: -1}
		}
		return Territory{Kind: indicators.KindGroup, Region: region, Group: n}
	}
	return Territory{Kind: val}
}
