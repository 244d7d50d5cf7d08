package dialog

import (
	"testing"
	"time"

	"github.com/relais-sante/relais/dialogs"
	"github.com/relais-sante/relais/internal/forms"
)

// Every count the engine writes agrees with its number, through the one
// plural helper (frtext.Plural): « 1 an », never « 1 ans ».
func TestCountPhrasesAgree(t *testing.T) {
	t.Parallel()
	all, err := forms.LoadFS(dialogs.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	age, participants := all["fiche"].Step("age"), all["action"].Step("participants")
	one, zero := 1, 0
	oneYear := *age
	oneYear.Min, oneYear.Max = &zero, &one
	oneDay := *all["fiche"].Step("date")
	oneDay.WithinDays = 1
	now := time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)
	_, tooOld := parseDate("01/03/2026", now, &oneDay)
	_, tooFar := parseDate("01/03/2026", now, all["fiche"].Step("date"))
	_, oneYearBound := parseInt("5", &oneYear)
	_, ageBound := parseInt("130", age)
	_, participantsBound := parseInt("beaucoup", participants)
	for _, tc := range []struct{ got, want string }{
		{display(age, Value{Code: "0"}), "0 an"},
		{display(age, Value{Code: "1"}), "1 an"},
		{display(age, Value{Code: "2"}), "2 ans"},
		{display(age, Value{Code: "34"}), "34 ans"},
		{display(participants, Value{Code: "1"}), "1"}, // « Participants : 1 »
		{withUnit(participants, 1), "1 participant"},
		{participantsBound, "Écrivez un nombre entier entre 0 et 10 000 participants."},
		{oneYearBound, "Écrivez un nombre entier entre 0 et 1 an."},
		{ageBound, "Écrivez un nombre entier entre 0 et 120 ans."},
		{tooOld, "Date trop ancienne : au plus 1 jour avant aujourd'hui (12/03/2026). Vérifiez l'année."},
		{tooFar, ""},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	// A known person of 1 year: the button and the proposal say « 1 an ».
	baby := Person{Code: "BB1234", Sex: "F", Age: 1, AgeOn: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	c := newChat(t, all["fiche"], &fakeEnv{people: []Person{baby}})
	c.start()
	play(t, c, []turn{
		{press: "Aujourd'hui", buttons: [][]string{{"BB1234 · F · 1 an"}, {"Nouvelle personne"}, {"Personne déjà suivie"}}},
		{press: "BB1234 · F · 1 an", replies: []string{"edit: Personne : BB1234", "send: Sexe : Femme\n(déjà connu pour cette personne)"}},
		{press: "✅ Confirmer", replies: []string{"edit: Sexe : Femme", "send: Âge : 1 an\n(déjà connu pour cette personne)"}},
	})
}
