// Package question reads a question typed in plain French (« combien de
// demandes de CSS dans le 62 en mars ? ») into a structured query over the
// indicator catalogue, and answers it from an indicators.Report. It is
// deterministic: a vocabulary, a tolerant word match (accents, capitals, one
// typo, plurals) and a few rules; no network, no language model. The figures
// always come from indicators.Compute, the code of /indicateurs and `relais
// report`, never from a second implementation.
package question

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/territory"
)

// Indicators a query can ask for; Query.Code narrows some of them.
const (
	Sheets       = "sheets"       // fiches
	People       = "people"       // distinct people
	QPV          = "qpv"          // sheets of people living in a QPV
	PeopleQPV    = "qpvpeople"    // distinct people living in a QPV
	Sex          = "sex"          // Code F, M, X
	Age          = "age"          // mean age
	Resources    = "resources"    // Code: a resource, "" for all
	Contact      = "contact"      // Code: a contact mode, "" for all
	Level        = "level"        // Code: informe, oriente, accompagne, "" for all
	Protection   = "protection"   // people oriented to social-protection actors
	Requests     = "requests"     // Code "", "droits", "soins", "droits.css"…
	Resolved     = "resolved"     // same codes as Requests
	Rate         = "rate"         // resolution rate, same codes
	Open         = "open"         // open requests, Code "", "droits", "soins"
	Overdue      = "overdue"      // open requests past their follow-up date
	Obstacles    = "obstacles"    // Code: an obstacle, "" for all
	Actions      = "actions"      // Code "", "role.coanimee", "theme.nutrition", "audience.professionnels"
	Participants = "participants" // participants in collective actions
	Partners     = "partners"     // Code: a partner category, "" for all
	Reviews      = "reviews"      // Code: a review question, "" for the count
	Mediators    = "mediators"    // active mediators
	Posts        = "posts"        // registered posts
)

// Breakdowns.
const (
	ByDepartement = "departement"
	ByType        = "type"
	ByMonth       = "month"
)

// Territory is where a question asks about. Kind is an indicators scope
// kind; the zero Territory means "not said": the asker's own scope. A
// region kind without Region is « la région »: the asker's region.
type Territory struct {
	Kind        string
	Region      string `json:",omitempty"` // a region named, or a grouping's
	Group       int    `json:",omitempty"` // a grouping's index in its region's Annexe 1
	Departement string
	Structure   string
}

// Said tells whether the question named a territory.
func (t Territory) Said() bool { return t.Kind != "" }

// Query is a question once read.
type Query struct {
	Indicator string
	Code      string
	Territory Territory
	Period    indicators.Period
	// PeriodSaid is false when no period was named: this year so far.
	PeriodSaid bool
	Breakdown  string
	// Own is set when the asker said "mes", "mon": their own figures.
	Own bool
	// Unknown lists the words not understood, as typed (folded).
	Unknown []string
	// Conflict explains a question naming two territories, or a part
	// understood but not answerable; empty when none.
	Conflict string
	// Ambiguous lists the structures a word could designate.
	Ambiguous []Structure
	// Foreign lists the places named that are none of Relais's
	// territories (« Paris », « le 75 (Paris) », a town of the region
	// without a structure): never answered for another territory.
	Foreign []Place
	// Unsupported lists the filters the question asks for that the
	// indicator cannot apply (« âge (moins de 25 ans) », « sexe »): no
	// figure then, rather than the unfiltered one.
	Unsupported []string
	// Mismatch says, in French, why the unit asked (distinct people,
	// sheets, requests) is not the one the indicator counts; "" when it is.
	Mismatch string
	// Continues is set when the question starts with « et »: a follow-up
	// of the chat's last question (FollowUp).
	Continues bool
	// yearless: the period said no year (« en avril »).
	yearless bool
	// unit is the unit the question's words ask for, "" for none said.
	unit string
	// share is set when a share of the requests of a kind or type is
	// asked (« part des demandes de soins »): the figure says it.
	share bool
	// shareWord is the word asking for a share or rate (« taux »,
	// « part »), "" for none: « et le taux ? » follows requests.
	shareWord string
	// yearBefore: « l'année d'avant », the year before the last question's.
	yearBefore bool
}

// Understood tells whether the whole question was read: an indicator, at
// most one territory, and no word left over (a word not understood may be
// a place: the answer must not guess it away silently), no filter it
// cannot apply and no unit it does not count.
func (q Query) Understood() bool {
	return q.Indicator != "" && q.Conflict == "" && len(q.Ambiguous) == 0 && len(q.Unknown) == 0 &&
		len(q.Foreign) == 0 && len(q.Unsupported) == 0 && q.Mismatch == ""
}

// Structure is an employing structure the parser can recognise by part of
// its name.
type Structure struct{ Departement, Name string }

// Parser reads questions for a deployment: its territories are the served
// regions', its structures come from the database.
type Parser struct {
	v          *vocab
	structures []structWords
	// names are the folded words of the structures' names, so that a
	// word typed without its apostrophe is not split out of one.
	names map[string]bool
	// byWord indexes the structures by the stems of their names' words:
	// where each word sits in which name.
	byWord map[string][]namePos
}

