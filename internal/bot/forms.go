package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/relais-sante/relais/internal/callbackdata"
	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/codes"
	"github.com/relais-sante/relais/internal/dialog"
	"github.com/relais-sante/relais/internal/draftprompt"
	"github.com/relais-sante/relais/internal/forms"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/state"
	"github.com/relais-sante/relais/internal/store"
)

// Forms are the loaded dialogs/*.yaml, by form id.
type Forms map[string]*forms.Form

// Drafts keeps what a conversation leaves between two updates: the
// half-filled form, the question waiting for a typed answer, the last
// question answered, the wrong invitation codes (state.Drafts).
type Drafts interface {
	Load(ctx context.Context, chatID ids.ChatID, userID ids.TelegramID) (state.Draft, bool, error)
	Save(ctx context.Context, chatID ids.ChatID, userID ids.TelegramID, d state.Draft) error
	Delete(ctx context.Context, chatID ids.ChatID, userID ids.TelegramID) error
	AddFailure(ctx context.Context, key string, at time.Time, window time.Duration) error
	Failures(ctx context.Context, key string, since time.Time) (int, error)
	SaveLastQuestion(ctx context.Context, chatID ids.ChatID, data []byte) error
	LastQuestion(ctx context.Context, chatID ids.ChatID) ([]byte, bool, error)
	SetPrompt(ctx context.Context, chatID ids.ChatID, userID ids.TelegramID, p state.Prompt) error
	Prompt(ctx context.Context, chatID ids.ChatID, userID ids.TelegramID) (state.Prompt, bool, error)
	ClearPrompt(ctx context.Context, chatID ids.ChatID, userID ids.TelegramID) error
}

// saver persists a finished form and returns the record number shown to the user.
type saver func(ctx context.Context, u *store.User, st dialog.State) (int64, error)

// formFlow runs any form of dialogs/ for a user: it feeds the pure engine
// with inputs, shows its events (steps.go), keeps its state in Redis and saves once.
type formFlow struct {
	bot   *Bot
	forms Forms
}

func newRecordID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails (it crashes the program itself since Go 1.24)
	}
	return hex.EncodeToString(b)
}

// starter is the handler of the command that begins form formID, unless
// one is already in progress.
func (f *formFlow) starter(formID string) handler {
	return func(ctx context.Context, u *store.User, ev event, _ []string) error {
		f.begin(ctx, u, ev, formID)
		return nil
	}
}

func (f *formFlow) begin(ctx context.Context, u *store.User, ev event, formID string) {
	form, ok := f.forms[formID]
	if !ok {
		b := f.bot
		b.reply(ctx, ev, "Ce formulaire n'est pas disponible.")
		return
	}
	st, exists, err := f.bot.drafts.Load(ctx, ev.chatID, ev.userID)
	if err != nil {
		f.bot.log.ErrorContext(ctx, "load draft", "err", err)
		f.bot.reply(ctx, ev, msgTryAgain)
		return
	}
	if exists && f.applied(ctx, ev, st) {
		return
	}
	if exists && st.Untouched {
		// A stored record opened only to look at it: nothing to lose.
		if err := f.bot.drafts.Delete(ctx, ev.chatID, ev.userID); err != nil {
			f.bot.log.ErrorContext(ctx, "drop untouched draft", "err", err)
			f.bot.reply(ctx, ev, msgTryAgain)
			return
		}
		for _, r := range withdraw(st.Shown) { // its buttons go with it
			f.bot.edit(ctx, ev.chatID, r.EditMessageID, r.Text, nil)
		}
		exists = false
	}
	if exists {
		f.bot.send(ctx, ev.chatID, f.inProgress(st.FormID)+" Que voulez-vous faire ?",
			draftprompt.Buttons(st.RecordID, formID))
		return
	}
	if k, ok := kindOf(formID); ok && k.start != nil {
		k.start(f)(ctx, u, ev, form)
		return
	}
	res, err := dialog.Start(ctx, form, newRecordID(), f.input(ev), f.env(u))
	f.apply(ctx, u, ev, form, state.Draft{}, res, err)
}

// inProgress names the draft left open: a bilan or an action is not a "fiche".
func (f *formFlow) inProgress(formID string) string {
	return draftprompt.InProgress(formID, f.title(formID))
}

