package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/relais-sante/relais/internal/frtext"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/state"
	"github.com/relais-sante/relais/internal/territory"

	"github.com/relais-sante/relais/internal/dialog"
	"github.com/relais-sante/relais/internal/forms"
	"github.com/relais-sante/relais/internal/store"
)

// reviewForm is the form id of the annual review (dialogs/bilan.yaml).
const reviewForm = "bilan"

// refusal is a saver's refusal, shown to the user as is: the record cannot
// be saved and retrying will not help (e.g. a review after its deadline).
type refusal struct{ msg string }

func (r *refusal) Error() string { return "refused: " + r.msg }

// reviewID is the draft id of the review of year: saving it upserts the row
// (mediator, year).
func reviewID(year int) string { return "bilan-" + strconv.Itoa(year) }

func reviewYearOf(id string) (int, bool) {
	y, err := strconv.Atoi(strings.TrimPrefix(id, "bilan-"))
	return y, err == nil && strings.HasPrefix(id, "bilan-")
}

// startReview opens the review of the year being reviewed: blank the first
// time, from the stored answers afterwards (straight to the summary).
func (f *formFlow) startReview(ctx context.Context, u *store.User, ev event, form *forms.Form) {
	b := f.bot
	year, deadline, err := b.store.ReviewYear(ctx, b.Now())
	if err != nil {
		b.log.ErrorContext(ctx, "review year", "err", err)
		b.reply(ctx, ev, msgTryAgain)
		return
	}
	rv, exists, err := b.store.Review(ctx, u.Mediator.ID, year)
	if err != nil {
		b.log.ErrorContext(ctx, "load review", "err", err)
		b.reply(ctx, ev, msgTryAgain)
		return
	}
	var res dialog.Result
	if exists {
		b.reply(ctx, ev, fmt.Sprintf("Votre bilan %d est enregistré. Vous pouvez le modifier jusqu'au %s : "+
			"touchez le bouton ✏️ de la réponse à changer, puis « Enregistrer ».", year, reviewDate(deadline)))
		res, err = dialog.StartFrom(ctx, form, reviewID(year), reviewAnswers(rv), f.input(ev), f.env(u))
	} else {
		b.reply(ctx, ev, fmt.Sprintf("Bilan annuel %d, à remplir avant le %s. Vingt questions, un quart d'heure. "+
			"Vos réponses libres ne s'affichent qu'à vous dans Relais ; vos coordinateurs (structure, département, région) les reçoivent dans leur export, pour la synthèse annuelle.", year, reviewDate(deadline)))
		res, err = dialog.Start(ctx, form, reviewID(year), f.input(ev), f.env(u))
	}
	f.apply(ctx, u, ev, form, state.Draft{}, res, err)
}

// pressReview handles the January reminder's button
// (callbackdata.Review): the review of its year, if still open.
func (b *Bot) pressReview(ctx context.Context, u *store.User, ev event, fields []string) error {
	year, err := strconv.Atoi(fields[0])
	if err != nil || u.Mediator == nil {
		b.answer(ctx, ev, "Ce bouton n'est plus actif.")
		return nil
	}
	open, deadline, err := b.store.ReviewYear(ctx, b.Now())
	if err != nil {
		return failure{msgUnavailable, fmt.Errorf("review year: %w", err)}
	}
	if year != open {
		past, err := b.store.ReviewDeadline(ctx, year)
		if err != nil {
			return failure{msgUnavailable, fmt.Errorf("review deadline: %w", err)}
		}
		b.answer(ctx, ev, "")
		b.reply(ctx, ev, fmt.Sprintf("Le bilan %d ne peut plus être rempli ni modifié : la date limite était le %s. "+
			"Tapez /bilan pour le bilan %d (jusqu'au %s).", year, reviewDate(past), open, reviewDate(deadline)))
		return nil
	}
	// The reminder keeps its button: the mediator may come back to it.
	b.answer(ctx, ev, "")
	b.flow.begin(ctx, u, ev, reviewForm)
	return nil
}

