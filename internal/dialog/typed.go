package dialog

import (
	"context"
	"regexp"
	"strings"

	"github.com/relais-sante/relais/internal/forms"
	"github.com/relais-sante/relais/internal/frtext"
)

// Typed words for buttons: a mediator types on a phone between visits,
// with typos, without accents or apostrophes. Wherever a button is, its
// own words, a near miss of them, or a word meaning the same do what the
// button does.

// phoneWords are words phones type without their apostrophe, read as
// French (« jai », « cest »); loose has turned apostrophes into spaces.
var phoneWords = map[string]string{
	"jai": "j ai", "jen": "j en", "cest": "c est", "jsais": "je sais", "jsuis": "je suis", "chuis": "je suis",
	"jsp": "je sais pas", "quil": "qu il", "quelle": "qu elle", "lusager": "l usager", "nen": "n en",
	"ya": "il y a", "jpense": "je pense", "sest": "s est", "dla": "de la",
}

// fillers open a typed answer without being the answer (« c'est en
// cours », « elle a le RSA »).
var fillers = []string{"c est", "c etait", "elle est", "il est", "elle a", "il a", "j ai", "on a", "la personne est",
	"la personne a", "elle touche", "il touche", "plutot", "euh", "ben", "bah", "alors", "le", "la", "les", "l", "du", "des"}

// phoneText is typed text as the engine compares it: loose (no case, accent
// or punctuation), the apostrophes phones drop put back as spaces.
func phoneText(text string) string {
	ws := strings.Fields(loose(text))
	for i, w := range ws {
		if v, ok := phoneWords[w]; ok {
			ws[i] = v
		}
	}
	return strings.Join(ws, " ")
}

// answerWords are words without the fillers that open a sentence.
func answerWords(text string) string {
	t := phoneText(text)
	for changed := true; changed; {
		changed = false
		for _, f := range fillers {
			if rest, ok := strings.CutPrefix(t, f+" "); ok {
				t, changed = rest, true
			}
		}
	}
	return t
}

// Words meaning « I don't know » and the codes that say it.
var (
	dontKnow = map[string]bool{"ne sait pas": true, "sait pas": true, "je sais pas": true, "je ne sais pas": true,
		"elle ne sait pas": true, "il ne sait pas": true, "elle sait pas": true, "il sait pas": true, "nsp": true,
		"ne sais pas": true, "sais pas": true, "inconnu": true, "on ne sait pas": true, "on sait pas": true,
		"j en sais rien": true, "je n en sais rien": true, "sais rien": true, "elle en sait rien": true, "aucune idee": true}
	// dontKnowCodes are the choices a person who does not know is given.
	dontKnowCodes = []string{"nsp", "non_communique"}
)

// synonyms are the mediators' own words for a few choices, by code.
var synonyms = map[string][]string{
	"recherche_ps":   {"medecin traitant", "un medecin traitant", "trouver un medecin", "recherche medecin", "recherche de medecin", "recherche d un medecin"},
	"rdv":            {"rendez vous", "prise de rendez vous", "prendre rendez vous"},
	"non_communique": {"refuse de dire", "ne veut pas dire", "non dit"},
}

// dontKnowChoice is the choice of s for a person who does not know.
func dontKnowChoice(s *forms.Step) (forms.Choice, bool) {
	for _, code := range dontKnowCodes {
		if c, ok := s.Choice(code); ok {
			return c, true
		}
	}
	return forms.Choice{}, false
}

// typedChoice finds the choice of s that typed text names: its label or
// code (matchChoice), « ne sait pas », a mediator's word, or a near miss.
func typedChoice(s *forms.Step, text string) (forms.Choice, bool) {
	t := answerWords(text)
	if c, ok := matchChoice(s, t); ok {
		return c, true
	}
	if dontKnow[t] {
		return dontKnowChoice(s)
	}
	for _, c := range s.Choices {
		for _, w := range synonyms[c.Code] {
			if w == t {
				return c, true
			}
		}
	}
	names := make([]string, len(s.Choices))
	for i, c := range s.Choices {
		names[i] = loose(c.Label.FR)
	}
	if i, ok := nearest(t, names); ok {
		return s.Choices[i], true
	}
	return forms.Choice{}, false
}

// nearest is the index of the one name t misses by a typo or two (one
// for short words, two from 9 letters), none when two are as near.
func nearest(t string, names []string) (int, bool) {
	n := len([]rune(t))
	if n < 3 {
		return 0, false
	}
	limit := 1
	if n >= 9 {
		limit = 2
	}
	best, bestD, ties := -1, limit+1, 0
	for i, name := range names {
		if name == "" {
			continue
		}
		d := frtext.Distance(t, name)
		switch {
		case d < bestD:
			best, bestD, ties = i, d, 0
		case d == bestD:
			ties++
		}
	}
	if best < 0 || ties > 0 {
		return 0, false
	}
	return best, true
}

// Words that mean a button whatever its text.
var (
	yesWords  = map[string]bool{"oui": true, "o": true, "ok": true, "d accord": true, "daccord": true, "c est ca": true, "c est bon": true, "toujours": true, "exact": true, "oui c est ca": true, "ouais": true, "yes": true}
	noWords   = map[string]bool{"non": true, "n": true, "nan": true, "pas vrai": true, "plus vrai": true, "changer": true, "a changer": true}
	doneWords = map[string]bool{"ok": true, "fini": true, "termine": true, "c est tout": true, "c est bon": true, "voila": true, "enregistrer": true, "valider": true, "oui": true}
)

