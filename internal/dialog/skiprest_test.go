package dialog

import (
	"testing"

	"github.com/relais-sante/relais/internal/forms"
)

// « Passer, aller au récapitulatif » pressed on a question that must be
// answered (an old or forged button) skips nothing: the question says it
// cannot be passed and stays open.
func TestSkipRestRefusedOnARequiredQuestion(t *testing.T) {
	c := startFiche(t)
	play(t, c, happyPath[:3])
	in := c.input()
	in.Data, in.MessageID = forms.Data(forms.ActSkip, "age", skipRest), c.st.QuestionMessageID
	c.apply(Step(c.f, c.st, in, c.env))
	c.expectReplies("send: Cette question est obligatoire : elle ne peut pas être passée.")
	if c.st.Pos.Step != "age" || c.st.Phase != PhaseAsk {
		t.Fatalf("after the press: %+v %v, want the age still asked", c.st.Pos, c.st.Phase)
	}
}
