package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/relais-sante/relais/internal/callbackdata"
	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/codes"
	"github.com/relais-sante/relais/internal/followup"
	"github.com/relais-sante/relais/internal/store"
)

// Follow-up of open requests: /suivis lists them with the buttons of the
// daily reminder (one message format, built by followup.Render), a press
// on "r:<id>:<action>" records the new status and redraws the message, and
// /rappels sets the reminder hour and the nudges.

// listFollowUps answers /suivis: the mediator's open requests, the late ones
// first, in one message of followup.PageSize requests per page.
func (b *Bot) listFollowUps(ctx context.Context, u *store.User, ev event, _ []string) error {
	text, kb, err := b.followUpPage(ctx, u, 0)
	if err != nil {
		return err
	}
	b.send(ctx, ev.chatID, text, kb)
	return nil
}

// followUpPage renders page p (from 0, brought within the pages) of u's open
// requests as they are now: numbered across pages, page buttons below.
func (b *Bot) followUpPage(ctx context.Context, u *store.User, p int) (string, [][]chat.Button, error) {
	open, err := b.store.OpenRequests(ctx, u.Mediator.ID)
	if err != nil {
		return "", nil, fmt.Errorf("open requests: %w", err)
	}
	if len(open) == 0 {
		return "Vous n'avez aucune demande en cours. Tout est à jour !", nil, nil
	}
	today := b.Now()
	pages := (len(open) + followup.PageSize - 1) / followup.PageSize
	p = min(max(p, 0), pages-1)
	from := p * followup.PageSize
	to := min(from+followup.PageSize, len(open))
	text, kb := followup.Render(followup.OpenHeading(open, today), from+1, followup.Lines(open[from:to]),
		followup.PageFooter(p, pages), today)
	return text, append(kb, followup.PageButtons(p, pages)...), nil
}

// pressFollowUpPage handles "sp:<page>" from /suivis: the page of the
// presser's own open requests, read again now, in place of the message.
func (b *Bot) pressFollowUpPage(ctx context.Context, u *store.User, ev event, fields []string) error {
	if u.Mediator == nil {
		b.answer(ctx, ev, msgStaleButton)
		return nil
	}
	b.answer(ctx, ev, "")
	page, ok := callbackdata.ParseFollowUpPage(fields)
	if !ok {
		page = 0 // a bad page shows the first
	}
	text, kb, err := b.followUpPage(ctx, u, page)
	if err != nil {
		return failure{"", err} // answered already: the message stays
	}
	b.edit(ctx, ev.chatID, ev.messageID, text, kb)
	return nil
}

// pressFollowUp handles "r:<request id>:<action>" from a follow-up message.
func (b *Bot) pressFollowUp(ctx context.Context, u *store.User, ev event, fields []string) error {
	if u.Mediator == nil {
		b.answer(ctx, ev, "Ce bouton n'est plus actif.")
		return nil
	}
	id, err := strconv.ParseInt(fields[0], 10, 64)
	if err != nil {
		b.answer(ctx, ev, "Ce bouton n'est plus actif.")
		return nil
	}
	today := b.Now()
	var changed bool
	var done string
	switch act := fields[1]; {
	case act == callbackdata.FollowUpPostpone && len(fields) == 3:
		f, ok := callbackdata.ParseFollowUp(fields)
		if !ok {
			b.answer(ctx, ev, "Ce bouton n'est plus actif.")
			return nil
		}
		var until time.Time
		until, changed, err = b.store.Postpone(ctx, u.Mediator.ID, id, f.Shown, today, followup.PostponeDays)
		done = "Reportée au " + until.Format("02/01/2006") + "."
	case act == callbackdata.FollowUpUndo:
		shown := "" // a button made before the undo named its status
		if len(fields) == 3 {
			shown = fields[2]
		}
		var undone string
		undone, err = b.store.UndoRequestStatus(ctx, u.Mediator.ID, id, shown, b.now())
		if errors.Is(err, store.ErrStatusChanged) {
			b.answer(ctx, ev, "La fiche a été corrigée depuis : rien n'est annulé.")
			b.redrawFollowUps(ctx, u, ev, id, false)
			return nil
		}
		changed = undone != ""
		done = "Annulé : la demande est de nouveau en cours."
		if err == nil && !changed {
			b.answer(ctx, ev, "Trop tard pour annuler (24 heures au plus), ou déjà annulé.")
			b.redrawFollowUps(ctx, u, ev, id, false)
			return nil
		}
		if changed {
			b.audit(ctx, u.TelegramID, store.AuditStatusUndone, "request", map[string]any{"request_id": id, "status": undone})
		}
	case followup.StatusAction[act] != "":
		status := followup.StatusAction[act]
		changed, err = b.store.SetRequestStatus(ctx, u.Mediator.ID, id, status, b.now())
		done = "Enregistré : " + strings.ToLower(codes.Statuses.Label(status)) + "."
	default:
		b.answer(ctx, ev, "Ce bouton n'est plus actif.")
		return nil
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		b.log.WarnContext(ctx, "follow-up press on a request not the mediator's", "mediator_id", u.Mediator.ID, "request_id", id)
		b.answer(ctx, ev, "Cette demande ne fait pas partie de vos suivis.")
		return nil
	case err != nil:
		return failure{msgNothingSaved, fmt.Errorf("record follow-up: %w", err)}
	case changed:
		b.answer(ctx, ev, done)
	default:
		b.answer(ctx, ev, "Déjà enregistré.")
	}
	b.redrawFollowUps(ctx, u, ev, id, fields[1] == callbackdata.FollowUpPostpone)
	return nil
}

