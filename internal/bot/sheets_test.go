package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/telegramtest"
)

// startSheetToAge opens a fiche for a new woman seen today, up to her age.
func startSheetToAge(u *telegramtest.User) {
	u.Send("/fiche")
	u.Press("Aujourd'hui")
	u.Press("Nouvelle personne")
	u.Press("Femme")
	u.Expect("Âge de la personne")
}

// fillToSummary plays a whole sheet, a rights request and a care request,
// up to the summary, as a mediator would with taps and two typed answers.
func fillToSummary(u *telegramtest.User) telegramtest.Message {
	u.Send("/fiche")
	u.Expect("Date de l'accompagnement")
	u.Press("Aujourd'hui")
	u.Press("Nouvelle personne")
	u.Press("Femme")
	u.Expect("Âge de la personne")
	u.Send("34")
	u.Press("Oui") // QPV
	u.Press("RSA")
	u.Press("Aller vers")
	u.Press("Accompagné")
	u.Expect("protection sociale")
	u.Press("Oui")
	u.Press("Accès aux droits")
	u.Press("Complémentaire Santé Solidaire")
	u.Press("En cours")
	u.Press("Dans 1 semaine")
	u.Expect("Ajouter une autre demande")
	u.Press("Oui")
	u.Press("Accès aux soins")
	u.Press("Dépistage organisé")
	u.Press("Résolue")
	u.Expect("Ajouter une autre demande")
	u.Press("Non")
	u.Press("Mobilité")
	u.Press("Barrière linguistique")
	u.Press("Valider")
	u.Expect("Une note")
	u.Send("Orientée vers la PMI du quartier.")
	return u.Expect("Récapitulatif")
}

func TestSheetHappyPathSavesCodes(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(2001, "Awa", "59")
	summary := fillToSummary(u)
	for _, want := range []string{"Sexe : Femme", "Âge : 34 ans", "Demande 1 : Accès aux droits · Complémentaire Santé Solidaire · En cours · Date de suivi : 30/11/2026", "Demande 2 : Accès aux soins · Dépistage organisé · Résolue", "Freins : Mobilité, Barrière linguistique"} {
		if !strings.Contains(summary.Text, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary.Text)
		}
	}
	u.Press("✅ Enregistrer")
	done := u.Expect("Fiche n°")
	if got := done.ButtonTexts(); strings.Join(got, "|") != "Nouvelle fiche|Terminé" {
		t.Fatalf("buttons after save = %v", got)
	}

	var (
		date                                                           time.Time
		sex, qpv, resources, contact, level, social, note, ben, person string
		age                                                            int
		obstacles                                                      []string
	)
	err := h.db.SQL.QueryRow(context.Background(), `
		SELECT s.date, s.sex, s.age, s.qpv, s.resources, s.contact_mode, s.level, s.social_protection,
		       s.obstacles, s.note, b.code, b.sex
		FROM sheets s JOIN beneficiaries b ON b.id = s.beneficiary_id`).
		Scan(&date, &sex, &age, &qpv, &resources, &contact, &level, &social, &obstacles, &note, &ben, &person)
	if err != nil {
		t.Fatal(err)
	}
	if date.Format("2006-01-02") != "2026-11-23" || sex != "F" || age != 34 || qpv != "oui" || resources != "rsa" ||
		contact != "aller_vers" || level != "accompagne" || social != "oui" || strings.Join(obstacles, ",") != "mobilite,langue" ||
		note != "Orientée vers la PMI du quartier." || len(ben) != 6 || person != "F" {
		t.Fatalf("saved sheet: %v %s %d %s %s %s %s %s %v %q %s", date, sex, age, qpv, resources, contact, level, social, obstacles, note, ben)
	}
	if !strings.Contains(done.Text, "") || !strings.Contains(u.Messages()[0].Text+summary.Text, ben) {
		t.Fatalf("beneficiary code %s was never shown", ben)
	}
	rows, err := h.db.SQL.Query(context.Background(), `SELECT kind, type, status, COALESCE(follow_up::text, '') FROM requests ORDER BY position`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var k, ty, st, f string
		if err := rows.Scan(&k, &ty, &st, &f); err != nil {
			t.Fatal(err)
		}
		got = append(got, k+"/"+ty+"/"+st+"/"+f)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "droits/css/en_cours/2026-11-30 soins/depistage/resolue/" {
		t.Fatalf("requests = %v", got)
	}
	// Resolved when "Enregistrer" was pressed, by the bot's clock.
	var resolvedAt time.Time
	if err := h.db.SQL.QueryRow(context.Background(), `SELECT resolved_at FROM requests WHERE status = 'resolue'`).Scan(&resolvedAt); err != nil ||
		!resolvedAt.Equal(h.clock.Now()) {
		t.Fatalf("resolved_at = %v (%v), want %v", resolvedAt, err, h.clock.Now())
	}

	u.Send("/mesfiches")
	list := u.Expect("Vos dernières fiches")
	if !strings.Contains(list.Text, ben) || !strings.Contains(list.Text, "Complémentaire Santé Solidaire (en cours)") || !strings.Contains(list.Text, "23/11/2026") {
		t.Fatalf("/mesfiches = %q", list.Text)
	}
}

