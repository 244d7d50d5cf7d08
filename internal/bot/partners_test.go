package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/store"
)

func TestPartnersListedAndAdded(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(7101, "Awa", "62")
	u.Send("/partenaires")
	u.Expect("aucun partenaire")
	u.Press("Ajouter un partenaire")
	u.Expect("Nom du partenaire")
	u.Send("CPAM de l'Artois")
	u.Expect("Catégorie du partenaire")
	u.Press("Sanitaire")
	u.Expect("Type de partenaire")
	u.Press("CPAM")
	u.Expect("Récapitulatif")
	u.Press("✅ Enregistrer")
	done := u.Expect("Partenaire enregistré")
	if !strings.Contains(done.Text, "Partenaires dans votre liste : 1.") {
		t.Fatalf("confirmation = %q", done.Text)
	}
	u.Press("Ajouter un autre partenaire")
	u.Expect("Nom du partenaire")
	u.Send("Centre social Jean Jaurès")
	u.Press("Social")
	u.Expect("Type de partenaire")
	u.Press("Centre social")
	u.Expect("Récapitulatif")
	u.Press("✅ Enregistrer")
	u.Expect("Partenaires dans votre liste : 2.")
	u.Press("Ajouter un autre partenaire")
	u.Expect("Nom du partenaire")
	u.Send("Centre hospitalier de Lens")
	u.Press("Sanitaire")
	u.Expect("Type de partenaire")
	u.Press("Professionnel de santé")
	u.Expect("Récapitulatif")
	u.Press("✅ Enregistrer")
	u.Expect("Partenaires dans votre liste : 3.")

	u.Send("/partenaires")
	list := u.Expect("Vos partenaires (3)")
	for _, want := range []string{"Vos partenaires (3) : 2 sanitaires, 1 social, 0 médico-social.", "Sanitaire :\n• Centre hospitalier de Lens (Professionnel de santé)\n• CPAM de l'Artois (CPAM)", "Social :\n• Centre social Jean Jaurès (Centre social)"} {
		if !strings.Contains(list.Text, want) {
			t.Errorf("list lacks %q:\n%s", want, list.Text)
		}
	}
	if got := strings.Join(list.ButtonTexts(), "|"); got != "Ajouter un partenaire" {
		t.Fatalf("buttons = %s", got)
	}

	rows, err := h.db.SQL.Query(context.Background(), `SELECT name, category, type FROM partners ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var n, c, ty string
		if err := rows.Scan(&n, &c, &ty); err != nil {
			t.Fatal(err)
		}
		got = append(got, n+"/"+c+"/"+ty)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " | ") != "CPAM de l'Artois/sanitaire/cpam | Centre social Jean Jaurès/social/centre_social | Centre hospitalier de Lens/sanitaire/professionnel_sante" {
		t.Fatalf("partners = %v", got)
	}

	// Another mediator sees only their own (empty) list.
	v := h.mediator(7102, "Bob", "62")
	v.Send("/partenaires")
	v.Expect("aucun partenaire")
}

// A long registry never meets silence: the list goes in several messages
// under Telegram's limit, the button under the last one.
func TestLongPartnerListIsSentInParts(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(7102, "Awa", "59")
	ctx := context.Background()
	var id ids.MediatorID
	if err := h.db.SQL.QueryRow(ctx, `SELECT id FROM mediators WHERE user_id = 7102`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	for i := range 59 {
		name := fmt.Sprintf("Centre communal d'action sociale de la commune de Villeneuve-d'Ascq Nord n° %02d", i)
		if _, err := h.db.Store.SavePartner(ctx, store.Partner{MediatorID: id, Name: name, Category: "social", Type: "collectivite"}); err != nil {
			t.Fatal(err)
		}
	}
	u.Send("/partenaires")
	last := u.Expect("n° 58")
	if got := strings.Join(last.ButtonTexts(), "|"); got != "Ajouter un partenaire" {
		t.Fatalf("last part's buttons = %q", got)
	}
	var parts []string
	for _, m := range u.Messages() {
		if m.FromBot && strings.Contains(m.Text, "Villeneuve") {
			parts = append(parts, m.Text)
		}
	}
	if len(parts) < 2 || !strings.HasPrefix(parts[0], "Vos partenaires (59)") {
		t.Fatalf("%d parts; first: %.60q", len(parts), parts[0])
	}
	for i := range 59 {
		if n := strings.Count(strings.Join(parts, "\n"), fmt.Sprintf("n° %02d ", i)); n != 1 {
			t.Fatalf("partner %02d listed %d times", i, n)
		}
	}
}