// buttonData is the button of rows that typed text t (already words)
// names: its words, a word meaning it (extra, word to data), or a near
// miss of either, when no other button is as near.
func buttonData(rows [][]Button, t string, extra map[string]string) (string, bool) {
	if d, ok := extra[t]; ok {
		return d, true
	}
	var names, data []string
	for _, row := range rows {
		for _, b := range row {
			names, data = append(names, loose(b.Text)), append(data, b.Data)
		}
	}
	for i, n := range names {
		if n == t {
			return data[i], true
		}
	}
	for w, d := range extra {
		names, data = append(names, w), append(data, d)
	}
	n := len([]rune(t))
	if n < 3 {
		return "", false
	}
	limit := 1
	if n >= 9 {
		limit = 2
	}
	found, bestD := "", limit+1
	for i, name := range names {
		d := frtext.Distance(t, name)
		switch {
		case d < bestD:
			found, bestD = data[i], d
		case d == bestD && data[i] != found:
			found = "" // as near to another button: no guess
		}
	}
	return found, found != ""
}

// pressTyped does what pressing the button with data does; the question is
// then sent again below the typed words rather than edited above them.
func (r *run) pressTyped(ctx context.Context, data string) error {
	act, args, ok := forms.ParseData(data)
	if !ok {
		return r.invalid(ctx, "Répondez avec les boutons.")
	}
	r.typedPress = true
	r.in.Data = data
	return r.press(ctx, act, args)
}

// here tells whether a choice's result takes the place of the question it
// was chosen from: yes when pressed; for typed words it follows them
// instead (the old question is withdrawn).
func (r *run) here() bool {
	if r.typedPress {
		r.retire()
		return false
	}
	return true
}

// typedCancel reads the answer to « Abandonner la saisie ? ».
func (r *run) typedCancel(t string) (string, bool) {
	yes, no := forms.Data(forms.ActCancel, "1"), forms.Data(forms.ActCancel, "0")
	extra := map[string]string{"oui": yes, "o": yes, "abandonner": yes, "non": no, "n": no, "nan": no, "continuer": no}
	return buttonData([][]Button{{{TextCancelYes, yes}, {TextCancelNo, no}}}, t, extra)
}

// typedSummary reads words typed at the summary: « ok » or « enregistrer »
// saves, a ✏️ button's words (« age », « modifier age ») edit.
func (r *run) typedSummary(t string) (string, bool) {
	_, rows := r.summary()
	save := forms.Data(forms.ActSave)
	extra := map[string]string{}
	for w := range doneWords {
		extra[w] = save
	}
	for _, verb := range []string{"modifier ", "changer ", "corriger "} {
		t = strings.TrimPrefix(t, verb)
	}
	return buttonData(rows, t, extra)
}

// typedMulti reads words typed at a multiple choice: one or more labels
// (« mobilite et logement ») toggle them, the words of « Valider » or of a
// « Passer » button do what it does.
func (r *run) typedMulti(ctx context.Context, s *forms.Step, text string) error {
	t := answerWords(text)
	rows, err := r.rows(ctx)
	if err != nil {
		return err
	}
	var choices []string
	for _, part := range multiSep.Split(t, -1) {
		c, ok := typedChoice(s, part)
		if !ok {
			choices = nil
			break
		}
		choices = append(choices, c.Code)
	}
	if len(choices) > 0 {
		for _, code := range choices {
			r.toggle(code)
		}
		r.retire()
		return r.show(ctx, false)
	}
	extra := map[string]string{}
	for w := range doneWords {
		extra[w] = forms.Data(forms.ActValidate, s.ID)
	}
	if data, ok := buttonData(rows, t, extra); ok {
		return r.pressTyped(ctx, data)
	}
	return r.invalid(ctx, "Touchez une ou plusieurs réponses, ou écrivez-les, puis « Valider ».")
}

// dateFiller opens a typed date without being it: « c'est hier »,
// « cetait mardi dernier », « le 12/03 ».
var dateFiller = regexp.MustCompile(`^(?i)\s*(?:c['’ ]?est|c['’ ]?[ée]tait|j['’ ]?ai vu la personne|on s['’ ]?est vu|le)\s+`)

var multiSep = regexp.MustCompile(`\s*(?:,|;|\bet\b|\+)\s*`)

// rows are the buttons of the open question.
func (r *run) rows(ctx context.Context) ([][]Button, error) {
	_, rows, err := r.question(ctx, r.st.Pos)
	return rows, err
}

// typedButton finds the button of the open question that typed text
// names, with words meaning yes and no for a confirmation.
func (r *run) typedButton(ctx context.Context, text string, yes, no string) (string, bool, error) {
	rows, err := r.rows(ctx)
	if err != nil {
		return "", false, err
	}
	extra := map[string]string{}
	for w := range yesWords {
		if yes != "" {
			extra[w] = yes
		}
	}
	for w := range noWords {
		if no != "" {
			extra[w] = no
		}
	}
	d, ok := buttonData(rows, answerWords(text), extra)
	return d, ok, nil
}

// looksLikeCode tells a typed person code (« K7M2QX ») from words: it has
// a digit, which no button's words have.
func looksLikeCode(t string) bool {
	_, ok := NormalizeCode(t)
	return ok && strings.ContainsAny(t, "0123456789")
}