func TestSheetSavedOnceDespiteDoubleTapAndRedelivery(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(2002, "Awa", "62")
	summary := fillToSummary(u)
	// Two quick taps reach Telegram before the bot has answered the first.
	h.stop()
	u.PressOn(summary, "✅ Enregistrer")
	u.PressOn(summary, "✅ Enregistrer")
	h.start()
	u.Expect("Fiche n°")
	u.ExpectCallbackAnswer("déjà terminée")
	u.SendDuplicate() // and Telegram delivers the last press again
	if n := h.tg.Bot().PendingUpdates(); n != 1 {
		t.Logf("pending updates: %d", n)
	}
	if n := h.count(`SELECT count(*) FROM sheets`); n != 1 {
		t.Fatalf("sheets = %d, want 1", n)
	}
	if n := h.count(`SELECT count(*) FROM requests`); n != 2 {
		t.Fatalf("requests = %d, want 2", n)
	}
	confirmations := 0
	for _, m := range u.Messages() {
		if strings.Contains(m.Text, "Fiche n°") {
			confirmations++
		}
	}
	if confirmations != 1 {
		t.Fatalf("%d confirmations shown, want 1", confirmations)
	}
}

func TestSheetResumesAfterRestart(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(2003, "Awa", "59")
	u.Send("/fiche")
	u.Press("Aujourd'hui")
	u.Press("Nouvelle personne")
	u.Press("Homme")
	u.Expect("Âge de la personne")

	h.restart() // a new bot process, same PostgreSQL and Redis

	u.Send("41")
	u.Expect("quartier prioritaire")
	u.Send("/retour")
	back := u.Expect("Âge de la personne")
	if !strings.Contains(back.Text, "41") {
		t.Fatalf("back after restart lost the answer: %q", back.Text)
	}
}

func TestSheetBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(2004, "Awa", "80")
	u.Send("/fiche")
	u.Expect("Date de l'accompagnement")
	u.Send("31/02/2026")
	u.Expect("n'existe pas")
	u.Send("12/12/2026")
	u.Expect("futur")
	u.Send("20/11")
	u.Press("Nouvelle personne")
	u.Press("Femme")
	u.Expect("Âge de la personne")
	u.Send("150")
	u.Expect("entre 0 et 120")
	u.Send("trente")
	u.Expect("nombre")
	st, ok, err := h.drafts.Load(context.Background(), 2004, 2004)
	if err != nil || !ok {
		t.Fatalf("draft: %v %v", ok, err)
	}
	if _, has := st.Answers.Get("age"); has || st.Answers.String("date") != "2026-11-20" {
		t.Fatalf("bad input changed the draft: %+v", st.Answers)
	}
}

func TestSheetCancelAndStaleButton(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(2005, "Awa", "59")
	u.Send("/fiche")
	u.Press("Aujourd'hui")
	u.Press("Nouvelle personne")
	sexQuestion := u.Expect("Sexe de la personne")
	// A double tap on an answer: the second press arrives once the question has moved on.
	h.stop()
	u.PressOn(sexQuestion, "Femme")
	u.PressOn(sexQuestion, "Homme")
	h.start()
	u.Expect("Âge de la personne")
	u.ExpectCallbackAnswer("plus actif")
	st, _, err := h.drafts.Load(context.Background(), 2005, 2005)
	if err != nil {
		t.Fatal(err)
	}
	if st.Answers.String("sex") != "F" {
		t.Fatalf("stale press changed the answer: sex = %q", st.Answers.String("sex"))
	}
	u.Send("/annuler")
	u.Press("Oui, abandonner")
	u.Expect("Fiche abandonnée")
	if n := h.count(`SELECT count(*) FROM sheets`); n != 0 {
		t.Fatalf("cancelled sheet saved: %d", n)
	}
	if _, ok, err := h.drafts.Load(context.Background(), 2005, 2005); err != nil || ok {
		t.Fatalf("draft kept after cancel (%v)", err)
	}
}

func TestExistingBeneficiaryCountedOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(2006, "Awa", "59")
	fillToSummary(u)
	u.Press("✅ Enregistrer")
	u.Expect("Fiche n°")
	var code string
	if err := h.db.SQL.QueryRow(context.Background(), `SELECT code FROM beneficiaries`).Scan(&code); err != nil {
		t.Fatal(err)
	}

	u.Press("Nouvelle fiche")
	u.Press("Aujourd'hui")
	u.Press("Personne déjà suivie")
	u.Press(code)
	// One message for the last situation; how they met is not asked again.
	u.Expect("Femme · 34 ans · QPV · RSA — toujours vrai ?")
	u.Press("✅ Toujours vrai")
	u.Expect("Niveau d'intervention")
	u.Press("Informé")
	u.Expect("protection sociale")
	u.Press("Non")
	u.Press("Accès aux soins")
	u.Press("Conseil santé")
	u.Press("Résolue")
	u.Expect("Ajouter une autre demande")
	u.Press("Non")
	u.Press("Valider")
	u.Expect("Une note")
	u.Press("Passer")
	u.Press("✅ Enregistrer")
	u.Expect("Fiche n°")
	if n := h.count(`SELECT count(*) FROM sheets`); n != 2 {
		t.Fatalf("sheets = %d", n)
	}
	if n := h.count(`SELECT count(DISTINCT beneficiary_id) FROM sheets`); n != 1 {
		t.Fatalf("distinct people = %d, want 1", n)
	}
}

func TestMediatorsDoNotSeeEachOthersPeople(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	a := h.mediator(2007, "Awa", "59")
	fillToSummary(a)
	a.Press("✅ Enregistrer")
	a.Expect("Fiche n°")
	var code string
	if err := h.db.SQL.QueryRow(context.Background(), `SELECT code FROM beneficiaries`).Scan(&code); err != nil {
		t.Fatal(err)
	}

	b := h.mediator(2008, "Bruno", "59")
	b.Send("/fiche")
	b.Press("Aujourd'hui")
	b.Press("Personne déjà suivie")
	b.Expect("écrivez son code")
	b.Send(code)
	b.Expect("Aucune personne suivie n'a le code")
	// Nor by the beginning of the code.
	b.Send(code[:3])
	b.Expect("Aucune personne suivie n'a un code commençant par " + code[:3] + ".")
	b.Send("/mesfiches")
	b.Expect("aucune fiche")
}

// TestSheetKeptWhenPostgreSQLIsDown: the save fails while PostgreSQL refuses
// connections; the draft stays in Redis and a later tap saves it once.
func TestSheetKeptWhenPostgreSQLIsDown(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(2010, "Awa", "59")
	summary := fillToSummary(u)

	h.setDatabaseUp(false)
	u.PressOn(summary, "✅ Enregistrer")
	u.Expect("Rien n'est perdu")
	if _, ok, err := h.drafts.Load(context.Background(), 2010, 2010); err != nil || !ok {
		t.Fatalf("draft lost while PostgreSQL was down (%v)", err)
	}
	h.setDatabaseUp(true)

	u.PressOn(summary, "✅ Enregistrer")
	u.Expect("Fiche n°")
	if n := h.count(`SELECT count(*) FROM sheets`); n != 1 {
		t.Fatalf("sheets = %d, want 1", n)
	}
}

// The "Reprendre / Abandonner" prompt names its draft: once that draft is
// gone, its buttons never touch a newer one.
func TestOldDraftPromptNeverDropsANewerDraft(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(5601, "Awa", "59")
	u.Send("/fiche")
	u.Press("Aujourd'hui")
	u.Expect("Personne accompagnée")
	u.Send("/action")
	prompt := u.Expect("Vous avez une fiche en cours (Fiche d'accompagnement). Que voulez-vous faire ?")
	u.Send("/annuler")
	u.Press("Oui, abandonner")
	u.Expect("Fiche abandonnée")

	u.Send("/fiche")
	u.Press("Hier")
	u.Expect("Personne accompagnée")
	u.PressOn(prompt, "Abandonner")
	u.ExpectCallbackAnswer("Cette saisie est déjà terminée ou abandonnée.")
	for _, m := range u.Messages() {
		if strings.Contains(m.Text, "Date de l'action") {
			t.Fatalf("an old button started another form: %q", m.Text)
		}
	}
	u.Press("Nouvelle personne") // the newer sheet is still there, at its question
	u.Expect("Code de la personne")

	// The current prompt works, and its buttons go once used.
	u.Send("/action")
	current := u.Expect("Que voulez-vous faire ?")
	u.PressOn(current, "Reprendre")
	u.Expect("Sexe de la personne")
	for _, m := range u.Messages() {
		if m.ID == current.ID && len(m.ButtonTexts()) != 0 {
			t.Fatalf("the prompt keeps its buttons after Reprendre: %s", m)
		}
	}
	u.Send("/action")
	again := u.Expect("Que voulez-vous faire ?")
	u.PressOn(again, "Abandonner")
	u.Expect("Date de l'action")
	if n := h.count(`SELECT count(*) FROM sheets`); n != 0 {
		t.Fatalf("sheets = %d", n)
	}
}

