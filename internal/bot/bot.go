// Package bot turns Telegram updates into Relais behaviour: onboarding,
// forms run by the dialog engine, follow-ups and indicators. It wraps the
// pure engine with Telegram (through a Messenger) and storage.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/relais-sante/relais/internal/config"
	"github.com/relais-sante/relais/internal/frtext"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/roles"

	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/state"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/territory"
)

// Messenger sends to Telegram; in production the rate-limited sender. The
// bot says everything as a transport-neutral chat.Message: how it
// becomes Bot API calls is decided in internal/telegram alone.
type Messenger interface {
	Post(ctx context.Context, m chat.Message) (int, error)
	Answer(ctx context.Context, callbackID, text string) error
	SetCommands(ctx context.Context, chatID int64, cmds []chat.Command) error
	LeaveChat(ctx context.Context, chatID int64) error
	Delete(ctx context.Context, chatID int64, messageID int) error
}

// Bot handles updates. It is safe for concurrent use by updates of different chats.
type Bot struct {
	served   territory.Served // the regions the deployment serves (RELAIS_REGIONS), never empty
	store    *store.Store
	drafts   Drafts
	updates  Updates
	out      Messenger
	loc      *time.Location
	now      func() time.Time
	log      *slog.Logger
	username string
	// matrixUserID is the bot's Matrix account, when Relais runs on Matrix
	// too: /lier tells a Telegram user where to type their code.
	matrixUserID string
	flow         *formFlow
	hour         int
	routes       map[string]routed // the registry (access.go), bound to this Bot
	// lines: the chat may carry line-level files (RELAIS_CHAT_FILES=lines).
	lines bool
}

// Options wires a Bot.
type Options struct {
	Store    *store.Store
	Drafts   Drafts
	Updates  Updates
	Out      Messenger
	Location *time.Location
	Now      func() time.Time // nil: time.Now
	Log      *slog.Logger
	Username string // the bot's Telegram username, for deep links; "": not on Telegram
	// MatrixUserID is the bot's Matrix account (« @relais:exemple.fr »)
	// when Relais runs on Matrix too; "": not on Matrix.
	MatrixUserID string
	Forms        Forms
	// ReminderHour is RELAIS_REMINDER_HOUR, the hour of users who never chose one.
	ReminderHour int
	// ChatFiles is RELAIS_CHAT_FILES; unset, the chat gets figures only.
	ChatFiles config.ChatFiles
	// Regions is RELAIS_REGIONS, the regions the deployment serves; empty,
	// the Hauts-de-France alone (config's default).
	Regions territory.Served
}

