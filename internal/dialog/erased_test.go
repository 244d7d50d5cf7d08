package dialog

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/relais-sante/relais/dialogs"
	"github.com/relais-sante/relais/internal/forms"
)

// erasedEnv knows AB3CDE from before its erasure (the recent people shown
// on a question), and now answers that the person was erased.
type erasedEnv struct{ fakeEnv }

func (e *erasedEnv) FindPerson(ctx context.Context, code string) (Person, bool, error) {
	if code == "AB3CDE" {
		return Person{}, false, ErrPersonErased
	}
	return e.fakeEnv.FindPerson(ctx, code)
}

// A person erased at their request is not taken, tapped (a button shown
// before the erasure) or typed: the mediator reads why.
func TestErasedPersonIsNotTaken(t *testing.T) {
	t.Parallel()
	c := newChat(t, fiche(t), &erasedEnv{fakeEnv{people: []Person{knownPerson()}}})
	c.start()
	play(t, c, []turn{
		{press: "Aujourd'hui"},
		{press: "AB3CDE · F · 32 ans", replies: []string{"edit: Personne accompagnée ?", "send: Cette personne a été effacée à sa demande.\n\nPersonne accompagnée ?"}},
		{say: "ab3cde", replies: []string{"edit: Cette personne a été effacée", "send: Cette personne a été effacée à sa demande.\n\nPersonne déjà suivie : touchez son code, ou écrivez-le (ou son début)."}},
	})
	if v, ok := c.st.Answers.Get("beneficiary"); ok {
		t.Fatalf("the erased person was taken: %+v", v)
	}
}

// A code erased at the person's request is not brought back in a free
// text either (a partner's name, a note): the text is refused, deleted
// from the chat like an identifying detail, and nothing is kept.
func TestErasedCodeIsNotTypedInAFreeText(t *testing.T) {
	t.Parallel()
	all, err := forms.LoadFS(dialogs.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	c := newChat(t, all["partenaire"], &erasedEnv{fakeEnv{}})
	c.start()
	res := c.say("Famille ab3cde, asso")
	if v, ok := c.st.Answers.Get("name"); ok {
		t.Fatalf("the text naming an erased code was kept: %+v", v)
	}
	if !res.DeleteInput || !strings.Contains(strings.Join(c.replyTexts(), "\n"), "Cette personne a été effacée à sa demande.") {
		t.Fatalf("replies %q (delete %v), want the erased person's refusal and the message deleted", c.replyTexts(), res.DeleteInput)
	}
	c.say("Asso AB3CDEF, CCAS 2024") // another code, a year: kept
	if v, ok := c.st.Answers.Get("name"); !ok || v.Text != "Asso AB3CDEF, CCAS 2024" {
		t.Fatalf("a text without an erased code: %+v, %v", v, ok)
	}
}

// lookupEnv records the codes looked up.
type lookupEnv struct {
	fakeEnv
	codes []string
}

func (e *lookupEnv) FindPerson(ctx context.Context, code string) (Person, bool, error) {
	e.codes = append(e.codes, code)
	return e.fakeEnv.FindPerson(ctx, code)
}

// A free text is searched for erased codes among the words a code can be
// that a word cannot (4 to 8 letters and digits, with a digit or in
// capitals), each once, 20 at most.
func TestErasedCodeLookUpsOfAText(t *testing.T) {
	t.Parallel()
	e := &lookupEnv{}
	r := &run{env: e}
	erased, err := r.namesErasedCode(t.Context(), "ccas CCAS ab3c AB3C abc1 AB1 ABCDEFGH ABCDEFGHI 12345678 123456789 abcdef")
	if err != nil || erased {
		t.Fatalf("namesErasedCode: %v, %v", erased, err)
	}
	if got, want := strings.Join(e.codes, " "), "CCAS AB3C ABC1 ABCDEFGH 12345678"; got != want {
		t.Fatalf("looked up %q, want %q", got, want)
	}

	e.codes = nil
	var words []string
	for i := range 25 {
		words = append(words, fmt.Sprintf("CODE%02d", i))
	}
	if _, err := r.namesErasedCode(t.Context(), strings.Join(words, " ")); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(e.codes, " "), strings.Join(words[:20], " "); got != want {
		t.Fatalf("looked up %q, want the first 20: %q", got, want)
	}
}
