package dialog

import "testing"

// erasedEnv knows AB3CDE from before its erasure (the recent people shown
// on a question), and now answers that the person was erased.
type erasedEnv struct{ fakeEnv }

func (e *erasedEnv) FindPerson(code string) (Person, bool, error) {
	if code == "AB3CDE" {
		return Person{}, false, ErrPersonErased
	}
	return e.fakeEnv.FindPerson(code)
}

// A person erased at their request is not taken, tapped (a button shown
// before the erasure) or typed: the mediator reads why.
func TestErasedPersonIsNotTaken(t *testing.T) {
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
