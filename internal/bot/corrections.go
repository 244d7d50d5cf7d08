package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/relais-sante/relais/internal/callbackdata"
	"github.com/relais-sante/relais/internal/dialog"
	"github.com/relais-sante/relais/internal/state"
	"github.com/relais-sante/relais/internal/store"
)

// Corrections: a mediator reopens one of their sheets saved less than
// store.EditWindow ago from /mesfiches ("✏️ n° 3"), changes answers in the
// summary and saves again. The draft's id is editPrefix + the sheet id, so
// saving updates that sheet (audited) instead of creating one.

const editPrefix = "edit-"

// editData is the callback data of a sheet's correction button.
func editData(number int64) string { return callbackdata.EditSheet(number) }

// startEdit opens sheet number (the mediator's own numbering) at its summary.
func (f *formFlow) startEdit(ctx context.Context, u *store.User, ev event, arg string) error {
	b := f.bot
	number, err := strconv.ParseInt(arg, 10, 64)
	form, ok := f.forms["fiche"]
	if err != nil || !ok || u.Mediator == nil {
		b.reply(ctx, ev, "Ce bouton n'est plus actif.")
		return nil
	}
	st, exists, err := b.drafts.Load(ctx, ev.chatID, ev.userID)
	if err != nil {
		return fmt.Errorf("load draft: %w", err)
	}
	if exists && !st.Untouched {
		b.reply(ctx, ev, f.inProgress(st.FormID)+" Terminez-la, ou écrivez « annuler », avant de corriger une fiche.")
		return nil
	}
	sh, savedAt, err := b.store.OwnSheet(ctx, u.Mediator.ID, number)
	switch {
	case errors.Is(err, store.ErrNotFound):
		b.reply(ctx, ev, fmt.Sprintf("Vous n'avez pas de fiche n° %d.", number))
		return nil
	case err != nil:
		return fmt.Errorf("load sheet to correct: %w", err)
	case !store.Editable(savedAt, b.Now()):
		b.reply(ctx, ev, fmt.Sprintf("La fiche n° %d a été enregistrée il y a plus de %d jours : elle ne peut plus être corrigée.", number, store.EditWindowDays))
		return nil
	}
	if exists {
		if err := b.drafts.Delete(ctx, ev.chatID, ev.userID); err != nil {
			return fmt.Errorf("drop untouched draft: %w", err)
		}
	}
	b.reply(ctx, ev, fmt.Sprintf("Correction de la fiche n° %d du %s : touchez ✏️ devant la réponse à corriger, puis « Enregistrer ». "+
		"Les chiffres suivront. Pour ne rien changer : « annuler ».", number, sh.Date.Format("02/01/2006")))
	res, err := dialog.StartFrom(ctx, form, editPrefix+sh.ID, sheetAnswers(sh), f.input(ev), f.env(u))
	f.apply(ctx, u, ev, form, state.Draft{}, res, err) // a new draft, like a form's start
	return nil
}

// sheetAnswers turns a stored sheet back into the fiche form's answers.
func sheetAnswers(sh store.Sheet) dialog.Answers {
	a := dialog.Answers{
		"date":              {Code: sh.Date.Format(time.DateOnly)},
		"beneficiary":       {Code: sh.Beneficiary},
		"sex":               {Code: sh.Sex},
		"qpv":               {Code: sh.QPV},
		"resources":         {Code: sh.Resources},
		"contact_mode":      {Code: sh.ContactMode},
		"level":             {Code: sh.Level},
		"social_protection": {Code: sh.SocialProtection},
		"obstacles":         {Codes: sh.Obstacles},
		"note":              {Text: sh.Note},
	}
	if sh.Age != nil {
		a["age"] = dialog.Value{Code: strconv.Itoa(*sh.Age)}
	}
	if len(sh.Obstacles) == 0 {
		a["obstacles"] = dialog.Value{Skipped: true}
	}
	if sh.Note == "" {
		a["note"] = dialog.Value{Skipped: true}
	}
	g := dialog.Value{Closed: true}
	for _, r := range sh.Requests {
		item := dialog.Answers{"kind": {Code: r.Kind}, "type_" + r.Kind: {Code: r.Type}, "status": {Code: r.Status}}
		if r.Status == store.StatusOpen {
			item["follow_up"] = dialog.Value{Skipped: true}
			if r.FollowUp != nil {
				item["follow_up"] = dialog.Value{Code: r.FollowUp.Format(time.DateOnly)}
			}
		}
		g.Items = append(g.Items, item)
	}
	a["requests"] = g
	return a
}

// updateSheet saves a corrected sheet over the stored one, audited.
func (b *Bot) updateSheet(ctx context.Context, u *store.User, sh store.Sheet) (int64, error) {
	sh.ID = strings.TrimPrefix(sh.ID, editPrefix)
	number, err := b.store.UpdateSheet(ctx, sh, b.Now())
	switch {
	case errors.Is(err, store.ErrTooOld):
		return 0, &refusal{fmt.Sprintf("Cette fiche a été enregistrée il y a plus de %d jours : elle ne peut plus être corrigée. Rien n'a changé.", store.EditWindowDays)}
	case errors.Is(err, store.ErrBeneficiaryForgotten):
		return 0, &refusal{dialog.ErasedPersonText + " Rien n'a changé."}
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrBeneficiaryNotYours):
		return 0, &refusal{"Cette fiche ne peut pas être corrigée ici. Rien n'a changé."}
	case err != nil:
		return 0, err
	}
	b.audit(ctx, u.TelegramID, store.AuditSheetEdit, "sheet", map[string]any{"number": number, "mediator_id": u.Mediator.ID})
	return number, nil
}