type structWords struct {
	s     Structure
	words []string // the words that designate it (not « centre », « CCAS »…)
	all   []string // every word of its name but stop words, stemmed
}

// namePos is a word's place in a structure's name.
type namePos struct{ structure, pos int }

// NewParser returns a parser of the served regions' territories that also
// recognises the given structures.
func NewParser(served territory.Served, structures []Structure) *Parser {
	p := &Parser{v: vocabFor(served), names: map[string]bool{}, byWord: map[string][]namePos{}}
	for _, s := range structures {
		var ws, all []string
		for _, w := range tokens(s.Name) {
			if stop[w] {
				continue
			}
			p.names[w] = true
			p.byWord[stem(w)] = append(p.byWord[stem(w)], namePos{len(p.structures), len(all)})
			all = append(all, stem(w))
			if !structureWords[w] && len(w) >= 3 {
				ws = append(ws, stem(w))
			}
		}
		p.structures = append(p.structures, structWords{s: s, words: ws, all: all})
	}
	return p
}

type hit struct {
	means []meaning
	pos   int
	// prev is the word typed just before the phrase ("des" in « âge
	// moyen des personnes »): a people word after "des" qualifies, it is
	// not what is counted.
	prev string
	// afterAnd is set when « et » joins the phrase to the one before
	// (« fiches et personnes », « droits et soins »).
	afterAnd bool
	raw      string // the first word, as typed (folded)
	n        int    // the number of words of the phrase
}

// Place is a place named in a question that is none of Relais's
// territories.
type Place struct {
	Name string // as written to the asker: « Paris », « le 75 (Paris) », a word as typed
	// Departement is set for a town of the region: its département.
	Departement string
	// Known is false for a word read as a place only because it follows
	// « à », « dans »…: it may be a place Relais does not know.
	Known bool
	// Year is set for « en 25 », a département's number that may be a
	// year typed short (2025).
	Year int
}

// locatives introduce a place: an unknown word after one is reported as
// a place, never answered for the asker's own territory.
var locatives = map[string]bool{"a": true, "au": true, "aux": true, "dans": true, "sur": true, "pres": true}

