package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/codes"
	"github.com/relais-sante/relais/internal/store"
)

// list answers /mesfiches: the mediator's own last 10 sheets, one line each.
func (f *formFlow) list(ctx context.Context, u *store.User, ev event, _ []string) error {
	b := f.bot
	lines, err := b.store.RecentSheets(ctx, u.Mediator.ID, 10)
	if err != nil {
		return fmt.Errorf("recent sheets: %w", err)
	}
	if len(lines) == 0 {
		b.reply(ctx, ev, "Vous n'avez encore aucune fiche. Tapez /fiche pour en remplir une.")
		return nil
	}
	var sb strings.Builder
	sb.WriteString("Vos dernières fiches :\n")
	for _, l := range lines {
		fmt.Fprintf(&sb, "\nn° %d — %s — %s", l.Number, l.Date.Format("02/01/2006"), l.Beneficiary)
		for _, r := range l.Requests {
			fmt.Fprintf(&sb, "\n   • %s : %s (%s)", codes.RequestKinds.Label(r.Kind),
				codes.RequestTypes(r.Kind).Label(r.Type), strings.ToLower(codes.Statuses.Label(r.Status)))
		}
	}
	var rows [][]chat.Button
	var row []chat.Button
	for _, l := range lines {
		if !store.Editable(l.SavedAt, b.Now()) {
			continue
		}
		row = append(row, button(fmt.Sprintf("✏️ n° %d", l.Number), editData(l.Number)))
		if len(row) == 4 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		b.reply(ctx, ev, sb.String())
		return nil
	}
	sb.WriteString(fmt.Sprintf("\n\nPour corriger une fiche enregistrée depuis moins de %d jours, touchez son numéro.", store.EditWindowDays))
	b.send(ctx, ev.chatID, sb.String(), keyboard(rows...))
	return nil
}