// reviewAnswers turns a stored review back into the form's answers.
func reviewAnswers(r store.Review) dialog.Answers {
	a := dialog.Answers{}
	yes := func(id string, v *bool) {
		if v == nil {
			return
		}
		code := "non"
		if *v {
			code = "oui"
		}
		a[id] = dialog.Value{Code: code}
	}
	count := func(id string, v *int) {
		if v != nil {
			a[id] = dialog.Value{Code: strconv.Itoa(*v)}
		}
	}
	text := func(id, v string) {
		if v != "" {
			a[id] = dialog.Value{Text: v}
		}
	}
	list := func(id string, v []string) {
		if len(v) > 0 {
			a[id] = dialog.Value{Codes: append([]string{}, v...)}
		}
	}
	yes("identified", r.Identified)
	yes("missions_known", r.MissionsKnown)
	yes("cpam_partnership", r.CPAMPartnership)
	yes("partner_bodies", r.PartnerBodies)
	count("partners_sanitaire", r.PartnersSanitaire)
	count("partners_social", r.PartnersSocial)
	count("partners_medico", r.PartnersMedico)
	text("helped", r.Helped)
	text("hindered", r.Hindered)
	text("improve", r.Improve)
	list("health_needs", r.HealthNeeds)
	yes("professional_project", r.ProfessionalProject)
	yes("training", r.Training)
	count("declared_people", r.DeclaredPeople)
	count("declared_people_qpv", r.DeclaredPeopleQPV)
	count("declared_rights", r.DeclaredRights)
	count("declared_care", r.DeclaredCare)
	count("declared_social_protection", r.DeclaredSocialProtection)
	list("publics", r.Publics)
	list("obstacles", r.Obstacles)
	return a
}

// saveReview maps the bilan form's answers (step ids of dialogs/bilan.yaml)
// to the review of the draft's year, replacing the stored one; after the
// deadline it is refused. The number shown is the year.
func (b *Bot) saveReview(ctx context.Context, u *store.User, st dialog.State) (int64, error) {
	if u.Mediator == nil {
		return 0, errors.New("save review: user is not a mediator")
	}
	year, ok := reviewYearOf(st.RecordID)
	if !ok {
		return 0, fmt.Errorf("save review: draft id %q has no year", st.RecordID)
	}
	a := st.Answers
	yes := func(id string) *bool {
		switch a.String(id) {
		case "oui":
			v := true
			return &v
		case "non":
			v := false
			return &v
		}
		return nil
	}
	count := func(id string) *int {
		if n, ok := a.Int(id); ok {
			return &n
		}
		return nil
	}
	r := store.Review{
		MediatorID:          u.Mediator.ID,
		Year:                year,
		Identified:          yes("identified"),
		MissionsKnown:       yes("missions_known"),
		CPAMPartnership:     yes("cpam_partnership"),
		PartnerBodies:       yes("partner_bodies"),
		PartnersSanitaire:   count("partners_sanitaire"),
		PartnersSocial:      count("partners_social"),
		PartnersMedico:      count("partners_medico"),
		Helped:              a.String("helped"),
		Hindered:            a.String("hindered"),
		Improve:             a.String("improve"),
		HealthNeeds:         a.Strings("health_needs"),
		ProfessionalProject: yes("professional_project"),
		Training:            yes("training"),

		DeclaredPeople:           count("declared_people"),
		DeclaredPeopleQPV:        count("declared_people_qpv"),
		DeclaredRights:           count("declared_rights"),
		DeclaredCare:             count("declared_care"),
		DeclaredSocialProtection: count("declared_social_protection"),
		Publics:                  a.Strings("publics"),
		Obstacles:                a.Strings("obstacles"),
	}
	_, err := b.store.SaveReview(ctx, r, b.Now())
	if errors.Is(err, store.ErrReviewClosed) {
		deadline, derr := b.store.ReviewDeadline(ctx, year)
		if derr != nil {
			return 0, derr
		}
		return 0, &refusal{fmt.Sprintf("La date limite du bilan %d est passée (%s) : il ne peut plus être enregistré ni modifié. "+
			"Si c'est un oubli, voyez avec votre coordinateur.", year, reviewDate(deadline))}
	}
	if err != nil {
		return 0, err
	}
	return int64(year), nil
}

