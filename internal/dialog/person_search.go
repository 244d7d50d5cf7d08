package dialog

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/relais-sante/relais/internal/forms"
	"github.com/relais-sante/relais/internal/identify"
)

// At the « Personne » step the mediator finds a person by their code:
// the five most recent are buttons, and typing a code's first characters
// (« 7K ») lists every person of hers whose code starts with them, each
// with sex, age and last visit, so the right one is one tap away. A name
// typed there is never kept: the mediator is told, and the message is
// deleted from the chat like an identifying note.

// maxMatches is one screen of people found by the beginning of a code.
const maxMatches = 8

// minPrefix is the shortest beginning of a code searched: one character
// would list a third of the codes.
const minPrefix = 2

// NameRefusal answers a name typed at the « Personne » step.
const NameRefusal = "Les noms ne sont jamais enregistrés : utilisez le code de la personne (par exemple K7M2QX, ou son début), ou touchez « " + TextNewPerson + " »."

// codeNotRecognised answers text that is neither a code nor a name.
const codeNotRecognised = "Code non reconnu : écrivez le code de la personne (6 lettres ou chiffres, par exemple K7M2QX) ou son début, jamais son nom."

var prefixRe = regexp.MustCompile(`^[A-Z0-9]+$`)

// codePrefix reads typed text as a code or its beginning: « 7k 9 », « 7K-9 ».
func codePrefix(text string) (string, bool) {
	c := cleanCode(text)
	return c, len(c) >= minPrefix && len(c) <= forms.MaxPersonCode && prefixRe.MatchString(c)
}

// typedName tells whether text typed at the « Personne » step is a
// person's name rather than a code: no digit (codes mostly have some, a
// name none), and either the note guard reads a name in it (« Mme Benali »,
// « Fatou Diallo »), or one of its words is a first name or a surname of
// the guard's lists (« fatou », « DIALLO »), or it is a civility followed
// by a word. A letters-only code (« KMHXTP ») is none of these.
func typedName(text string) bool {
	t := identify.Normalize(text)
	if strings.ContainsFunc(t, unicode.IsDigit) {
		return false
	}
	ws := words(t)
	if len(ws) == 0 {
		return false
	}
	if namesSomeone(t) {
		return true
	}
	for _, w := range ws {
		if known(firstNames, w) || known(surnames, w) {
			return true
		}
	}
	return len(ws) >= 2 && civilities[ws[0].key] && len([]rune(ws[1].key)) >= 2
}

// lookup handles text typed at the « Personne » step: a new person, a
// name (refused and deleted), a whole code, or the beginning of one.
func (r *run) lookup(ctx context.Context, text string) error {
	switch fold(text) {
	case "nouvelle", "nouvelle personne", "nouveau":
		return r.newPerson(ctx)
	}
	if typedName(text) {
		r.refusal = NameRefusal
		return r.invalid(ctx, NameRefusal)
	}
	r.st.Mode = ModeLookup
	r.st.Search = ""
	prefix, ok := codePrefix(text)
	if !ok {
		return r.invalid(ctx, codeNotRecognised)
	}
	code, whole := NormalizeCode(text)
	if whole {
		p, found, err := r.env.FindPerson(ctx, code)
		if errors.Is(err, ErrPersonErased) {
			return r.invalid(ctx, ErasedPersonText)
		}
		if err != nil {
			return fmt.Errorf("find person: %w", err)
		}
		if found {
			return r.setPerson(ctx, Value{Code: p.Code}, &p)
		}
	}
	matches, err := r.env.SearchPeople(ctx, prefix, 1)
	if err != nil {
		return fmt.Errorf("search people: %w", err)
	}
	switch {
	case len(matches) > 0:
		r.st.Search = prefix
		r.retire()
		return r.show(ctx, false)
	case whole:
		return r.invalid(ctx, fmt.Sprintf("Aucune personne suivie n'a le code %s. Vérifiez le code, ou touchez « %s ».", code, TextNewPerson))
	}
	return r.invalid(ctx, fmt.Sprintf("Aucune personne suivie n'a un code commençant par %s. Vérifiez le code, ou touchez « %s ».", prefix, TextNewPerson))
}

// searchQuestion lists the people whose code starts with the typed
// prefix, most recent first, one screen at most.
func (r *run) searchQuestion(ctx context.Context, s *forms.Step) (string, [][]Button, error) {
	people, err := r.env.SearchPeople(ctx, r.st.Search, maxMatches+1)
	if err != nil {
		return "", nil, fmt.Errorf("search people: %w", err)
	}
	text := "Codes commençant par " + r.st.Search + " : touchez la bonne personne."
	if len(people) > maxMatches {
		people = people[:maxMatches]
		text = fmt.Sprintf("Codes commençant par %s : les %d plus récents ; écrivez un caractère de plus pour les autres.", r.st.Search, maxMatches)
	}
	if len(people) == 0 {
		text = "Plus aucune personne suivie n'a un code commençant par " + r.st.Search + " : écrivez le code, ou touchez « " + TextNewPerson + " »."
	}
	var rows [][]Button
	for _, p := range people {
		rows = append(rows, []Button{{r.personButton(p), forms.Data(forms.ActPick, s.ID, p.Code)}})
	}
	return text, append(rows, []Button{{TextNewPerson, forms.Data(forms.ActNewPerson, s.ID)}}), nil
}
