package bot_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegramtest"
)

func TestActionCoanimatedSavesCodesOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(7001, "Awa", "59")
	u.Send("/action")
	u.Expect("Date de l'action")
	u.Press("Hier")
	u.Expect("votre rôle")
	u.Press("Co-animée")
	u.Expect("aussi été co-construite avec les habitants")
	u.Press("Oui")
	u.Expect("Pour quel public")
	u.Press("Professionnels")
	u.Expect("Thèmes de l'action")
	u.Press("Nutrition")
	u.Press("Santé mentale")
	u.Press("Valider")
	ask := u.Expect("Avec quel partenaire")
	if !strings.Contains(ask.Text, "Ajoutez vos partenaires avec /partenaires") || strings.Join(ask.ButtonTexts(), "|") != "Autre partenaire|Passer" {
		t.Fatalf("partner question without registered partners: %s", ask)
	}
	u.Press("Autre partenaire")
	u.Expect("Quel type de partenaire")
	u.Press("CPAM")
	u.Expect("D'autres partenaires ont-ils co-animé")
	u.Press("Association")
	u.Press("Collectivité")
	u.Press("Valider")
	u.Expect("Combien de participants")
	u.Send("beaucoup")
	u.Expect("Combien de participants") // asked again, nothing recorded
	u.Send("18")
	u.Expect("intitulé court")
	u.Send("Atelier équilibre alimentaire")
	summary := u.Expect("Récapitulatif")
	for _, want := range []string{"Rôle : Co-animée", "Public : Professionnels", "Thèmes : Nutrition, Santé mentale", "Partenaire : Autre partenaire", "Type de partenaire : CPAM", "Participants : 18\n"} {
		if !strings.Contains(summary.Text, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary.Text)
		}
	}
	h.stop() // a double tap reaches Telegram before the bot answers
	u.PressOn(summary, "✅ Enregistrer")
	u.PressOn(summary, "✅ Enregistrer")
	h.start()
	done := u.Expect("Action n°")
	if got := strings.Join(done.ButtonTexts(), "|"); got != "Nouvelle action|Terminé|Ajouter ce partenaire à ma liste" {
		t.Fatalf("buttons after save = %s", got)
	}

	var (
		date                           time.Time
		role, audience, partner, title string
		themes                         []string
		participants                   int
		number                         int64
	)
	err := h.db.SQL.QueryRow(context.Background(), `
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
	if n := h.count(`SELECT count(*) FROM actions WHERE cobuilt AND other_partner_types = '{association,collectivite}'`); n != 1 {
		t.Fatalf("co-built and other partners not saved (%d)", n)
	}
	u.PressOn(done, "Ajouter ce partenaire à ma liste")
	u.Expect("Nom du partenaire")
}

func TestActionParticipationSkipsPartnerAndTitle(t *testing.T) {
	t.Parallel()
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
	if sum := u.Expect("Récapitulatif"); !strings.Contains(sum.Text, "Public : Grand public") || !strings.Contains(sum.Text, "Participants : 40\n") {
		t.Fatalf("summary:\n%s", sum.Text)
	}
	u.Press("✅ Enregistrer")
	u.Expect("Action n°")
	var role, audience, title string
	var partner *string
	if err := h.db.SQL.QueryRow(context.Background(),
		`SELECT role, audience, partner_type, title FROM actions`).Scan(&role, &audience, &partner, &title); err != nil {
		t.Fatal(err)
	}
	if role != "participation" || audience != "public" || partner != nil || title != "" {
		t.Fatalf("saved: %s %s %v %q", role, audience, partner, title)
	}
}

func TestActionOffersTheMediatorsRegisteredPartners(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	u := h.mediator(7003, "Awa", "59")
	h.mediator(7004, "Léa", "59")
	mediatorOf := func(tg int64) ids.MediatorID {
		var id ids.MediatorID
		if err := h.db.SQL.QueryRow(ctx, `SELECT id FROM mediators WHERE user_id = $1`, tg).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	mine, theirs := mediatorOf(7003), mediatorOf(7004)
	for _, p := range []store.Partner{
		{MediatorID: mine, Name: "CPAM de Roubaix", Category: "sanitaire", Type: "cpam"},
		{MediatorID: mine, Name: "Centre social Linné", Category: "social", Type: "centre_social"},
		{MediatorID: mine, Name: "Centre social Ouest", Category: "social", Type: "centre_social"},
		{MediatorID: theirs, Name: "Maison de santé Lille-Sud", Category: "sanitaire", Type: "professionnel_sante"},
	} {
		if _, err := h.db.Store.SavePartner(ctx, p); err != nil {
			t.Fatal(err)
		}
	}

	start := func() telegramtest.Message {
		u.Send("/action")
		u.Expect("Date de l'action")
		u.Press("Aujourd'hui")
		u.Expect("votre rôle")
		u.Press("Co-animée")
		u.Expect("aussi été co-construite")
		u.Press("Non")
		u.Expect("Pour quel public")
		u.Press("Grand public")
		u.Expect("Thèmes de l'action")
		u.Press("Vaccination")
		u.Press("Valider")
		return u.Expect("Avec quel partenaire")
	}
	ask := start()
	if got := strings.Join(ask.ButtonTexts(), "|"); got != "Centre social Linné|Centre social Ouest|CPAM de Roubaix|Autre partenaire|Passer" {
		t.Fatalf("partner buttons = %s (another mediator's partners must not appear)", got)
	}
	// Typed names: ambiguous, unknown, then the only match.
	u.Send("centre social")
	again := u.Expect("Plusieurs noms contiennent « centre social »")
	if !strings.Contains(again.Text, "Avec quel partenaire") {
		t.Fatalf("question not asked again: %s", again)
	}
	u.Send("Lille-Sud")
	u.Expect("Aucun nom de votre liste ne contient « Lille-Sud »")
	u.Send("roubaix")
	next := u.Expect("D'autres partenaires ont-ils co-animé") // the registry gives the type: not asked
	if strings.Contains(next.Text, "type de partenaire") {
		t.Fatalf("type asked for a registered partner: %s", next)
	}
	u.Press("Passer")
	u.Expect("Combien de participants")
	u.Send("25")
	u.Expect("intitulé court")
	u.Press("Passer")
	summary := u.Expect("Récapitulatif")
	if !strings.Contains(summary.Text, "Partenaire : CPAM de Roubaix") || strings.Contains(summary.Text, "Type de partenaire") {
		t.Fatalf("summary:\n%s", summary.Text)
	}
	u.Press("✅ Enregistrer")
	if got := strings.Join(u.Expect("Action n°").ButtonTexts(), "|"); got != "Nouvelle action|Terminé" {
		t.Fatalf("a registry partner is offered for adding again: %s", got)
	}

	// The next action offers the partner used most first.
	ask = start()
	if got := ask.ButtonTexts(); len(got) < 1 || got[0] != "CPAM de Roubaix" {
		t.Fatalf("most used partner not first: %v", got)
	}
	u.Press("Centre social Ouest")
	u.Expect("D'autres partenaires")
	u.Press("Passer")
	u.Expect("Combien de participants")
	u.Send("12")
	u.Expect("intitulé court")
	u.Press("Passer")
	u.Expect("Récapitulatif")
	u.Press("✅ Enregistrer")
	u.Expect("Action n°")

	rows, err := h.db.SQL.Query(ctx, `
		SELECT p.name, a.partner_type FROM actions a JOIN partners p ON p.id = a.partner_id
		WHERE a.mediator_id = $1 ORDER BY a.number`, mine)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			t.Fatal(err)
		}
		got = append(got, name+"="+typ)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ", ") != "CPAM de Roubaix=cpam, Centre social Ouest=centre_social" {
		t.Fatalf("saved partners: %v", got)
	}
}