// Prefill proposes the partner counts of the annual review from the
// mediator's registry (/partenaires), when it holds any partner.
func (e *env) Prefill(ctx context.Context, key string) (string, bool, error) {
	category, ok := map[string]string{
		"partners_sanitaire":     "sanitaire",
		"partners_social":        "social",
		"partners_medico_social": "medico_social",
	}[key]
	if !ok || e.mediatorID == 0 {
		return "", false, nil
	}
	counts, err := e.store.PartnerCounts(ctx, e.mediatorID)
	if err != nil {
		return "", false, err
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	if total == 0 {
		return "", false, nil
	}
	return strconv.Itoa(counts[category]), true, nil
}

func reviewDate(t time.Time) string { return t.Format("02/01/2006") }

// setReviewDeadline answers /datebilan: shows the deadline of the
// review being filled and lets a regional coordinator (or an admin) move
// it: "/datebilan 15/02/2027", or "/datebilan 2026 15/02/2027" for
// another year. The deadline is region-wide.
func (b *Bot) setReviewDeadline(ctx context.Context, u *store.User, ev event, fields []string) error {
	arg := argOf(fields)
	year, deadline, err := b.store.ReviewYear(ctx, b.Now())
	if err != nil {
		return fmt.Errorf("review year: %w", err)
	}
	regional := u.Role != roles.Coordinator || (u.Coordinator != nil && u.Coordinator.Level == territory.LevelRegion)
	if arg == "" {
		how := fmt.Sprintf("Pour la changer, écrivez la nouvelle date, par exemple %s (ou /datebilan %s).",
			reviewDate(deadline.AddDate(0, 0, 14)), reviewDate(deadline.AddDate(0, 0, 14)))
		if !regional {
			how = "Elle vaut pour toute la région : seuls les coordinateurs régionaux peuvent la changer."
		}
		b.reply(ctx, ev, fmt.Sprintf("Bilan annuel %d : date limite le %s. %s", year, reviewDate(deadline), how))
		if regional {
			b.ask(ctx, ev, promptDeadline) // the date typed next is the new deadline (prompts.go)
		}
		return nil
	}
	if !regional {
		b.reply(ctx, ev, "La date limite du bilan vaut pour toute la région : seuls les coordinateurs régionaux peuvent la changer.")
		return nil
	}
	words := strings.Fields(arg)
	if len(words) == 2 {
		if y, err := strconv.Atoi(words[0]); err == nil {
			if y < 2000 || y > b.Now().Year() {
				b.reply(ctx, ev, fmt.Sprintf("Année %d impossible : écrivez l'année du bilan puis la date limite, par exemple /datebilan %d 15/02/%d.", y, year, year+1))
				return nil
			}
			year, words = y, words[1:]
		}
	}
	if len(words) != 1 {
		b.reply(ctx, ev, fmt.Sprintf("Écrivez une seule date limite, par exemple /datebilan 15/02/%d (ou /datebilan %d 15/02/%d pour une autre année).", year+1, year, year+1))
		return nil
	}
	day, err := frtext.ParseDate(words[0])
	if err != nil {
		b.reply(ctx, ev, "Date limite : "+err.Error()+", par exemple /datebilan 15/02/"+strconv.Itoa(year+1)+".")
		return nil
	}
	today := store.Day(b.Now())
	switch {
	case day.Year() <= year:
		b.reply(ctx, ev, fmt.Sprintf("La date limite du bilan %d doit tomber après la fin de l'année %d.", year, year))
		return nil
	case day.Before(today):
		b.reply(ctx, ev, "Cette date est déjà passée : choisissez aujourd'hui ou une date à venir.")
		return nil
	}
	if err := b.store.SetReviewDeadline(ctx, year, day, &u.TelegramID); err != nil {
		return fmt.Errorf("set review deadline: %w", err)
	}
	b.log.InfoContext(ctx, "review deadline set", "year", year, "by", u.TelegramID)
	b.reply(ctx, ev, fmt.Sprintf("C'est noté : le bilan annuel %d peut être rempli et modifié jusqu'au %s inclus.", year, reviewDate(day)))
	return nil
}
