package bot

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/relais-sante/relais/internal/callbackdata"
	"github.com/relais-sante/relais/internal/dialog"
	"github.com/relais-sante/relais/internal/forms"
	"github.com/relais-sante/relais/internal/store"
)

// saveAction maps the action form's answers (step ids of dialogs/action.yaml)
// to a collective action, saved once under the id chosen at form start.
func (b *Bot) saveAction(ctx context.Context, u *store.User, st dialog.State) (int64, error) {
	if u.Mediator == nil {
		return 0, errors.New("save action: user is not a mediator")
	}
	a := st.Answers
	date, ok := a.Date("date")
	if !ok {
		date = b.Now()
	}
	act := store.Action{
		ID:         st.RecordID,
		MediatorID: u.Mediator.ID,
		Date:       time.Date(date.Year(), date.Month(), date.Day(), 0, 0, 0, 0, time.UTC),
		Role:       a.String("role"),
		Audience:   a.String("audience"),
		Themes:     a.Strings("themes"),
		Title:      a.String("title"),
	}
	if act.Role != "participation" {
		// A partner of the registry carries its type; "autre" asked it.
		if id, err := strconv.ParseInt(a.String("partner"), 10, 64); err == nil {
			act.PartnerID = id
		}
		act.PartnerType = a.String("partner_type")
		act.OtherPartnerTypes = a.Strings("other_partner_types")
	}
	act.Cobuilt = a.String("cobuilt") == "oui"
	if n, ok := a.Int("participants"); ok {
		act.Participants = &n
	}
	number, _, err := b.store.SaveAction(ctx, act)
	return number, err
}

// actionSavedButtons offers, after an action with a partner outside the
// registry, to add it in one tap, so it is offered next time.
func actionSavedButtons(st dialog.State) [][]dialog.Button {
	if st.Answers.String("partner") != forms.OtherCode {
		return nil
	}
	return [][]dialog.Button{{{Text: "Ajouter ce partenaire à ma liste", Data: callbackdata.NewForm("partenaire")}}}
}

// Records lists the mediator's registered partners for the record step of
// the action form, the most used first.
func (e *env) Records(ctx context.Context, source string) ([]dialog.Record, error) {
	if source != "partners" || e.mediatorID == 0 {
		return nil, nil
	}
	ps, err := e.store.PartnersByUse(ctx, e.mediatorID)
	if err != nil {
		return nil, err
	}
	out := make([]dialog.Record, 0, len(ps))
	for _, p := range ps {
		out = append(out, dialog.Record{ID: p.ID, Label: p.Name})
	}
	return out, nil
}