func (f *formFlow) title(formID string) string {
	if form, ok := f.forms[formID]; ok {
		return form.Title.FR
	}
	return formID
}

func (f *formFlow) input(ev event) dialog.Input {
	return dialog.Input{Text: ev.text, Data: ev.data, Now: f.bot.Now()}
}

// handleText passes typed text to the form in progress. It returns false when
// the text is a command for the bot itself (the draft is kept meanwhile).
func (f *formFlow) handleText(ctx context.Context, u *store.User, ev event, cmd, _ string) bool {
	word, isWord := dialog.Keyword(ev.text)
	if cmd != "" && !isWord {
		return false
	}
	st, exists, err := f.bot.drafts.Load(ctx, ev.chatID, ev.userID)
	if err != nil {
		f.bot.log.ErrorContext(ctx, "load draft", "err", err)
		f.bot.reply(ctx, ev, msgTryAgain)
		return true
	}
	if !exists {
		if word == "aide" {
			f.bot.reply(ctx, ev, f.bot.helpText(u))
			return true
		}
		if isWord {
			msg := "Aucune saisie en cours."
			if u.Role == roles.Mediator {
				msg = "Aucune saisie en cours. Tapez /fiche pour commencer une fiche."
			}
			f.bot.reply(ctx, ev, msg)
			return true
		}
		return false
	}
	f.step(ctx, u, ev, st)
	return true
}

// press handles a button of the engine ("d:…").
func (f *formFlow) press(ctx context.Context, u *store.User, ev event, fields []string) error {
	st, exists, err := f.bot.drafts.Load(ctx, ev.chatID, ev.userID)
	if err != nil {
		return failure{msgUnavailable, fmt.Errorf("load draft: %w", err)}
	}
	if !exists {
		f.bot.answer(ctx, ev, "Cette saisie est déjà terminée ou abandonnée.")
		return nil
	}
	f.step(ctx, u, ev, st)
	return nil
}

// applied tells whether the draft was saved by this very update: Telegram
// delivered it again after a crash that came before the update was
// recorded as handled. Its replies were sent before the draft was saved.
func (f *formFlow) applied(ctx context.Context, ev event, st state.Draft) bool {
	if ev.updateID == 0 || st.LastUpdate != ev.updateID {
		return false
	}
	f.bot.log.InfoContext(ctx, "update already applied to the draft")
	return true
}

func (f *formFlow) step(ctx context.Context, u *store.User, ev event, st state.Draft) {
	if f.applied(ctx, ev, st) {
		f.bot.answer(ctx, ev, "") // the spinner stops; the replies were sent before the crash
		return
	}
	form, ok := f.forms[st.FormID]
	if !ok {
		if err := f.bot.drafts.Delete(ctx, ev.chatID, ev.userID); err != nil {
			f.bot.log.ErrorContext(ctx, "drop draft of a removed form", "err", err, "form", st.FormID)
		}
		f.bot.answer(ctx, ev, "")
		f.bot.reply(ctx, ev, "Ce formulaire n'existe plus ; la saisie en cours a été abandonnée.")
		return
	}
	if stale(ev, st.Shown) {
		f.apply(ctx, u, ev, form, st, dialog.Result{State: st.State, Notice: dialog.StaleNotice}, nil)
		return
	}
	res, err := dialog.Step(ctx, form, st.State, f.input(ev), f.env(u))
	f.apply(ctx, u, ev, form, st, res, err)
}