// Parse reads text as a question asked on day today.
func (p *Parser) Parse(text string, today time.Time) Query {
	var q Query
	raw := expand(tokens(text), func(w string) bool { return p.names[w] })
	used := make([]bool, len(raw))
	q.Continues = len(raw) > 0 && (raw[0] == "et" || raw[0] == "idem" || raw[0] == "pareil")
	if q.Continues {
		used[0] = true // « idem pour la Somme »
	}
	// « l'année d'avant », « l'année précédente »: the year before the
	// last question's, in a follow-up
	for i := 0; i+1 < len(raw); i++ {
		if (raw[i] == "an" || raw[i] == "annee") && (raw[i+1] == "precedente" || raw[i+1] == "precedent" ||
			raw[i+1] == "d" && i+2 < len(raw) && raw[i+2] == "avant") {
			q.yearBefore = true
		}
	}
	ageBands(raw, used, &q) // before the period: « 25 ans » is no year
	for i := 1; i < len(raw); i++ {
		// « au cours de » is not « en cours », « au moins un frein » no place
		if (raw[i] == "cours" || raw[i] == "moins") && raw[i-1] == "au" {
			used[i] = true
		}
	}
	q.Period, q.PeriodSaid, q.yearless = parsePeriod(raw, used, today)
	// « cet été », « l'été dernier »: a season Relais does not read; « été »
	// is otherwise a verb (« ont été résolues ») and would vanish
	for i := 1; i < len(raw); i++ {
		if raw[i] == "ete" && (raw[i-1] == "cet" || raw[i-1] == "l" || raw[i-1] == "en") {
			q.Unknown = append(q.Unknown, "été")
		}
	}
	if !q.PeriodSaid {
		q.Period = indicators.YearToDate(today)
	}
	// the words left, without stop words, stemmed
	type word struct {
		raw, stem string
		i         int
	}
	var ws []word
	for i, w := range raw {
		if used[i] || stop[w] {
			continue
		}
		ws = append(ws, word{raw: w, stem: stem(w), i: i})
	}
	taken := make([]bool, len(ws))
	plain := make([]string, len(ws))
	for i, w := range ws {
		plain[i] = abbreviations[w.raw]
		if plain[i] == "" {
			plain[i] = w.raw
		}
	}
	// places outside the region first: « Val-d'Oise » is not the Oise
	for i := 0; i < len(ws); i++ {
		if pl, n := p.v.placeAt(plain, i, false); n > 0 {
			q.Foreign = append(q.Foreign, Place{Name: pl.name, Known: true})
			for k := i; k < i+n; k++ {
				taken[k] = true
			}
			i += n - 1
		}
	}
	// a structure named in full (« centre social Lille Sud », « CCAS de
	// Roubaix »): its common words belong to its name, not to the catalogue
	inFull := false
	stems := make([]string, len(ws))
	for i, w := range ws {
		stems[i] = w.stem
	}
	if st, from, n := p.namedInFull(stems, taken); n > 0 {
		q.Territory = Territory{Kind: indicators.KindStructure, Departement: st.Departement, Structure: st.Name}
		for k := from; k < from+n; k++ {
			taken[k] = true
		}
		inFull = true
	}
	var hits []hit
	for i := 0; i < len(ws); i++ {
		if taken[i] {
			continue
		}
		// the longest phrase wins, then the one typed without a typo
		// ("somme" is the Somme, not "homme" mistyped)
		best, bestLen, bestExact := -1, 0, 0
		for _, e := range p.v.byFirst[ws[i].stem[0]] {
			ent := p.v.entries[e]
			n := len(ent.words)
			if n < bestLen || i+n > len(ws) {
				continue
			}
			ok, exact := true, 0
			for k := 0; k < n && ok; k++ {
				ok = !taken[i+k] && (near(ws[i+k].stem, ent.words[k], len(ws[i+k].raw)) ||
					len(ws[i+k].raw) >= 5 && ws[i+k].raw[0] == ent.raws[k][0] && oneEdit(ws[i+k].raw, ent.raws[k]))
				if ws[i+k].stem == ent.words[k] {
					exact++
				}
			}
			if ok && (n > bestLen || exact > bestExact) {
				best, bestLen, bestExact = e, n, exact
			}
		}
		if best < 0 {
			continue
		}
		prev, and := "", false
		if j := ws[i].i; j > 0 {
			prev = raw[j-1]
			for k := j - 1; k >= 0; k-- {
				if w := raw[k]; w == "et" || w == "ou" {
					and = len(hits) > 0
				} else if joins[w] {
					continue
				}
				break
			}
		}
		hits = append(hits, hit{means: p.v.entries[best].means, pos: i, prev: prev, afterAnd: and, raw: ws[i].raw, n: bestLen})
		for k := i; k < i+bestLen; k++ {
			taken[k] = true
		}
		i += bestLen - 1
	}
	// words left: a structure's name, or not understood
	var left []word
	for i, w := range ws {
		if !taken[i] {
			left = append(left, w)
		}
	}
	var leftWords []string
	for _, w := range left {
		leftWords = append(leftWords, w.stem)
	}
	if inFull {
		// named in full: the words left are no second structure
	} else if st, matched, ambiguous := p.structure(leftWords); len(ambiguous) > 1 {
		q.Ambiguous = ambiguous
		left = nil
	} else if st != nil {
		q.Territory = Territory{Kind: indicators.KindStructure, Departement: st.Departement, Structure: st.Name}
		var rest []word
		for _, w := range left {
			if !matched[w.stem] {
				rest = append(rest, w)
			}
		}
		left = rest
	}
	// then towns of the region, numbers of other départements, and words
	// after « à », « dans »: places Relais does not count by
	plainLeft := make([]string, len(left))
	for i, w := range left {
		plainLeft[i] = abbreviations[w.raw]
		if plainLeft[i] == "" {
			plainLeft[i] = w.raw
		}
	}
	for i := 0; i < len(left); i++ {
		w := left[i]
		if pl, n := p.v.placeAt(plainLeft, i, true); n > 0 {
			q.Foreign = append(q.Foreign, Place{Name: pl.name, Departement: pl.dep, Known: true})
			i += n - 1
			continue
		}
		if name := p.v.departementCode(w.raw); name != "" && w.i > 0 && numberPlace[raw[w.i-1]] {
			pl := Place{Name: "le " + strings.ToUpper(w.raw) + " (" + name + ")", Known: true}
			if n, ok := number(w.raw, 2); ok && raw[w.i-1] == "en" && n >= 10 && 2000+n <= today.Year()+1 {
				pl.Year = 2000 + n
			}
			q.Foreign = append(q.Foreign, pl)
			continue
		}
		if afterLocative(raw, w.i) && !allDigits(w.raw) && !notPlaces[w.raw] {
			q.Foreign = append(q.Foreign, Place{Name: w.raw})
			continue
		}
		q.Unknown = append(q.Unknown, w.raw)
	}
	p.interpret(&q, hits)
	return q
}

// joins are the words between « et » and the phrase it joins (« fiches
// et des personnes »).
var joins = map[string]bool{"de": true, "des": true, "d": true, "du": true, "les": true, "la": true, "le": true,
	"l": true, "aux": true, "au": true, "pour": true, "combien": true, "nombre": true, "nb": true, "cb": true, "total": true}

// namedInFull finds the longest run of words (two at least) that follow
// each other in a structure's name and hold a word designating it:
// « centre social lille sud », « ccas roubaix ». from and n say where the
// run is; n is 0 when there is none.
func (p *Parser) namedInFull(stems []string, taken []bool) (st Structure, from, n int) {
	for i := range stems {
		if taken[i] {
			continue
		}
		for _, at := range p.byWord[stems[i]] {
			sw := p.structures[at.structure]
			k, designates := 0, false
			for i+k < len(stems) && at.pos+k < len(sw.all) && !taken[i+k] &&
				near(stems[i+k], sw.all[at.pos+k], len(stems[i+k])) {
				designates = designates || slices.Contains(sw.words, sw.all[at.pos+k])
				k++
			}
			if k >= 2 && designates && k > n {
				st, from, n = sw.s, i, k
			}
		}
	}
	return st, from, n
}