// redrawFollowUps rewrites the pressed message from PostgreSQL: closed
// requests show their status and lose their buttons.
func (b *Bot) redrawFollowUps(ctx context.Context, u *store.User, ev event, pressedID int64, postponed bool) {
	drawn, ok := followup.Parse(ev.pressedText)
	if !ok {
		return
	}
	fs, err := b.store.FollowUpsByRef(ctx, u.Mediator.ID, drawn.Refs)
	if err != nil {
		b.log.ErrorContext(ctx, "redraw follow-ups", "err", err)
		return
	}
	lines := make([]followup.Line, len(fs))
	for i, f := range fs {
		lines[i] = followup.Line{FollowUp: f, Postponed: drawn.Postponed[f.Ref()] || (postponed && f.ID == pressedID)}
	}
	text, kb := followup.Render(drawn.Heading, drawn.First, lines, drawn.Footer, b.Now())
	b.edit(ctx, ev.chatID, ev.messageID, text, append(kb, followup.PageButtons(drawn.Page, drawn.Pages)...))
}

// reminderHours are the hours offered by /rappels.
var reminderHours = []int{8, 9, 10, 12, 14, 17}

// reminderSettings answers /rappels.
func (b *Bot) reminderSettings(ctx context.Context, u *store.User, ev event, _ []string) error {
	text, kb := settingsMessage(u)
	id := b.send(ctx, ev.chatID, text, kb)
	b.ask(ctx, ev, promptHour, strconv.Itoa(id)) // « 7h » typed next is the hour (prompts.go)
	return nil
}

func settingsMessage(u *store.User) (string, [][]chat.Button) {
	nudges := "activée"
	toggle := button("Ne plus me relancer", "rp:n:0")
	if !u.Nudges {
		nudges = "désactivée"
		toggle = button("Me relancer", "rp:n:1")
	}
	text := fmt.Sprintf("Chaque jour à l'heure choisie, Relais vous envoie les demandes dont la date de suivi est arrivée.\n\n"+
		"Heure du rappel : %d h\nRelance d'une fiche laissée en cours : %s\n\nChoisissez l'heure du rappel, ou écrivez-la (par exemple 7h) :", u.ReminderHour, nudges)
	var rows [][]chat.Button
	var row []chat.Button
	for _, h := range reminderHours {
		label := fmt.Sprintf("%d h", h)
		if h == u.ReminderHour {
			label = "✓ " + label
		}
		row = append(row, button(label, fmt.Sprintf("rp:h:%d", h)))
		if len(row) == 3 {
			rows = append(rows, row)
			row = nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	rows = append(rows, keyRow(toggle))
	return text, keyboard(rows...)
}

// pressSetting handles "rp:h:<hour>" and "rp:n:<0|1>" from /rappels.
func (b *Bot) pressSetting(ctx context.Context, u *store.User, ev event, fields []string) error {
	hour, nudges := u.ReminderHour, u.Nudges
	var done string
	switch fields[0] {
	case "h":
		h, err := strconv.Atoi(fields[1])
		if err != nil || h < 0 || h > 23 {
			b.answer(ctx, ev, "Ce bouton n'est plus actif.")
			return nil
		}
		hour = h
		done = fmt.Sprintf("Rappel à %d h enregistré.", h)
	case "n":
		nudges = fields[1] == "1"
		done = "Relances désactivées."
		if nudges {
			done = "Relances activées."
		}
	default:
		b.answer(ctx, ev, "Ce bouton n'est plus actif.")
		return nil
	}
	if err := b.store.SetUserPreferences(ctx, u.TelegramID, hour, nudges, u.Digest); err != nil {
		return failure{msgNothingSaved, fmt.Errorf("set preferences: %w", err)}
	}
	b.answer(ctx, ev, done)
	u.ReminderHour, u.Nudges = hour, nudges
	text, kb := settingsMessage(u)
	b.edit(ctx, ev.chatID, ev.messageID, text, kb)
	return nil
}
