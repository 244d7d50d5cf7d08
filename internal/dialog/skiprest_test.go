package dialog

import (
	"strings"
	"testing"

	"github.com/relais-sante/relais/internal/forms"
)

// « Passer, aller au récapitulatif » pressed on a question that must be
// answered (an old or forged button) skips nothing: the question says it
// cannot be passed and stays open.
func TestSkipRestRefusedOnARequiredQuestion(t *testing.T) {
	t.Parallel()
	c := startFiche(t)
	play(t, c, happyPath[:3])
	c.pressData(c.questionID, forms.Data(forms.ActSkip, "age", skipRest))
	c.expectReplies("send: Cette question est obligatoire : elle ne peut pas être passée.")
	if c.st.Pos.Step != "age" || c.st.Phase != PhaseAsk {
		t.Fatalf("after the press: %+v %v, want the age still asked", c.st.Pos, c.st.Phase)
	}
}

// « aide » at « Ajouter une autre demande ? » gives the words that always
// work and leaves the question as it is (it has no help of its own).
func TestHelpAtAnotherRequest(t *testing.T) {
	t.Parallel()
	c := startFiche(t)
	for i := 1; !strings.HasPrefix(c.question().Text, "Ajouter une autre demande"); i++ {
		play(t, c, happyPath[i-1:i])
	}
	asked := c.questionID
	c.say("aide")
	c.expectReplies("send: " + commandsHelp)
	if c.questionID != asked || !c.st.Pos.More {
		t.Fatalf("after « aide »: question %d (was %d), %+v", c.questionID, asked, c.st.Pos)
	}
}