// abbreviations of place names: « st quentin » is Saint-Quentin.
var abbreviations = map[string]string{"st": "saint", "ste": "sainte"}

// notPlaces follow « à » without being places (« visites à domicile »).
var notPlaces = map[string]bool{"domicile": true, "distance": true, "pied": true, "temps": true, "jour": true,
	"cote": true, "propos": true, "vie": true, "chaque": true, "nouveau": true, "nouvelles": true, "meme": true, "memes": true}

// numberPlace are the words before a number that make it a département
// (« dans le 75 », « du 13 »): a number alone may be anything.
var numberPlace = map[string]bool{"le": true, "du": true, "dans": true, "en": true, "au": true, "a": true,
	"departement": true, "dept": true, "dep": true, "dpt": true}

// afterLocative tells whether the word at i follows « à », « dans »…,
// articles aside (« dans le », « à la »).
func afterLocative(raw []string, i int) bool {
	for k := i - 1; k >= 0; k-- {
		switch raw[k] {
		case "le", "la", "les", "l":
			continue
		}
		return locatives[raw[k]]
	}
	return false
}

// ageBands finds the ages typed (« moins de 25 ans », « 60 ans et plus »,
// « 18-25 ans »), marks them used and reports them as a filter the
// indicators cannot apply: a number before « ans » is never a year.
func ageBands(raw []string, used []bool, q *Query) {
	band := map[string]bool{"moins": true, "plus": true, "de": true, "d": true, "entre": true, "et": true, "a": true}
	for j := 0; j < len(raw); j++ {
		end := -1
		switch w := raw[j]; {
		case (w == "ans" || w == "an") && j > 0 && allDigits(raw[j-1]) && len(raw[j-1]) <= 3:
			end = j + 1
		case len(w) > 3 && strings.HasSuffix(w, "ans") && allDigits(w[:len(w)-3]) && len(w) <= 6: // "25ans"
			end = j + 1
		default:
			continue
		}
		start := end - 1
		for start > 0 && (band[raw[start-1]] || allDigits(raw[start-1]) && len(raw[start-1]) <= 3) {
			start--
		}
		if end+1 < len(raw) && (raw[end] == "et" || raw[end] == "ou") && (raw[end+1] == "plus" || raw[end+1] == "moins") {
			end += 2
		}
		for k := start; k < end; k++ {
			used[k] = true
		}
		// « de moins de 25 ans », « personnes de 25 ans »: the first « de »
		// joins the band to its noun
		for start+1 < end && (raw[start] == "de" || raw[start] == "d" || raw[start] == "a" || raw[start] == "et") &&
			(raw[start+1] == "moins" || raw[start+1] == "plus" || raw[start+1] == "entre" || start+3 == end) {
			start++
		}
		words := slices.Clone(raw[start:end])
		for k := len(words) - 1; k > 0; k-- { // « 18 25 ans » was typed « 18-25 ans »
			if allDigits(words[k]) && allDigits(words[k-1]) {
				words[k-1] += "-" + words[k]
				words = slices.Delete(words, k, k+1)
			}
		}
		label := "âge (" + strings.Join(words, " ") + ")"
		if !contains(q.Unsupported, label) {
			q.Unsupported = append(q.Unsupported, label)
		}
		j = end - 1
	}
}

