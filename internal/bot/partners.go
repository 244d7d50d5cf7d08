package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/relais-sante/relais/internal/callbackdata"
	"github.com/relais-sante/relais/internal/frtext"

	"github.com/relais-sante/relais/internal/codes"
	"github.com/relais-sante/relais/internal/dialog"
	"github.com/relais-sante/relais/internal/store"
)

// maxPartnersListed keeps the /partenaires message well under Telegram's limit.
const maxPartnersListed = 60

// listPartners answers /partenaires: the mediator's own partners by
// category, with a button that runs the partenaire form.
func (b *Bot) listPartners(ctx context.Context, u *store.User, ev event, _ []string) error {
	ps, err := b.store.Partners(ctx, u.Mediator.ID)
	if err != nil {
		return fmt.Errorf("list partners: %w", err)
	}
	kb := keyboard(keyRow(button("Ajouter un partenaire", callbackdata.NewForm("partenaire"))))
	b.send(ctx, ev.chatID, partnersText(ps), kb)
	return nil
}

func partnersText(ps []store.Partner) string {
	if len(ps) == 0 {
		return "Vous n'avez encore aucun partenaire dans votre liste. Ajoutez-les un par un : " +
			"ils seront comptés dans votre bilan annuel."
	}
	var sb strings.Builder
	counts := map[string]int{}
	for _, p := range ps {
		counts[p.Category]++
	}
	fmt.Fprintf(&sb, "Vos partenaires (%d) : %s, %s, %s.", len(ps),
		frtext.Plural(counts["sanitaire"], "sanitaire", "sanitaires"), frtext.Plural(counts["social"], "social", "sociaux"),
		frtext.Plural(counts["medico_social"], "médico-social", "médico-sociaux"))
	category := ""
	for i, p := range ps {
		if i == maxPartnersListed {
			fmt.Fprintf(&sb, "\n… et %s.", frtext.Plural(len(ps)-i, "autre", "autres"))
			break
		}
		if p.Category != category {
			category = p.Category
			fmt.Fprintf(&sb, "\n\n%s :", codes.PartnerCategories.Label(category))
		}
		fmt.Fprintf(&sb, "\n• %s (%s)", p.Name, codes.PartnerTypes.Label(p.Type))
	}
	return sb.String()
}

// savePartner adds the partenaire form's answers to the mediator's registry
// and returns how many partners the registry now holds.
func (b *Bot) savePartner(ctx context.Context, u *store.User, st dialog.State) (int64, error) {
	if u.Mediator == nil {
		return 0, errors.New("save partner: user is not a mediator")
	}
	a := st.Answers
	p := store.Partner{MediatorID: u.Mediator.ID, Name: a.String("name"), Category: a.String("category"), Type: a.String("type")}
	if _, err := b.store.SavePartner(ctx, p); err != nil {
		return 0, err
	}
	counts, err := b.store.PartnerCounts(ctx, u.Mediator.ID)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	return int64(total), nil
}
