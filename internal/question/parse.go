// Package question reads a question typed in plain French (« combien de
// demandes de CSS dans le 62 en mars ? ») into a structured query over the
// indicator catalogue, and answers it from an indicators.Report. It is
// deterministic: a vocabulary, a tolerant word match (accents, capitals, one
// typo, plurals) and a few rules; no network, no language model. The figures
// always come from indicators.Compute, the code of /indicateurs and `relais
// report`, never from a second implementation.
package question

import (
	"sort"
	"strings"
	"time"

	"github.com/relais-sante/relais/internal/indicators"
)

// Indicators a query can ask for; Query.Code narrows some of them.
const (
	Sheets       = "sheets"       // fiches
	People       = "people"       // distinct people
	QPV          = "qpv"          // sheets of people living in a QPV
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
// kind; the zero Territory means "not said": the asker's own scope.
type Territory struct {
	Kind        string
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
}

// Understood tells whether the whole question was read: an indicator, at
// most one territory, and no word left over (a word not understood may be
// a place: the answer must not guess it away silently).
func (q Query) Understood() bool {
	return q.Indicator != "" && q.Conflict == "" && len(q.Ambiguous) == 0 && len(q.Unknown) == 0
}

// Structure is an employing structure the parser can recognise by part of
// its name.
type Structure struct{ Departement, Name string }

// Parser reads questions. Its structures come from the database; the zero
// Parser knows none.
type Parser struct {
	structures []structWords
}

type structWords struct {
	s     Structure
	words []string
}

// NewParser returns a parser that also recognises the given structures.
func NewParser(structures []Structure) *Parser {
	p := &Parser{}
	for _, s := range structures {
		var ws []string
		for _, w := range tokens(s.Name) {
			if !stop[w] && !structureWords[w] && len(w) >= 3 {
				ws = append(ws, stem(w))
			}
		}
		p.structures = append(p.structures, structWords{s: s, words: ws})
	}
	return p
}

type hit struct {
	means []meaning
	pos   int
}

// Parse reads text as a question asked on day today.
func (p *Parser) Parse(text string, today time.Time) Query {
	var q Query
	raw := tokens(text)
	used := make([]bool, len(raw))
	q.Period, q.PeriodSaid = parsePeriod(raw, used, today)
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
	var hits []hit
	taken := make([]bool, len(ws))
	for i := 0; i < len(ws); i++ {
		// the longest phrase wins, then the one typed without a typo
		// ("somme" is the Somme, not "homme" mistyped)
		best, bestLen, bestExact := -1, 0, 0
		for e, ent := range lexicon {
			n := len(ent.words)
			if n < bestLen || i+n > len(ws) {
				continue
			}
			ok, exact := true, 0
			for k := 0; k < n && ok; k++ {
				ok = near(ws[i+k].stem, ent.words[k], len(ws[i+k].raw)) ||
					len(ws[i+k].raw) >= 5 && oneEdit(ws[i+k].raw, ent.raws[k])
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
		hits = append(hits, hit{means: lexicon[best].means, pos: i})
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
	if st, matched, ambiguous := p.structure(leftWords); len(ambiguous) > 1 {
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
	for _, w := range left {
		if !allDigits(w.raw) || len(w.raw) > 2 {
			q.Unknown = append(q.Unknown, w.raw)
		}
	}
	p.interpret(&q, hits)
	return q
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
	for i, s := range p.structures {
		score := 0
		matched := map[string]bool{}
		for _, w := range words {
			if len(w) < 3 {
				continue
			}
			for _, sw := range s.words {
				if near(w, sw, len(w)) {
					score++
					matched[w] = true
					break
				}
			}
		}
		switch {
		case score == 0:
		case score > bestScore:
			bestScore, best, bestMatched = score, []int{i}, matched
		case score == bestScore:
			best = append(best, i)
		}
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
// breakdown.
func (p *Parser) interpret(q *Query, hits []hit) {
	has := map[string][]string{} // category → values, in order
	for _, h := range hits {
		for _, mn := range h.means {
			has[mn.cat] = append(has[mn.cat], mn.val)
		}
	}
	// first is the first precise value of a category ("freins de
	// mobilité": mobilité)
	first := func(cat string) string {
		for _, v := range has[cat] {
			if v != "" {
				return v
			}
		}
		return ""
	}
	any := func(cat string) bool { return len(has[cat]) > 0 }

	// territory
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
	// "les postes ruraux du Nord": a kind of post inside a département
	if len(terr) == 2 && (terr[1] == "rural" || terr[1] == "qpv_posts") && strings.HasPrefix(terr[0], "d:") {
		terr[0], terr[1] = terr[1], terr[0]
	}
	if len(terr) == 2 && (terr[0] == "rural" || terr[0] == "qpv_posts") && strings.HasPrefix(terr[1], "d:") {
		q.Territory = Territory{Kind: terr[0], Departement: terr[1][2:]}
	} else if len(terr) > 1 || len(terr) == 1 && q.Territory.Kind == indicators.KindStructure {
		q.Conflict = "plusieurs territoires"
	} else if len(terr) == 1 {
		t := terr[0]
		switch {
		case strings.HasPrefix(t, "d:"):
			q.Territory = Territory{Kind: indicators.KindDepartement, Departement: t[2:]}
		default:
			q.Territory = Territory{Kind: t}
		}
	}
	q.Breakdown = first(cBreakdown)

	// the request's kind and type, when named
	reqCode := ""
	if t := first(cType); t != "" {
		reqCode = t
	} else if k := first(cKind); k != "" {
		reqCode = k
	}
	theme := first(cTheme)
	hasTheme := any(cTheme)
	requestish := any(cRequests) || any(cKind) || any(cType) || any(cResolved) || any(cRate) || any(cOpen)

	set := func(ind, code string) { q.Indicator, q.Code = ind, code }
	switch {
	case any(cOverdue):
		set(Overdue, "")
	case any(cActions) || any(cRole) || any(cAudience) || (hasTheme && !any(cType) && !requestish):
		switch {
		case any(cPartic):
			set(Participants, "")
		case any(cRole):
			set(Actions, "role."+first(cRole))
		case hasTheme && theme != "":
			set(Actions, "theme."+theme)
		case hasTheme:
			set(Actions, "")
			q.Breakdown = ByType
		case any(cAudience):
			set(Actions, "audience."+first(cAudience))
		default:
			set(Actions, "")
		}
	case any(cPartic):
		set(Participants, "")
	case any(cRate) || any(cResolved) && any(cShare):
		set(Rate, reqCode)
	case any(cResolved):
		set(Resolved, reqCode)
	case any(cOpen) && !any(cType):
		set(Open, first(cKind))
	case any(cRequests) || any(cKind) || any(cType):
		set(Requests, reqCode)
	case any(cReviewQ):
		set(Reviews, first(cReviewQ))
	case any(cReviews):
		set(Reviews, "")
	case any(cPartners) || any(cPCat):
		set(Partners, first(cPCat))
	case any(cProtection):
		set(Protection, "")
	case any(cSex):
		set(Sex, first(cSex))
		if q.Code == "" {
			q.Breakdown = ByType
		}
	case any(cAge):
		set(Age, "")
	case any(cRes):
		set(Resources, first(cRes))
	case any(cContact):
		set(Contact, first(cContact))
	case any(cObstacles):
		set(Obstacles, first(cObstacles))
	case any(cLevel) && (first(cLevel) != "accompagne" || !any(cPeople)):
		set(Level, first(cLevel))
	case any(cQPV):
		set(QPV, "")
	case any(cPeople):
		set(People, "")
	case any(cSheets):
		set(Sheets, "")
	case any(cMediators):
		set(Mediators, "")
	case any(cPosts):
		set(Posts, "")
	}
	// a generic catalogue ("les ressources", "les freins") answers with its list
	if q.Code == "" && q.Breakdown == "" {
		switch q.Indicator {
		case Resources, Contact, Level, Obstacles, Partners, Sex:
			q.Breakdown = ByType
		}
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