// A whole sheet costs one Telegram call per input: a button answer edits
// the question in place into the next question, keeping the answers above
// it; a typed answer gets the next question as a new message (and the old
// question's buttons go afterwards). Scrolling back, the chat reads what
// was answered.
func TestSheetOneMessagePerStep(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(2010, "Awa", "59")
	before := h.tg.Stats()
	summary := fillToSummary(u) // 23 inputs: 3 typed, 20 presses
	u.Press("✅ Enregistrer")
	u.Expect("Fiche n°")
	st := h.tg.Stats()
	sends := st.ByMethod["sendmessage"] - before.ByMethod["sendmessage"]
	edits := st.ByMethod["editmessagetext"] + st.ByMethod["editmessagereplymarkup"] -
		before.ByMethod["editmessagetext"] - before.ByMethod["editmessagereplymarkup"]
	// 24 inputs with "Enregistrer". Sends: the question after /fiche and
	// after each of the 2 typed answers (the last one is the summary).
	// Edits: one per press ("Enregistrer" turns the summary into the saved
	// record, with its confirmation), and the note question's "Passer"
	// removed after the typed note.
	if sends != 3 || edits != 22 {
		t.Errorf("24 inputs cost %d sends and %d edits, want 3 and 22", sends, edits)
	}
	msgs := u.Messages()
	first := msgs[3].Text // the answer to /fiche, then what was pressed until the age is typed
	if msgs[2].Text != "/fiche" || msgs[4].Text != "34" || len(msgs) != 8 {
		t.Fatalf("chat = %+v", msgs)
	}
	for _, want := range []string{"Date : 23/11/2026\nPersonne : ", "\nSexe : Femme\n\nÂge de la personne (en années) ?"} {
		if !strings.Contains(first, want) {
			t.Errorf("the first question message lacks %q:\n%s", want, first)
		}
	}
	second := msgs[5].Text // from QPV to the note, which was typed
	if !strings.HasPrefix(second, "Habite en QPV : Oui\nRessources : RSA\n") || !strings.HasSuffix(second, "\nNote : Orientée vers la PMI du quartier.") ||
		len(msgs[5].Buttons) != 0 {
		t.Errorf("second question message = %q, buttons %v", second, msgs[5].ButtonTexts())
	}
	saved := msgs[7]
	if !strings.HasPrefix(summary.Text, "Récapitulatif — Fiche d'accompagnement\nDate : 23/11/2026") ||
		saved.Text != strings.TrimSuffix(summary.Text, "\n\nTout est correct ? Touchez « Enregistrer ».")+"\n\nFiche n° 1 enregistrée." ||
		strings.Join(saved.ButtonTexts(), "|") != "Nouvelle fiche|Terminé" {
		t.Errorf("summary = %q, saved as %q %v", summary.Text, saved.Text, saved.ButtonTexts())
	}
}

// The question is edited in place, so a double tap reaches the bot as two
// presses on the same message: the second one answers a question that is
// no longer open and is refused, the first answer stays.
func TestSheetDoubleTapOnAnEditedQuestion(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(2011, "Awa", "59")
	u.Send("/fiche")
	u.Press("Aujourd'hui")
	u.Press("Nouvelle personne")
	u.Expect("Sexe")
	q := u.LastMessage()
	h.stop()
	u.PressOn(q, "Femme")
	u.PressOn(q, "Homme")
	h.start()
	u.Expect("Âge de la personne")
	u.ExpectCallbackAnswer("plus actif")
	last := u.LastMessage()
	if last.ID != q.ID || !strings.Contains(last.Text, "\nSexe : Femme\n\nÂge de la personne") || strings.Contains(last.Text, "Homme") {
		t.Fatalf("question message = %q", last.Text)
	}
}