// apply shows the events of a step on draft orig (zero for a
// new form), then saves, cancels or stores the
// draft. An engine error (an Env call failed: the events apologise and
// the draft is unchanged) is logged here, once.
func (f *formFlow) apply(ctx context.Context, u *store.User, ev event, form *forms.Form, orig state.Draft, res dialog.Result, err error) {
	b := f.bot
	if err != nil {
		b.log.ErrorContext(ctx, "form step", "err", err, "form", form.ID, "step", res.State.Pos.Step, "sub", res.State.Pos.Sub)
	}
	b.answer(ctx, ev, res.Notice)
	if res.DeleteInput && ev.typedID > 0 {
		// The text named or reached a person: Telegram keeps it on the
		// user's phone and its servers unless it is deleted. A failed
		// deletion (over 48 hours, a network cut) leaves the refusal as it is.
		if err := b.out.Delete(ctx, int64(ev.chatID), ev.typedID); err != nil {
			b.log.WarnContext(ctx, "delete identifying message", "chat_id", ev.chatID, "message_id", ev.typedID, "err", err)
		} else {
			res = res.Erased()
		}
	}
	// The Telegram presenter (steps.go): what the step shows, in one call;
	// the draft remembers what its question message shows.
	replies, shown := present(ev, orig.Shown, res.Events)
	st := state.Draft{State: res.State, Shown: shown}
	if err == nil {
		replies, st.Transcript = oneCall(ev, orig.Shown, replies, st.Phase == dialog.PhaseSummary)
	}
	// show sends the replies and tells whether all reached Telegram.
	show := func() bool {
		delivered := true
		for _, r := range replies {
			if r.Question {
				st.QuestionText = r.Text // a later removal of its buttons keeps it whole
			}
			id := b.post(ctx, chat.Message{ChatID: int64(ev.chatID), Text: r.Text, Buttons: messageButtons(r.Buttons), Edit: r.EditMessageID, NumberAnswer: r.Number, Asks: r.Question})
			if r.Question && id != 0 {
				st.QuestionMessageID = id
			}
			delivered = delivered && id != 0
		}
		return delivered
	}
	switch res.Outcome {
	case dialog.Save:
		k, ok := kindOf(form.ID)
		if !ok {
			b.log.ErrorContext(ctx, "no saver for form", "form", form.ID)
			b.reply(ctx, ev, msgTryAgain)
			return
		}
		number, err := k.save(b)(ctx, u, st.State)
		var refused *refusal
		if errors.As(err, &refused) {
			if st.QuestionMessageID > 0 {
				b.edit(ctx, ev.chatID, st.QuestionMessageID, dialog.SummaryText(form, st.State), nil)
			}
			if err := b.drafts.Delete(ctx, ev.chatID, ev.userID); err != nil {
				b.log.ErrorContext(ctx, "delete draft", "err", err)
			}
			b.reply(ctx, ev, refused.msg)
			return
		}
		if err != nil {
			b.log.ErrorContext(ctx, "save form", "err", err, "form", form.ID)
			b.reply(ctx, ev, "L'enregistrement n'a pas pu se faire pour le moment. Rien n'est perdu : "+
				"appuyez à nouveau sur « Enregistrer » dans un instant.")
			return
		}
		show()
		saved := dialog.SavedEvent(form, st.State, map[string]string{"number": fmt.Sprint(number)})
		replies = savedInPlace(ev, presentSaved(st.Shown, saved, savedButtons(form, st.State)))
		// The draft goes only once the confirmation is out: a confirmation
		// that did not reach Telegram (or a crash before it) leaves the
		// draft, so pressing « Enregistrer » again (or Telegram delivering
		// the press again) saves nothing twice and shows it. Before, the
		// user was left with « Cette saisie est déjà terminée ».
		if !show() {
			b.log.WarnContext(ctx, "saved, confirmation not delivered: draft kept", "form", form.ID)
			return
		}
		if err := b.drafts.Delete(ctx, ev.chatID, ev.userID); err != nil {
			b.log.ErrorContext(ctx, "delete saved draft", "err", err, "form", form.ID)
		}
	case dialog.Cancelled:
		// The draft goes before "abandonnée" is shown: the user never reads
		// it while the form could still resume.
		if err := b.drafts.Delete(ctx, ev.chatID, ev.userID); err != nil {
			b.log.ErrorContext(ctx, "delete cancelled draft", "err", err)
			b.reply(ctx, ev, msgTryAgain)
			return
		}
		show()
	default:
		show()
		st.LastUpdate = ev.updateID
		if err := b.drafts.Save(ctx, ev.chatID, ev.userID, st); err != nil {
			b.log.ErrorContext(ctx, "save draft", "err", err)
			b.reply(ctx, ev, msgTryAgain)
		}
	}
}

