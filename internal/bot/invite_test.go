package bot_test

import (
	"strings"
	"testing"

	"github.com/relais-sante/relais/internal/store"
)

// A regional coordinator invites a mediator from the phone with buttons;
// the forwarded link registers the person in the structure chosen.
func TestCoordinatorInvitesAMediatorWithButtons(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mediator(5101, "Awa", "59") // makes "CCAS Roubaix" a known structure of the Nord
	claire := h.coordinator(5110, store.Invitation{Level: "region"})
	claire.Send("/inviter")
	claire.Expect("Inviter qui ?")
	claire.Press("Médiateur santé")
	claire.Expect("Médiateur santé de quel département ?")
	claire.Press("Nord")
	q := claire.Expect("Quelle structure emploie la personne ? (Nord)")
	if got := strings.Join(q.ButtonTexts(), "|"); got != "CCAS Roubaix|Autre structure…" {
		t.Fatalf("structures offered: %s", got)
	}
	claire.Press("CCAS Roubaix")
	claire.Expect("Le poste de la personne (CCAS Roubaix) est-il rural ?")
	claire.Press("Oui, rural")
	claire.Expect("Invitation créée : médiateur santé, Nord, CCAS Roubaix (poste rural). Valable jusqu'au 30/11/2026, une seule fois.")
	link := claire.Expect("https://t.me/" + h.tg.Bot().Username() + "?start=")
	code := link.Text[strings.Index(link.Text, "?start=")+len("?start=") : strings.Index(link.Text, "\n")]

	zoe := h.tg.NewUser(5120, "Zoé").For(t)
	zoe.Send("/start " + code)
	zoe.Expect("Votre compte de médiateur santé est ouvert (Nord)")
	u := h.user(5120)
	if u.Mediator == nil || u.Mediator.Structure != "CCAS Roubaix" || !u.Mediator.Rural || u.Mediator.Departement != "59" {
		t.Fatalf("registered as %+v", u.Mediator)
	}
}

// Invitations stay inside the inviter's territory, typed or pressed.
func TestInvitationsStayInTheInvitersTerritory(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mediator(5201, "Awa", "59")
	nord := h.coordinator(5210, store.Invitation{Level: "departement", Departement: "59"})
	ccas := h.coordinator(5211, store.Invitation{Level: "structure", Departement: "59", Structure: "CCAS Roubaix"})
	invitationsBefore := h.count(`SELECT count(*) FROM invitations`)

	nord.Send("/inviter médiateur 62 Centre social Lens")
	nord.Expect("Vous ne pouvez inviter que dans votre territoire (Nord). Aucune invitation n'a été créée.")
	ccas.Send("/inviter médiateur 59 Centre social Fives")
	ccas.Expect("Vous ne pouvez inviter que dans votre territoire (CCAS Roubaix, Nord). Aucune invitation n'a été créée.")
	ccas.Send("/inviter coordinateur 59 Centre social Fives")
	ccas.Expect("Vous ne pouvez inviter que dans votre territoire")

	// Forged buttons: another département, a regional coordinator, an admin.
	nordWelcome := nord.Messages()[1]
	for i, data := range []string{"inv:m:62", "inv:m:62:0000000000:0", "inv:c:r", "inv:c:d:62", "inv:a"} {
		nord.PressData(nordWelcome.ID, data)
		waitUntil(t, func() bool { return len(nord.CallbackAnswers()) == i+1 }, "an answer to "+data)
		if got := nord.CallbackAnswers()[i].Text; got != "Ce bouton n'est plus actif." {
			t.Errorf("%s answered %q", data, got)
		}
	}
	ccasWelcome := ccas.Messages()[1]
	for _, data := range []string{"inv:c:d", "inv:c:d:59", "inv:m:62", "inv:c:r"} {
		if got := pressData(t, ccas, ccasWelcome.ID, data); got != "Ce bouton n'est plus actif." {
			t.Errorf("structure coordinator pressing %s: %q", data, got)
		}
	}
	if n := h.count(`SELECT count(*) FROM invitations`); n != invitationsBefore {
		t.Fatalf("%d invitations created outside the territory", n-invitationsBefore)
	}

	// Inside the territory, typed names join the known spelling.
	ccas.Send("/inviter médiatrice 59 ccas  roubaix")
	ccas.Expect("Invitation créée : médiateur santé, Nord, CCAS Roubaix (poste en QPV).")
	nord.Send("/inviter coordinateur 59 Centre social Fives")
	nord.Expect("Invitation créée : coordinateur de structure, Centre social Fives, Nord.")
	if n := h.count(`SELECT count(*) FROM invitations`); n != invitationsBefore+2 {
		t.Fatalf("%d invitations, want %d", n, invitationsBefore+2)
	}
}
