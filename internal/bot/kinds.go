package bot

import (
	"context"
	"errors"
	"fmt"

	"github.com/relais-sante/relais/internal/forms"
	"github.com/relais-sante/relais/internal/store"
)

// starter opens a form that does not start blank.
type starter func(ctx context.Context, u *store.User, ev event, form *forms.Form)

// formKind is everything the bot knows of one form of dialogs/, registered
// once (the command that starts it is in the registry, access.go): how it
// is saved, the button that starts another after saving, and the step ids
// its saver reads. Those ids are checked against the loaded YAML at start
// and by `relais forms check` (CheckForms), so renaming a step in dialogs/
// fails there, with the file, instead of saving an empty field at run time.
type formKind struct {
	id       string
	newLabel string
	reads    []string
	save     func(b *Bot) saver
	start    func(f *formFlow) starter // nil: a blank form
}

// formKinds is the registry (a function: savers refer back to the registry).
func formKinds() []formKind {
	return []formKind{
		{id: "fiche", newLabel: "Nouvelle fiche",
			reads: []string{"date", "beneficiary", "sex", "age", "qpv", "resources", "contact_mode", "level", "social_protection",
				"obstacles", "note", "requests", "kind", "status", "type_droits", "type_soins", "follow_up"},
			save: func(b *Bot) saver { return b.saveSheet }},
		{id: "action", newLabel: "Nouvelle action",
			reads: []string{"date", "role", "audience", "themes", "title", "partner", "partner_type", "other_partner_types",
				"cobuilt", "participants"},
			save: func(b *Bot) saver { return b.saveAction }},
		{id: "partenaire", newLabel: "Ajouter un autre partenaire",
			reads: []string{"name", "category", "type"},
			save:  func(b *Bot) saver { return b.savePartner }},
		{id: reviewForm, newLabel: "Revoir le bilan",
			reads: []string{"identified", "missions_known", "cpam_partnership", "partner_bodies", "partners_sanitaire",
				"partners_social", "partners_medico", "helped", "hindered", "improve", "health_needs", "professional_project",
				"training", "declared_people", "declared_people_qpv", "declared_rights", "declared_care",
				"declared_social_protection", "publics", "obstacles"},
			save:  func(b *Bot) saver { return b.saveReview },
			start: func(f *formFlow) starter { return f.startReview }},
	}
}

// kindOf is the registered kind of form id.
func kindOf(id string) (formKind, bool) {
	for _, k := range formKinds() {
		if k.id == id {
			return k, true
		}
	}
	return formKind{}, false
}

// CheckForms tells, in French with the form's file and line, which form the
// bot saves is missing from fs and which step its saver reads no longer
// exists in it.
func CheckForms(fs Forms) error {
	var errs []error
	for _, k := range formKinds() {
		f, ok := fs[k.id]
		if !ok {
			errs = append(errs, fmt.Errorf("dialogs : le formulaire « %s » manque, le bot l'enregistre", k.id))
			continue
		}
		line := 1
		if len(f.Steps) > 0 {
			line = f.Steps[0].Line
		}
		for _, id := range k.reads {
			if f.Step(id) == nil {
				errs = append(errs, fmt.Errorf("%s:%d: l'étape « %s » est lue à l'enregistrement du formulaire « %s » mais n'existe pas (renommée ? changez aussi internal/bot/kinds.go)",
					f.File, line, id, k.id))
			}
		}
	}
	return errors.Join(errs...)
}