// savedButtons is the keyboard under a saved record's confirmation.
func savedButtons(form *forms.Form, st dialog.State) [][]dialog.Button {
	rows := [][]dialog.Button{{{Text: newLabel(form), Data: callbackdata.NewForm(form.ID)}, {Text: "Terminé", Data: callbackdata.Done()}}}
	if form.ID == "action" {
		rows = append(rows, actionSavedButtons(st)...)
	}
	return rows
}

func newLabel(form *forms.Form) string {
	if k, ok := kindOf(form.ID); ok {
		return k.newLabel
	}
	return "Nouvelle saisie"
}

// messageButtons turns the engine's buttons into the transport's.
func messageButtons(rows [][]dialog.Button) [][]chat.Button {
	out := make([][]chat.Button, 0, len(rows))
	for _, row := range rows {
		r := make([]chat.Button, 0, len(row))
		for _, btn := range row {
			r = append(r, chat.Button{Text: btn.Text, Data: btn.Data})
		}
		out = append(out, r)
	}
	return out
}

// action handles the bot's own buttons around forms ("b:…").
func (f *formFlow) action(ctx context.Context, u *store.User, ev event, fields []string) error {
	b := f.bot
	switch fields[0] {
	case "new":
		b.answer(ctx, ev, "")
		b.edit(ctx, ev.chatID, ev.messageID, ev.pressedText, nil)
		if len(fields) == 2 {
			f.begin(ctx, u, ev, fields[1])
		}
	case "edit": // b:edit:<sheet number for the mediator>, from /mesfiches
		b.answer(ctx, ev, "")
		if len(fields) == 2 {
			return f.startEdit(ctx, u, ev, fields[1])
		}
	case "done":
		b.answer(ctx, ev, "")
		// The confirmation ("Fiche n° 3 enregistrée.") stays; only its buttons go.
		b.edit(ctx, ev.chatID, ev.messageID, ev.pressedText, nil)
	case "resume", "drop":
		// b:resume:<record id>, b:drop:<record id>:<form to start next>
		st, exists, err := b.drafts.Load(ctx, ev.chatID, ev.userID)
		if err != nil {
			return failure{msgUnavailable, fmt.Errorf("load draft: %w", err)}
		}
		if !exists || len(fields) < 2 || fields[1] != st.RecordID {
			// A button of an older prompt: the draft it named is gone.
			b.answer(ctx, ev, "Cette saisie est déjà terminée ou abandonnée.")
			b.edit(ctx, ev.chatID, ev.messageID, ev.pressedText, nil)
			return nil
		}
		if fields[0] == "resume" {
			b.answer(ctx, ev, "")
			b.edit(ctx, ev.chatID, ev.messageID, ev.pressedText, nil)
			if form, ok := f.forms[st.FormID]; ok {
				res, err := dialog.Resume(ctx, form, st.State, f.input(ev), f.env(u))
				f.apply(ctx, u, ev, form, st, res, err)
			}
			return nil
		}
		if err := b.drafts.Delete(ctx, ev.chatID, ev.userID); err != nil {
			return failure{msgUnavailable, fmt.Errorf("drop draft: %w", err)}
		}
		b.answer(ctx, ev, "Saisie en cours abandonnée.")
		b.edit(ctx, ev.chatID, ev.messageID, "Saisie en cours abandonnée.", nil)
		if len(fields) == 3 && fields[2] != "" {
			f.begin(ctx, u, ev, fields[2])
		}
	default:
		b.answer(ctx, ev, "Ce bouton n'est plus actif.")
	}
	return nil
}

// env gives the engine this mediator's people, looked up in PostgreSQL.
type env struct {
	store      *store.Store
	mediatorID ids.MediatorID
}

func (f *formFlow) env(u *store.User) dialog.Env {
	e := &env{store: f.bot.store}
	if u.Mediator != nil {
		e.mediatorID = u.Mediator.ID
	}
	return e
}

func (e *env) NewPersonCode(ctx context.Context) (string, error) {
	return e.store.NewPersonCode(ctx)
}

func (e *env) RecentPeople(ctx context.Context) ([]dialog.Person, error) {
	ps, err := e.store.RecentPeople(ctx, e.mediatorID, 5)
	if err != nil {
		return nil, err
	}
	out := make([]dialog.Person, 0, len(ps))
	for _, p := range ps {
		out = append(out, person(p))
	}
	return out, nil
}