// New returns a Bot.
func New(o Options) *Bot {
	b := &Bot{store: o.Store, drafts: o.Drafts, updates: o.Updates, out: o.Out, loc: o.Location, now: o.Now, log: o.Log, username: o.Username, matrixUserID: o.MatrixUserID, hour: o.ReminderHour,
		lines: o.ChatFiles == config.ChatFilesLines, served: o.Regions}
	if len(b.served) == 0 {
		b.served = defaultServed()
	}
	if b.hour <= 0 || b.hour > 23 {
		b.hour = config.DefaultReminderHour
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.loc == nil {
		b.loc = time.UTC
	}
	if b.log == nil {
		b.log = slog.Default()
	}
	b.log = slog.New(updateLogHandler{b.log.Handler()})
	b.flow = &formFlow{bot: b, forms: o.Forms}
	b.routes = routesOf(b)
	return b
}

// Now is the current time in RELAIS_TZ.
func (b *Bot) Now() time.Time { return b.now().In(b.loc) }

// event is one incoming message or button press, reduced to what Relais uses.
type event struct {
	updateID    int
	userID      ids.TelegramID
	chatID      ids.ChatID
	firstName   string
	text        string // message text
	data        string // callback data
	callback    string // callback query id
	messageID   int    // message carrying the pressed button
	noButtons   bool   // the messenger shows no buttons: every answer is typed, below the question
	pressedText string // text of that message
	answered    *bool  // the press was acknowledged (Telegram takes one answer)
	media       bool   // a photo, a document, a voice or a video: never read, never kept
	typedID     int    // id of the user's message (a typed text), for its deletion
	edited      bool   // the user edited an earlier message (an edited_message update)
}

// eventOf reduces a message, an edit or a button press to an event.
// Relais works in private chats only: what comes from a group, a
// supergroup or a channel is not an event (it could show one person's
// records to a whole group).
func eventOf(in chat.Event) (event, bool) {
	if in.Membership != "" || in.ChatKind != chat.Private || in.ChatID != in.SenderID {
		return event{}, false
	}
	ev := event{updateID: in.ID, userID: ids.TelegramID(in.SenderID), chatID: ids.ChatID(in.ChatID), firstName: in.SenderName, noButtons: in.NoButtons}
	switch {
	case in.Press != nil:
		ev.data, ev.callback, ev.messageID, ev.pressedText = in.Press.Data, in.Press.CallbackID, in.MessageID, in.Press.MessageText
		ev.answered = new(bool)
	case in.Edited:
		ev.text, ev.typedID, ev.edited = strings.TrimSpace(in.Text+in.Caption), in.MessageID, true
	default:
		ev.text, ev.media, ev.typedID = strings.TrimSpace(in.Text), in.Attachment != nil, in.MessageID
	}
	return ev, true
}

// ErrChatBusy is returned by HandleEvent when another event of the same
// chat is being handled (here or on another replica): the update must be
// delivered again later, so a chat's updates are handled one at a time.
var ErrChatBusy = errors.New("bot: chat busy, deliver the update again later")

// renewEvery keeps a running update's chat lease alive.
const renewEvery = state.ProcessingTTL / 3

// Updates has each update handled once, and a chat's updates one at a time
// across replicas (state.Updates): a lease on the chat while one is handled.
// Claim also reads the user's draft and prompt in the same round trip (see
// state.Snapshot).
type Updates interface {
	Claim(ctx context.Context, chatID ids.ChatID, userID ids.TelegramID, updateID int) (state.UpdateStatus, *state.Snapshot, error)
	RenewUpdate(ctx context.Context, chatID ids.ChatID, updateID int) error
	FinishUpdate(ctx context.Context, chatID ids.ChatID, updateID int) error
	AbandonUpdate(ctx context.Context, chatID ids.ChatID, updateID int) error
}

// HandleEvent processes one event once, even when the transport delivers
// it again (same ID). It returns an error only when the event was not
// handled and must be delivered again (ErrChatBusy, or ctx ended mid-way);
// every other failure is told to the user and logged here.
func (b *Bot) HandleEvent(ctx context.Context, in chat.Event) error {
	if in.Membership != "" {
		b.chatMember(ctx, in)        // private chats: blocked or unblocked
		b.membershipChanged(ctx, in) // groups: say why and leave
	}
	ev, ok := eventOf(in)
	if !ok {
		return nil
	}
	ctx = withLogAttrs(ctx, slog.Int("update_id", ev.updateID))
	status, snap, err := b.updates.Claim(ctx, ev.chatID, ev.userID, ev.updateID)
	if err != nil {
		b.log.ErrorContext(ctx, "claim update", "err", err)
		b.answer(ctx, ev, "")
		b.reply(ctx, ev, msgUnavailable)
		return nil
	}
	switch status {
	case state.UpdateDone:
		b.log.InfoContext(ctx, "duplicate update ignored")
		return nil
	case state.UpdateBusy:
		return ErrChatBusy
	}
	ctx = state.WithSnapshot(ctx, snap)
	stopRenew := b.keepLease(ctx, ev.chatID, ev.updateID)
	done := false
	defer func() {
		stopRenew()
		if r := recover(); r != nil {
			b.log.ErrorContext(ctx, "update handler panicked", "panic", fmt.Sprint(r))
		}
		// A handler cut by shutdown did not finish: Telegram delivers the
		// update again. One that panicked is recorded as done, never retried.
		finish := b.updates.AbandonUpdate
		if done || ctx.Err() == nil {
			finish = b.updates.FinishUpdate
		}
		if err := finish(context.WithoutCancel(ctx), ev.chatID, ev.updateID); err != nil {
			b.log.ErrorContext(ctx, "release update", "done", done, "err", err)
			if errors.Is(err, state.ErrDraftNotSaved) {
				// The step's draft is written with the release: the
				// user is told, as when saving it failed mid-update.
				b.reply(context.WithoutCancel(ctx), ev, msgTryAgain)
			}
			// Redis is down: keep trying while the lease lasts, so the
			// chat is free as soon as Redis is back, not when it expires.
			go b.retryRelease(context.WithoutCancel(ctx), finish, ev.chatID, ev.updateID)
		}
	}()
	if ev.edited {
		b.handleEdited(ctx, ev)
	} else {
		b.handle(ctx, ev)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	done = true
	return nil
}

// retryRelease calls release until it succeeds or the lease has expired anyway.
func (b *Bot) retryRelease(ctx context.Context, release func(context.Context, ids.ChatID, int) error, chatID ids.ChatID, updateID int) {
	for deadline := time.Now().Add(state.ProcessingTTL); time.Now().Before(deadline); {
		time.Sleep(500 * time.Millisecond)
		if err := release(ctx, chatID, updateID); err == nil {
			return
		}
	}
}

// keepLease renews the chat's lease every renewEvery while its update is
// handled, until stop is called. A timer rather than a goroutine waiting on
// a ticker: almost every update ends long before the first renewal, and a
// goroutine started, parked and woken again for each of them was pure cost
// to the scheduler.
func (b *Bot) keepLease(ctx context.Context, chatID ids.ChatID, updateID int) (stop func()) {
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var (
		mu sync.Mutex
		t  *time.Timer
	)
	mu.Lock()
	t = time.AfterFunc(renewEvery, func() {
		if err := b.updates.RenewUpdate(rctx, chatID, updateID); err != nil && rctx.Err() == nil {
			b.log.WarnContext(rctx, "renew update lease", "update_id", updateID, "err", err)
		}
		mu.Lock()
		defer mu.Unlock()
		if rctx.Err() == nil {
			t.Reset(renewEvery)
		}
	})
	mu.Unlock()
	return func() {
		cancel() // a renewal under way stops, and sets no further one
		mu.Lock()
		t.Stop()
		mu.Unlock()
	}
}

func (b *Bot) handle(ctx context.Context, ev event) {
	user, err := b.store.UserByTelegramID(ctx, ev.userID)
	if errors.Is(err, store.ErrNotFound) {
		b.handleStranger(ctx, ev)
		return
	}
	if err != nil {
		b.log.ErrorContext(ctx, "load user", "err", err)
		b.answer(ctx, ev, "")
		b.reply(ctx, ev, msgTryAgain)
		return
	}
	ctx = withLogAttrs(ctx, slog.String("role", string(user.Role)))
	if user.Unreachable { // the loaded row says so: no round trip for everyone else
		b.noteReachable(ctx, user, ev)
	}
	if user.Disabled {
		// A disabled user is a stranger at once: no command, no button,
		// nothing about anyone; the attempt is audited.
		b.audit(ctx, user.TelegramID, store.AuditDisabledTried, "user", map[string]any{"button": ev.callback != ""})
		if ev.callback != "" {
			b.answer(ctx, ev, "Vous n'avez pas de compte sur Relais.")
			return
		}
		b.reply(ctx, ev, msgStranger)
		return
	}
	// At most one write an hour, no round trip otherwise; at once when the
	// person writes from their other messenger, so that reminders follow.
	if now := b.now(); user.NeedsTouchFrom(ev.chatID, now) {
		if err := b.store.Touch(ctx, user.TelegramID, ev.chatID, now); err != nil {
			b.log.WarnContext(ctx, "record last activity", "err", err) // an older date in /equipe, reminders where they wrote before
		}
	}
	if user.ReminderHour < 0 {
		user.ReminderHour = b.hour
	}
	if ev.callback != "" {
		b.dropPrompt(ctx, ev) // a button ends the bot's question waiting for text (prompts.go)
		b.handleCallback(ctx, user, ev)
		return
	}
	if ev.media {
		// Its caption is not read either: it may name the person.
		b.reply(ctx, ev, msgNoMedia)
		return
	}
	cmd, arg := splitCommand(ev.text)
	if b.takePrompt(ctx, user, ev, cmd) { // typed answer to the bot's own question (prompts.go)
		return
	}
	switch cmd {
	case "/start":
		if arg != "" {
			// A link code typed from an account already registered: it links
			// nothing (the account is someone's), but its answer tells a live
			// code from an unknown one, so a registered chat has the same
			// allowance of codes as a stranger's.
			now := b.now()
			failuresKey, ok := b.startAllowed(ctx, ev, now)
			if !ok {
				return
			}
			if b.redeemLink(ctx, ev, strings.ToUpper(arg), now, failuresKey) {
				return
			}
			b.countRefusal(ctx, failuresKey, now)
			b.reply(ctx, ev, "Vous avez déjà un compte sur Relais. Tapez /aide pour voir ce que vous pouvez faire.")
			return
		}
		b.setChatMenu(ctx, ev.chatID, user.Role)
		b.reply(ctx, ev, b.welcome(user))
		return
	case "/aide", "/help":
		b.runCommand(ctx, user, ev, "/aide", arg)
		return
	}
	if b.flow.handleText(ctx, user, ev, cmd, arg) {
		return
	}
	if b.runCommand(ctx, user, ev, cmd, arg) {
		return
	}
	b.converse(ctx, user, ev) // free text: greeting, intent, question about the figures (conversation.go)
}

// help answers /aide: the chat's menu of commands set for the role, and the
// help text.
func (b *Bot) help(ctx context.Context, u *store.User, ev event, _ []string) error {
	b.setChatMenu(ctx, ev.chatID, u.Role)
	b.reply(ctx, ev, b.helpText(u))
	return nil
}

// reservedFor explains that a known command belongs to another role, so a
// coordinator typing /fiche learns why rather than reading "unknown".
func reservedFor(cmd string, list []roles.Role) string {
	who := "aux coordinateurs"
	if slices.Contains(list, roles.Mediator) {
		who = "aux médiateurs santé"
	}
	return "La commande " + cmd + " est réservée " + who + ". Tapez /aide pour voir ce que vous pouvez faire."
}

func splitCommand(text string) (cmd, arg string) {
	if !strings.HasPrefix(text, "/") {
		return "", ""
	}
	cmd, arg, _ = strings.Cut(text, " ")
	cmd, _, _ = strings.Cut(cmd, "@") // "/fiche@RelaisBot" in groups
	return strings.ToLower(cmd), strings.TrimSpace(arg)
}

// msgNoMedia answers a photo, a document or a recording: health data about
// a person must not reach Relais in any form but the pseudonymous sheet.
const msgNoMedia = "Relais ne doit recevoir aucun document, photo ni enregistrement concernant une personne : ils ne sont ni lus ni gardés. Répondez par écrit, sans nom, ou avec les boutons."

// msgTryAgain answers when PostgreSQL (or another service) fails: what
// was entered before is kept (drafts live in Redis, records in PostgreSQL).
const msgTryAgain = "Service momentanément indisponible, réessayez dans un instant. Rien n'est perdu de ce que vous avez déjà saisi."

// msgUnavailable answers when Redis cannot be reached before handling: the
// message was not taken into account and the user should send it again.
const msgUnavailable = "Service momentanément indisponible, réessayez dans un instant."

// reply sends a plain text message to the event's chat.
func (b *Bot) reply(ctx context.Context, ev event, text string) {
	b.send(ctx, ev.chatID, text, nil)
}

// send sends text with optional buttons and returns the message id (0 on
// failure). A text over Telegram's limit (a long list) goes as several
// messages cut between lines, the buttons on the last one: a user never
// gets silence because a list grew.
func (b *Bot) send(ctx context.Context, chatID ids.ChatID, text string, buttons [][]chat.Button) int {
	return b.post(ctx, chat.Message{ChatID: int64(chatID), Text: text, Buttons: buttons})
}

// post sends or edits one message and returns its id (0 on failure). A
// new text over Telegram's limit goes as several messages cut between
// lines, the buttons on the last one.
func (b *Bot) post(ctx context.Context, m chat.Message) int {
	if m.Edit == 0 && m.File == nil {
		parts := splitText(m.Text, frtext.MaxMessage)
		for _, part := range parts[:len(parts)-1] {
			if _, err := b.out.Post(ctx, chat.Message{ChatID: m.ChatID, Text: part}); err != nil {
				b.log.ErrorContext(ctx, "send message", "chat_id", m.ChatID, "err", err)
				return 0
			}
		}
		m.Text = parts[len(parts)-1]
	}
	id, err := b.out.Post(ctx, m)
	if err != nil {
		what := "send message"
		if m.Edit > 0 {
			what = "edit message"
		}
		b.log.ErrorContext(ctx, what, "chat_id", m.ChatID, "err", err)
	}
	return id
}

// splitText cuts text into pieces of at most limit UTF-16 units, between
// lines when it can (a blank line first), inside a line only when one line
// alone is too long.
func splitText(text string, limit int) []string {
	var parts []string
	for frtext.MessageLen(text) > limit {
		cut := 0 // byte index of the end of the longest prefix that fits
		n := 0
		for i, r := range text {
			n += utf16.RuneLen(r)
			if n > limit {
				break
			}
			cut = i + utf8.RuneLen(r)
		}
		head := text[:cut]
		if i := strings.LastIndex(head, "\n\n"); i > limit/2 {
			head = head[:i]
		} else if i := strings.LastIndex(head, "\n"); i > 0 {
			head = head[:i]
		}
		parts = append(parts, head)
		text = strings.TrimLeft(text[len(head):], "\n")
	}
	return append(parts, text)
}

// edit replaces a message's text and buttons (none: its keyboard goes); an
// identical edit is not an error.
func (b *Bot) edit(ctx context.Context, chatID ids.ChatID, messageID int, text string, buttons [][]chat.Button) {
	b.post(ctx, chat.Message{ChatID: int64(chatID), Edit: messageID, Text: text, Buttons: buttons})
}

// answer acknowledges a button press, with a short toast when text is set.
func (b *Bot) answer(ctx context.Context, ev event, text string) {
	if ev.callback == "" || *ev.answered {
		return
	}
	*ev.answered = true
	if err := b.out.Answer(ctx, ev.callback, text); err != nil {
		b.log.WarnContext(ctx, "answer callback", "chat_id", ev.chatID, "err", err)
	}
}

// keyboard gathers rows of buttons under a message.
func keyboard(rows ...[]chat.Button) [][]chat.Button { return rows }

// keyRow is one row of buttons.
func keyRow(buttons ...chat.Button) []chat.Button { return buttons }

// button is a button sending data back when pressed.
func button(text, data string) chat.Button { return chat.Button{Text: text, Data: data} }
