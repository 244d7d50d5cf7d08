package bot_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestActionCoanimatedSavesCodesOnce(t *testing.T) {
	h := newHarness(t)
	u := h.mediator(7001, "Awa", "59")
	u.Send("/action")
	u.Expect("Date de l'action")
	u.Press("Hier")
	u.Expect("votre rôle")
	u.Press("Co-animée")
	u.Expect("Pour quel public")
	u.Press("Professionnels")
	u.Expect("Thèmes de l'action")
	u.Press("Nutrition")
	u.Press("Santé mentale")
	u.Press("Valider")
	u.Expect("type de partenaire")
	u.Press("CPAM")
	u.Expect("Combien de participants")
	u.Send("beaucoup")
	u.Expect("Combien de participants") // asked again, nothing recorded
	u.Send("18")
	u.Expect("intitulé court")
	u.Send("Atelier équilibre alimentaire")
	summary := u.Expect("Récapitulatif")
	for _, want := range []string{"Rôle : Co-animée", "Public : Professionnels", "Thèmes : Nutrition, Santé mentale", "Partenaire : CPAM", "Participants : 18"} {
		if !strings.Contains(summary.Text, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary.Text)
		}
	}
	h.stop() // a double tap reaches Telegram before the bot answers
	u.PressOn(summary, "✅ Enregistrer")
	u.PressOn(summary, "✅ Enregistrer")
	h.start()
	done := u.Expect("Action n°")
	if got := strings.Join(done.ButtonTexts(), "|"); got != "Nouvelle action|Terminé" {
		t.Fatalf("buttons after save = %s", got)
	}

	var (
		date                           time.Time
		role, audience, partner, title string
		themes                         []string
		participants                   int
		number                         int64
	)
	err := h.db.Store.Pool.QueryRow(context.Background(), `
		SELECT a.number, a.date, a.role, a.audience, a.themes, a.partner_type, a.participants, a.title
		FROM actions a JOIN mediators m ON m.id = a.mediator_id JOIN users us ON us.telegram_id = m.user_id
		WHERE us.telegram_id = 7001`).Scan(&number, &date, &role, &audience, &themes, &partner, &participants, &title)
	if err != nil {
		t.Fatal(err)
	}
	if date.Format(time.DateOnly) != "2026-11-22" || role != "coanimee" || audience != "professionnels" ||
		strings.Join(themes, ",") != "nutrition,sante_mentale" || partner != "cpam" || participants != 18 ||
		title != "Atelier équilibre alimentaire" {
		t.Fatalf("saved action: %s %s %s %v %s %d %q", date, role, audience, themes, partner, participants, title)
	}
	if !strings.Contains(done.Text, "n° "+strconv.FormatInt(number, 10)) {
		t.Fatalf("confirmation %q lacks number %d", done.Text, number)
	}
	if n := h.count(`SELECT count(*) FROM actions`); n != 1 {
		t.Fatalf("actions = %d, want 1", n)
	}
}

func TestActionParticipationSkipsPartnerAndTitle(t *testing.T) {
	h := newHarness(t)
	u := h.mediator(7002, "Awa", "80")
	u.Send("/action")
	u.Expect("Date de l'action")
	u.Send("12/11/2026")
	u.Expect("votre rôle")
	u.Press("Participation")
	u.Expect("Pour quel public")
	u.Press("Grand public")
	u.Expect("Thèmes de l'action")
	u.Press("Vaccination")
	u.Press("Valider")
	next := u.Expect("Combien de participants") // no partner question for a participation
	if strings.Contains(next.Text, "partenaire") {
		t.Fatalf("partner asked for a participation: %q", next.Text)
	}
	u.Send("40")
	u.Expect("intitulé court")
	u.Press("Passer")
	u.Expect("Récapitulatif")
	u.Press("✅ Enregistrer")
	u.Expect("Action n°")
	var role, audience, title string
	var partner *string
	if err := h.db.Store.Pool.QueryRow(context.Background(),
		`SELECT role, audience, partner_type, title FROM actions`).Scan(&role, &audience, &partner, &title); err != nil {
		t.Fatal(err)
	}
	if role != "participation" || audience != "public" || partner != nil || title != "" {
		t.Fatalf("saved: %s %s %v %q", role, audience, partner, title)
	}
}