func (e *env) SearchPeople(ctx context.Context, prefix string, limit int) ([]dialog.Person, error) {
	ps, err := e.store.SearchPeople(ctx, e.mediatorID, prefix, limit)
	if err != nil {
		return nil, err
	}
	out := make([]dialog.Person, 0, len(ps))
	for _, p := range ps {
		out = append(out, person(p))
	}
	return out, nil
}

func (e *env) FindPerson(ctx context.Context, code string) (dialog.Person, bool, error) {
	p, ok, err := e.store.FindPerson(ctx, e.mediatorID, strings.ToUpper(strings.TrimSpace(code)))
	if errors.Is(err, store.ErrBeneficiaryForgotten) {
		return dialog.Person{}, false, dialog.ErrPersonErased
	}
	if err != nil || !ok {
		return dialog.Person{}, ok, err
	}
	return person(p), true, nil
}

func person(p store.Person) dialog.Person {
	out := dialog.Person{Code: p.Code, Sex: p.Sex, QPV: p.QPV, Resources: p.Resources}
	if p.Age != nil {
		out.Age = *p.Age
	}
	if p.AgeOn != nil {
		out.AgeOn = *p.AgeOn
	}
	if p.LastSeen != nil {
		out.LastSeen = *p.LastSeen
	}
	out.ContactMode = p.ContactMode
	for _, o := range p.Open {
		kind, typ, _ := strings.Cut(o, ":")
		out.Open = append(out.Open, openLabel(kind, typ))
	}
	for _, o := range p.Requests {
		out.Requests = append(out.Requests, dialog.OpenRequest{ID: o.ID, Label: openLabel(o.Kind, o.Type), Since: o.Since})
	}
	return out
}

// openLabel names an open request in a person's button: the button label,
// "CSS" for the Complémentaire Santé Solidaire everyone calls so.
func openLabel(kind, typ string) string {
	if kind == "droits" && typ == "css" {
		return "CSS"
	}
	for _, c := range codes.RequestTypes(kind) {
		if c.Code == typ {
			return c.Label
		}
	}
	return typ
}

// saveSheet maps the fiche form's answers (step ids of dialogs/fiche.yaml) to a sheet.
func (b *Bot) saveSheet(ctx context.Context, u *store.User, st dialog.State) (int64, error) {
	if u.Mediator == nil {
		return 0, errors.New("save sheet: user is not a mediator")
	}
	a := st.Answers
	date, ok := a.Date("date")
	if !ok {
		date = b.Now()
	}
	sh := store.Sheet{
		ID:               st.RecordID,
		MediatorID:       u.Mediator.ID,
		Date:             time.Date(date.Year(), date.Month(), date.Day(), 0, 0, 0, 0, time.UTC),
		Beneficiary:      a.String("beneficiary"),
		Sex:              a.String("sex"),
		QPV:              a.String("qpv"),
		Resources:        a.String("resources"),
		ContactMode:      a.String("contact_mode"),
		Level:            a.String("level"),
		SocialProtection: a.String("social_protection"),
		Obstacles:        a.Strings("obstacles"),
		Note:             a.String("note"),
		SavedAt:          b.Now(),
		Closes:           st.Closes,
	}
	if age, ok := a.Int("age"); ok {
		sh.Age = &age
	}
	for _, item := range a.Items("requests") {
		r := store.Request{Kind: item.String("kind"), Status: item.String("status")}
		r.Type = item.String("type_" + r.Kind)
		if d, ok := item.Date("follow_up"); ok && r.Status == "en_cours" {
			d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
			r.FollowUp = &d
		}
		sh.Requests = append(sh.Requests, r)
	}
	if strings.HasPrefix(st.RecordID, editPrefix) {
		return b.updateSheet(ctx, u, sh)
	}
	number, _, err := b.store.SaveSheet(ctx, sh)
	if errors.Is(err, store.ErrBeneficiaryForgotten) {
		return 0, erasedPerson
	}
	return number, err
}

// erasedPerson refuses a sheet (a draft, a retry) naming a person erased at
// their request since it was started: nothing is saved.
var erasedPerson = &refusal{dialog.ErasedPersonText + " La fiche n'est pas enregistrée."}