// structure finds the structure named by the words left, by the most words
// of its name; several equally good are returned as ambiguous.
func (p *Parser) structure(words []string) (*Structure, map[string]bool, []Structure) {
	if len(words) == 0 || len(p.structures) == 0 {
		return nil, nil, nil
	}
	bestScore := 0
	var best []int
	var bestMatched map[string]bool
	// the words of a structure's name among words, counted and, for the
	// best one only, listed (a map per structure would cost more than
	// the rest of the parse)
	match := func(s structWords, list map[string]bool) (score int) {
		for _, w := range words {
			if len(w) < 3 {
				continue
			}
			for _, sw := range s.words {
				if near(w, sw, len(w)) {
					score++
					if list != nil {
						list[w] = true
					}
					break
				}
			}
		}
		return score
	}
	for i, s := range p.structures {
		score := match(s, nil)
		switch {
		case score == 0:
		case score > bestScore:
			bestScore, best = score, []int{i}
		case score == bestScore:
			best = append(best, i)
		}
	}
	if len(best) == 1 {
		bestMatched = map[string]bool{}
		match(p.structures[best[0]], bestMatched)
	}
	switch len(best) {
	case 0:
		return nil, nil, nil
	case 1:
		s := p.structures[best[0]].s
		return &s, bestMatched, nil
	}
	var out []Structure
	for _, i := range best {
		out = append(out, p.structures[i].s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return nil, nil, out
}

// interpret turns the phrases found into an indicator, a territory and a
// breakdown, then checks that every filter and unit the question asks for
// is the indicator's own.
func (p *Parser) interpret(q *Query, hits []hit) {
	hits = followedIsAVerb(hits)
	has := saidOf(hits)
	has.youngIsATheme()
	asked := askedUnit(hits)
	q.unit = asked
	hits = has.postsInQPV(hits)
	q.territoryOf(has)
	q.breakdownOf(has)
	q.indicatorOf(has, hits, asked)
	q.refine(has, hits, asked)
	q.checkFilters(has)
	q.checkUnit(asked)
	q.checkMean(hits, has.any(cMean))
	q.checkShare()
}

// followedIsAVerb drops « suivi » from « les personnes que j'ai suivies »:
// a verb there, not the open requests (« mes suivis »).
func followedIsAVerb(hits []hit) []hit {
	if !slices.ContainsFunc(hits, func(h hit) bool { return h.means[0].cat == cPeople }) {
		return hits
	}
	return slices.DeleteFunc(hits, func(h hit) bool {
		return h.n == 1 && h.means[0].cat == cOpen && (h.raw == "suivi" || h.raw == "suivie" || h.raw == "suivies")
	})
}

// said is what a question's phrases say: category → values, in order.
type said map[string][]string

func saidOf(hits []hit) said {
	has := said{}
	for _, h := range hits {
		for _, mn := range h.means {
			has[mn.cat] = append(has[mn.cat], mn.val)
		}
	}
	return has
}

// first is the first precise value of a category ("freins de mobilité":
// mobilité).
func (has said) first(cat string) string {
	for _, v := range has[cat] {
		if v != "" {
			return v
		}
	}
	return ""
}

func (has said) any(cat string) bool { return len(has[cat]) > 0 }

// youngIsATheme reads "actions pour les jeunes" as the theme, not an age
// band.
func (has said) youngIsATheme() {
	if !(has.any(cActions) || has.any(cPartic)) || !contains(has[cAgeBand], "jeunes") {
		return
	}
	has[cTheme] = append(has[cTheme], "sante_jeunes")
	var rest []string
	for _, v := range has[cAgeBand] {
		if v != "jeunes" {
			rest = append(rest, v)
		}
	}
	has[cAgeBand] = rest
	if len(rest) == 0 {
		delete(has, cAgeBand)
	}
}

// postsInQPV reads « les médiateurs en QPV » as the posts in a QPV, not
// people living in one, and returns the hits without the QPV.
func (has said) postsInQPV(hits []hit) []hit {
	if !(has.any(cMediators) || has.any(cPosts)) || !has.any(cQPV) || has.any(cPeople) || has.any(cSheets) || has.first(cQPV) != "" {
		return hits
	}
	delete(has, cQPV)
	has[cTerritory] = append(has[cTerritory], "qpv_posts")
	var kept []hit
	for _, h := range hits {
		if h.means[0].cat != cQPV {
			kept = append(kept, h)
		}
	}
	return kept
}

// territoryOf sets the territory said, or the conflict of several.
func (q *Query) territoryOf(has said) {
	var terr []string
	for _, t := range has[cTerritory] {
		if t == "own" {
			q.Own = true
			continue
		}
		if !contains(terr, t) {
			terr = append(terr, t)
		}
	}
	// « la région Occitanie »: the region named
	if len(terr) == 2 && contains(terr, "region") && (strings.HasPrefix(terr[0], "r:") || strings.HasPrefix(terr[1], "r:")) {
		terr = slices.DeleteFunc(terr, func(t string) bool { return t == "region" })
	}
	// "les postes ruraux du Nord": a kind of post inside a département
	// (or a region named)
	posts := func(t string) bool { return t == "rural" || t == "qpv_posts" }
	inside := func(t string) bool { return strings.HasPrefix(t, "d:") || strings.HasPrefix(t, "r:") }
	if len(terr) == 2 && posts(terr[1]) && inside(terr[0]) {
		terr[0], terr[1] = terr[1], terr[0]
	}
	switch {
	case len(terr) == 2 && posts(terr[0]) && inside(terr[1]):
		t := territoryOfValue(terr[1])
		q.Territory = Territory{Kind: terr[0], Region: t.Region, Departement: t.Departement}
	case len(terr) > 1 || len(terr) == 1 && q.Territory.Kind == indicators.KindStructure:
		q.Conflict = "plusieurs territoires"
	case len(terr) == 1:
		q.Territory = territoryOfValue(terr[0])
	}
	if len(terr) > 0 && len(q.Foreign) > 0 {
		q.Conflict = "plusieurs territoires"
	}
}

// breakdownOf sets the breakdown said; two at once are not supported.
func (q *Query) breakdownOf(has said) {
	q.Breakdown = has.first(cBreakdown)
	if q.Breakdown == "" && has.any(cBreakdown) { // « répartition », « détail »: of the indicator's own list
		q.Breakdown = ByType
	}
	if bds := distinct(has[cBreakdown]); len(bds) > 1 {
		q.Unsupported = append(q.Unsupported, "deux répartitions à la fois ("+strings.Join(breakdownNames(bds), " et ")+")")
	}
}

// set chooses the indicator and its code.
func (q *Query) set(ind, code string) { q.Indicator, q.Code = ind, code }

// indicatorOf chooses the indicator counted: the first of these rules
// that holds decides.
func (q *Query) indicatorOf(has said, hits []hit, asked string) {
	// the request's kind and type, when named
	reqCode := has.first(cType)
	if reqCode == "" {
		reqCode = has.first(cKind)
	}
	requestish := has.any(cRequests) || has.any(cKind) || has.any(cType) || has.any(cResolved) || has.any(cRate) || has.any(cOpen) || has.any(cStatus)
	dim := firstDimension(hits, has.any(cPeople))
	switch {
	case has.any(cReviewQ) && has.any(cMediators) && !has.any(cActions):
		// « médiateurs qui ont suivi une formation »: a review's question,
		// whatever verb was typed around it
		q.set(Reviews, has.first(cReviewQ))
	case has.any(cOverdue):
		q.set(Overdue, "")
	case has.any(cActions) || has.any(cRole) || has.any(cAudience) || (has.any(cTheme) && !has.any(cType) && !requestish):
		q.actionsIndicator(has)
	case has.any(cPartic):
		q.set(Participants, "")
	case has.any(cRate) || has.any(cResolved) && has.any(cShare):
		q.set(Rate, reqCode)
	case has.any(cResolved):
		q.set(Resolved, reqCode)
	case has.any(cOpen):
		q.set(Open, reqCode)
	case has.any(cRequests) || has.any(cKind) || has.any(cType) || has.any(cStatus):
		q.set(Requests, reqCode)
	case has.any(cReviewQ):
		q.set(Reviews, has.first(cReviewQ))
	case has.any(cReviews):
		q.set(Reviews, "")
	case has.any(cPartners) || has.any(cPCat):
		q.set(Partners, has.first(cPCat))
	case has.any(cProtection):
		q.set(Protection, "")
	case has.any(cAge):
		q.set(Age, "")
	case dim != "":
		q.dimensionIndicator(has, dim)
	case has.any(cSheets) && asked == unitSheets:
		q.set(Sheets, "")
	case has.any(cPeople):
		q.set(People, "")
	case has.any(cSheets):
		q.set(Sheets, "")
	case has.any(cMediators):
		q.set(Mediators, "")
	case has.any(cPosts):
		q.set(Posts, "")
	}
}

// actionsIndicator chooses among the actions' indicators.
func (q *Query) actionsIndicator(has said) {
	theme, hasTheme := has.first(cTheme), has.any(cTheme)
	switch {
	case has.any(cPartic):
		q.set(Participants, "")
	case has.any(cAudience) && !hasTheme && (!has.any(cRole) || has.first(cRole) == "coanimee"):
		// « médiateurs ayant co-animé une action pour des pros »: the
		// audience's indicator counts co-animated actions
		q.set(Actions, "audience."+has.first(cAudience))
	case has.any(cRole):
		q.set(Actions, "role."+has.first(cRole))
	case hasTheme && theme != "":
		q.set(Actions, "theme."+theme)
	case hasTheme:
		q.set(Actions, "")
		q.Breakdown = ByType
	case has.any(cAudience):
		q.set(Actions, "audience."+has.first(cAudience))
	default:
		q.set(Actions, "")
	}
}

// dimensionIndicator counts the dimension named first (« freins des
// femmes »: freins); any other is a filter, checked by checkFilters.
func (q *Query) dimensionIndicator(has said, dim string) {
	switch dim {
	case cSex:
		q.set(Sex, has.first(cSex))
		if q.Code == "" {
			q.Breakdown = ByType
		}
	case cRes:
		q.set(Resources, has.first(cRes))
	case cContact:
		q.set(Contact, has.first(cContact))
	case cObstacles:
		q.set(Obstacles, has.first(cObstacles))
	case cLevel:
		q.set(Level, has.first(cLevel))
	case cQPV:
		q.set(QPV, has.first(cQPV))
	}
}

// refine adjusts the indicator chosen to what else was said: the share
// word, several codes of one catalogue (its list), people in a QPV.
func (q *Query) refine(has said, hits []hit, asked string) {
	// two themes at once: actions are counted by one
	if q.Indicator == Actions && len(distinct(has[cTheme])) > 1 {
		q.Unsupported = append(q.Unsupported, "deux thèmes à la fois")
	}
	q.severalRequests(has)
	for _, h := range hits {
		if h.means[0].cat == cShare && q.shareWord == "" {
			q.shareWord = h.raw
		}
	}
	q.bothUnits(hits)
	if has.any(cShare) && q.Indicator == Requests && q.Code != "" {
		q.share = true // « part des demandes de soins »: among all requests
	}
	// two codes of one catalogue ("les femmes et les hommes"): its list
	if cat := dimensionOf(q.Indicator); cat != "" && len(distinct(has[cat])) > 1 {
		q.Code, q.Breakdown = "", ByType
	}
	// a generic catalogue ("les ressources", "les freins") answers with its list
	if q.Code == "" && q.Breakdown == "" {
		switch q.Indicator {
		case Resources, Contact, Level, Obstacles, Partners, Sex:
			q.Breakdown = ByType
		}
	}
	// people living in a QPV are counted as people, unless sheets are asked
	if q.Indicator == QPV && asked != unitSheets {
		if q.Code == "non" {
			q.Mismatch = "Je ne sais pas encore compter les personnes distinctes hors QPV : Relais compte les personnes vivant en QPV, et les fiches hors QPV."
		} else {
			q.Indicator = PeopleQPV
		}
	}
}

// checkShare refuses a share asked of a figure that is a plain count
// (« ratio fiches par médiateur », « part des fiches »): the count is
// not the share.
func (q *Query) checkShare() {
	if q.shareWord == "" || q.Mismatch != "" {
		return
	}
	facet, _, _ := strings.Cut(q.Code, ".")
	switch {
	case q.Indicator == Requests && q.Code == "", q.Indicator == Actions && (facet == "" || facet == "role"):
	case q.Indicator == Sheets, q.Indicator == People, q.Indicator == Open, q.Indicator == Overdue, q.Indicator == Participants,
		q.Indicator == Partners, q.Indicator == Mediators, q.Indicator == Posts, q.Indicator == Age, q.Indicator == Protection:
	default:
		return
	}
	q.Mismatch = "Je ne sais pas encore calculer une part pour « " + lowerFirst(Title(*q)) + " » : Relais en donne le nombre."
}

// checkMean refuses a mean the indicator does not give: « nombre moyen de
// fiches par médiateur » is not the number of sheets. People, social
// protection and partners show their mean per active mediator.
func (q *Query) checkMean(hits []hit, mean bool) {
	per := ""
	for _, h := range hits {
		switch c := h.means[0].cat; {
		case h.prev != "par":
		case c == cMediators || c == cPosts:
			per = "médiateur"
		case c == cSheets:
			per = "fiche"
		case c == cPeople:
			per = "personne"
		}
	}
	if !mean && per == "" || q.Indicator == Age || q.Indicator == "" || q.Mismatch != "" {
		return
	}
	switch q.Indicator {
	case People, PeopleQPV, Protection, Partners:
		if per == "médiateur" || per == "" {
			return
		}
	}
	what := "une moyenne"
	if per != "" {
		what = "une moyenne par " + per
	}
	q.Mismatch = "Je ne sais pas encore calculer " + what + " pour « " + lowerFirst(Title(*q)) + " » : Relais en donne le total."
}

// firstDimension is the dimension of the sheets (sex, resource, contact
// mode, level, obstacle, QPV) named first, "" for none; « accompagnés »
// is a level only when no person is named (« personnes accompagnées »).
func firstDimension(hits []hit, people bool) string {
	for _, h := range hits {
		for _, mn := range h.means {
			switch mn.cat {
			case cSex, cRes, cContact, cObstacles, cQPV:
				return mn.cat
			case cLevel:
				if mn.val != "accompagne" || !people {
					return mn.cat
				}
			}
		}
	}
	return ""
}

// Units a question may ask for by its head noun.
const (
	unitPeople   = "people"
	unitSheets   = "sheets"
	unitRequests = "requests"
)

// askedUnit is what the question counts by its words: « combien de
// personnes », « nombre de fiches », « part des demandes ». A people
// word after « des » once something else was named qualifies it (« âge
// moyen des personnes »), it is not the unit.
func askedUnit(hits []hit) string {
	content := false
	for _, h := range hits {
		c := h.means[0].cat
		switch c {
		case cFiller, cShare, cBreakdown, cTerritory, cDepartement, cMean:
			continue
		case cPeople:
			// « RDV pris pour les gens »: after something else, the people qualify it
			if !(content && !h.afterAnd && (h.prev == "des" || h.prev == "aux" || h.prev == "du" || h.prev == "les" || h.prev == "pour")) {
				return unitPeople
			}
		case cSheets:
			return unitSheets
		case cRequests:
			return unitRequests
		}
		content = true
	}
	return ""
}

// naturalUnit is what an indicator counts: sheets, distinct people or
// requests; "" for the others (actions, means…), which name their own.
func naturalUnit(ind string) string {
	switch ind {
	case Sheets, QPV, Sex, Resources, Contact, Level, Obstacles:
		return unitSheets
	case People, PeopleQPV, Protection:
		return unitPeople
	case Requests, Resolved, Rate, Open, Overdue:
		return unitRequests
	}
	return ""
}

// dimensionOf is the category whose code an indicator filters by.
func dimensionOf(ind string) string {
	switch ind {
	case Sex:
		return cSex
	case Resources:
		return cRes
	case Contact:
		return cContact
	case Level:
		return cLevel
	case Obstacles:
		return cObstacles
	}
	return ""
}

// dimensionLabels name the filters, as in « je ne sais pas encore
// filtrer par … ».
var dimensionLabels = map[string]string{
	cSex: "sexe", cQPV: "lieu de vie (QPV)", cRes: "ressource principale", cContact: "mode de contact",
	cLevel: "niveau d'accompagnement", cObstacles: "frein", cAgeBand: "âge", cStatus: "statut",
	cResolved: "statut « résolue »", cOpen: "statut « en cours »",
}

var statusLabels = map[string]string{"non_resolue": "« non résolue »", "abandonnee": "« abandonnée »", "close": "« clôturée »"}

// checkFilters reports every filter named that the indicator does not
// apply: « combien de femmes au RSA » cannot be answered by either figure.
func (q *Query) checkFilters(has said) {
	own := map[string]bool{}
	switch q.Indicator {
	case Sex, Resources, Contact, Level, Obstacles:
		own[dimensionOf(q.Indicator)] = true
	case QPV, PeopleQPV:
		own[cQPV] = true
	case Age:
		own[cAge] = true
	case Protection:
		own[cLevel] = true // « orientés vers la protection sociale »
	case Resolved, Rate:
		own[cResolved] = true
	case Open, Overdue:
		own[cOpen] = true
	}
	// collective actions are counted by one facet: role, theme or audience
	if q.Indicator == Actions || q.Indicator == Participants {
		facet, _, _ := strings.Cut(q.Code, ".")
		for _, f := range []struct{ cat, facet, label string }{
			{cRole, "role", "rôle du médiateur"}, {cTheme, "theme", "thème"}, {cAudience, "audience", "public"},
		} {
			if facet != f.facet && len(distinct(has[f.cat])) > 0 && !contains(q.Unsupported, f.label) &&
				!(facet == "audience" && f.cat == cRole && contains(has[cRole], "coanimee")) {
				q.Unsupported = append(q.Unsupported, f.label)
			}
		}
	}
	for _, c := range []string{cSex, cQPV, cRes, cContact, cLevel, cObstacles, cAgeBand, cStatus, cResolved, cOpen} {
		if own[c] {
			continue
		}
		for _, v := range has[c] {
			label := dimensionLabels[c]
			switch {
			case c == cLevel && v == "accompagne": // « femmes accompagnées »: every sheet is one
				continue
			case c == cAgeBand:
				label = "âge (" + v + ")"
			case c == cStatus && v != "":
				label = "statut " + statusLabels[v]
			}
			if !contains(q.Unsupported, label) {
				q.Unsupported = append(q.Unsupported, label)
			}
		}
	}
}

// checkUnit refuses a count in another unit than the one asked: distinct
// people are not sheets, sheets are not requests.
func (q *Query) checkUnit(asked string) {
	got := naturalUnit(q.Indicator)
	if asked == "" || got == "" || asked == got || q.Mismatch != "" {
		return
	}
	by := dimensionLabels[dimensionOf(q.Indicator)]
	if q.Indicator == QPV {
		by = "lieu de vie"
	}
	if got == unitRequests {
		by = "demande"
	}
	switch {
	case asked == unitPeople && got == unitSheets:
		q.Mismatch = "Je ne sais pas encore compter les personnes distinctes par " + by +
			" : Relais compte les fiches (une personne accompagnée deux fois compte deux fois)."
	case asked == unitPeople && got == unitRequests:
		q.Mismatch = "Je ne sais pas encore compter les personnes distinctes par demande : Relais compte les demandes (une fiche peut en porter plusieurs)."
	case asked == unitSheets && got == unitRequests:
		q.Mismatch = "Je ne sais pas encore compter les fiches par demande : Relais compte les demandes (une fiche peut en porter plusieurs)."
	case asked == unitRequests && got != unitRequests:
		q.Mismatch = "Je ne sais pas encore compter les demandes par " + by + " : Relais compte les fiches."
	}
}

// severalRequests reads two kinds or types of requests at once (« droits
// et soins », « CSS et RDV »): their list, never the first one alone.
func (q *Query) severalRequests(has said) {
	if !requestFamily(q.Indicator) {
		return
	}
	kinds := distinct(has[cKind])
	types := distinct(has[cType])
	for _, t := range types {
		if k, _, _ := strings.Cut(t, "."); !contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	if len(types) < 2 && len(kinds) < 2 {
		return
	}
	if q.Indicator == Open { // open requests are not counted by type
		q.Unsupported = append(q.Unsupported, "deux types de demandes à la fois")
		return
	}
	q.Code, q.Breakdown = "", ByType
	if len(kinds) == 1 {
		q.Code = kinds[0]
	}
}

// bothUnits refuses two counts asked at once (« fiches et personnes »,
// « demandes et personnes »): one figure would leave the other out.
func (q *Query) bothUnits(hits []hit) {
	if q.Mismatch != "" {
		return
	}
	names := map[string]string{cSheets: "les fiches", cPeople: "les personnes distinctes", cRequests: "les demandes"}
	first := ""
	for _, h := range hits {
		c := h.means[0].cat
		if names[c] == "" {
			continue
		}
		if h.afterAnd && first != "" && first != c {
			q.Mismatch = "Je ne donne qu'un chiffre à la fois : posez une question pour " + names[first] + ", une autre pour " + names[c] + "."
			return
		}
		if first == "" {
			first = c
		}
	}
}

// breakdownNames name breakdowns as typed: « par département ».
func breakdownNames(bds []string) []string {
	names := map[string]string{ByDepartement: "par département", ByType: "par type", ByMonth: "par mois"}
	out := make([]string, len(bds))
	for i, b := range bds {
		out[i] = names[b]
	}
	return out
}

func distinct(l []string) []string {
	var out []string
	for _, v := range l {
		if v != "" && !contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
