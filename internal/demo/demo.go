// Package demo lets a person try Relais without creating a Telegram bot: the
// real bot talks HTTP to the built-in fake Bot API (internal/telegramtest)
// and a small web chat in the browser plays the Telegram users.
//
// Nothing here reaches into the bot: demo accounts are registered by typing
// "/start CODE" into the fake, exactly as a mediator would in Telegram, so
// the bot cannot tell the demo from Telegram. The demo's database starts on
// a synthetic year (synthetic.go) and keeps the fake's chats across
// restarts (history.go).
package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais-sante/relais/internal/frtext"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/state"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegramtest"
	"github.com/relais-sante/relais/internal/territory"
)

// Persona is a demo Telegram account the visitor can play in the web chat.
type Persona struct {
	ID         int64  // Telegram user id, also the private chat's id
	Name       string // first name, as Telegram gives it to the bot
	Role       string // what the chat switch shows under the name
	Invitation store.Invitation
}

// personaBase puts the demo accounts' ids above 2^52, where Telegram never
// issues user ids (they fit in 52 bits), so a demo account can never be a
// real person's id in any database.
const personaBase int64 = 1 << 52

// Personas are the demo accounts: a mediator in the Nord, a second one in the
// Pas-de-Calais (to see two territories in the indicators) and a regional
// coordinator. Their ids are fixed so a restart finds them registered.
func Personas() []Persona {
	return []Persona{
		{ID: personaBase + 5900001, Name: "Awa", Role: "médiatrice · Nord",
			Invitation: store.Invitation{Role: roles.Mediator, Departement: "59", Structure: "CCAS Roubaix"}},
		{ID: personaBase + 6200001, Name: "Karim", Role: "médiateur · Pas-de-Calais",
			Invitation: store.Invitation{Role: roles.Mediator, Departement: "62", Structure: "Centre social Lens"}},
		{ID: personaBase + 3200001, Name: "Claire", Role: "coordinatrice · région",
			Invitation: store.Invitation{Role: roles.Coordinator, Level: territory.LevelRegion}},
	}
}

// Registry is what seeding needs from the store: the database's claim (it
// must be the demo's), who is registered, and invitations for those who
// are not.
type Registry interface {
	ClaimDemoDatabase(ctx context.Context, accounts []ids.TelegramID, syntheticPrefix string, decide func(store.DemoDatabase) error) error
	UserByTelegramID(ctx context.Context, telegramID ids.TelegramID) (*store.User, error)
	CreateInvitation(ctx context.Context, inv store.Invitation) (string, error)
}

// syntheticPrefix starts the identifier of every synthetic post (Generate).
const syntheticPrefix = "DEMO-"

// ErrNotDemoDatabase ends every refusal of a database: the demo has no
// login, whoever opens its page acts as its coordinator and can export.
var ErrNotDemoDatabase = errors.New("la démo n'a pas de connexion, elle ne doit jamais ouvrir une base réelle. " +
	"Donnez-lui sa propre base (RELAIS_DEMO_DATABASE_URL, par défaut relais_demo, créée si elle n'existe pas)")

// ClaimDatabase makes sure the demo may use reg's database, and marks it
// as the demo's. A marked database, an empty one, and one an older demo
// used (its state is there) are accepted, as long as every user is a
// persona and every post a persona's or a synthetic one; any other
// database holding a sheet, a person, a post, an action or a review, or
// (unmarked) an invitation, an audit line or an erased code, is refused, naming what it holds (ErrNotDemoDatabase), and left untouched.
func ClaimDatabase(ctx context.Context, reg Registry, personas []Persona) error {
	accounts := make([]ids.TelegramID, len(personas))
	for i, p := range personas {
		accounts[i] = ids.TelegramID(p.ID)
	}
	err := reg.ClaimDemoDatabase(ctx, accounts, syntheticPrefix, acceptDatabase)
	if err != nil && !errors.Is(err, ErrNotDemoDatabase) {
		return fmt.Errorf("demo: %w", err)
	}
	return err
}

// acceptDatabase is the demo's decision on a database (see ClaimDatabase).
func acceptDatabase(d store.DemoDatabase) error {
	if d.OtherUsers > 0 {
		return fmt.Errorf("cette base contient des utilisateurs qui ne sont pas ceux de la démo (%s) : %w",
			frtext.Plural(d.OtherUsers, "utilisateur", "utilisateurs"), ErrNotDemoDatabase)
	}
	var held []string
	for _, c := range []struct {
		n         int
		one, many string
	}{
		{d.Sheets, "fiche", "fiches"},
		{d.People, "personne accompagnée", "personnes accompagnées"},
		{d.Posts, "poste de médiateur", "postes de médiateur"},
		{d.Actions, "action collective", "actions collectives"},
		{d.Reviews, "bilan annuel", "bilans annuels"},
	} {
		if c.n > 0 {
			held = append(held, frtext.Plural(c.n, c.one, c.many))
		}
	}
	// An unmarked database is taken when empty, or when an older demo used
	// it (then its posts must be the demo's, below). A real deployment's
	// first traces (its invitations, audit lines, erased codes) make it
	// not empty: the demo would mix its synthetic year into real reports.
	if !d.Marked && !d.DemoState {
		for _, c := range []struct {
			n         int
			one, many string
		}{
			{d.Invitations, "invitation", "invitations"},
			{d.AuditLines, "ligne du journal d'audit", "lignes du journal d'audit"},
			{d.ForgottenCodes, "code effacé à la demande d'une personne", "codes effacés à la demande des personnes"},
		} {
			if c.n > 0 {
				held = append(held, frtext.Plural(c.n, c.one, c.many))
			}
		}
	}
	if !d.Marked && !d.DemoState && len(held) > 0 {
		return fmt.Errorf("cette base n'a pas été créée par la démo et contient déjà des données (%s) : %w",
			strings.Join(held, ", "), ErrNotDemoDatabase)
	}
	// Records imported into the demo's own database since.
	if d.OtherPosts > 0 {
		return fmt.Errorf("cette base contient des postes de médiateur qui ne sont pas ceux de la démo (%s) : %w",
			frtext.Plural(d.OtherPosts, "poste", "postes"), ErrNotDemoDatabase)
	}
	return nil
}

// Seed makes every persona a user of the fake bot and registers those not
// yet registered through the real onboarding: an invitation is created and
// "/start CODE" is typed in their chat, queued for the bot to read. Already
// registered personas are left alone, so seeding again after a restart keeps
// the same accounts and their sheets. It returns the personas invited now.
func Seed(ctx context.Context, reg Registry, fake *telegramtest.Bot, personas []Persona, now time.Time) ([]Persona, error) {
	var invited []Persona
	for _, p := range personas {
		fake.NewUser(p.ID, p.Name)
		_, err := reg.UserByTelegramID(ctx, ids.TelegramID(p.ID))
		if err == nil {
			continue
		}
		if !errors.Is(err, store.ErrNotFound) {
			return invited, fmt.Errorf("demo: look up %s: %w", p.Name, err)
		}
		inv := p.Invitation
		inv.ExpiresAt = now.Add(7 * 24 * time.Hour)
		code, err := reg.CreateInvitation(ctx, inv)
		if err != nil {
			return invited, fmt.Errorf("demo: invite %s: %w", p.Name, err)
		}
		if _, err := fake.SendText(p.ID, "/start "+code); err != nil {
			return invited, fmt.Errorf("demo: register %s: %w", p.Name, err)
		}
		invited = append(invited, p)
	}
	return invited, nil
}

// Telegram is where the bot must connect: the fake Bot API's token and
// endpoint (tgbotapi's format, "http://127.0.0.1:8081/bot%s/%s").
type Telegram struct {
	Token    string
	Endpoint string
	URL      string // the fake's base URL (its control API is under /fake/)
}

// Store is what Run needs from the demo's database: the accounts, the
// synthetic year and the chats kept across restarts.
type Store interface {
	Registry
	SyntheticStore
	ChatKeeper
}

// Options configure Run.
type Options struct {
	// Registry is checked and given invitations for the demo accounts, and
	// receives the synthetic year (see LoadSyntheticYear).
	Registry Store
	// Location gives "today" for the synthetic year (default Europe/Paris).
	Location *time.Location
	// FakeAddr is where the fake Bot API listens; when taken (or empty) a
	// free port is used, the bot is told which.
	FakeAddr string
	// FakeOptions are passed to the fake (tests turn the flood limits off).
	FakeOptions []telegramtest.Option
	// Serve runs the real bot against tg and serves web on the HTTP server
	// beside /healthz and /readyz, until ctx is done.
	Serve func(ctx context.Context, tg Telegram, web http.Handler) error
	// Redis and RedisPrefix are the bot's Redis namespace for the demo. The
	// fake Telegram's chats are saved in the demo's database and restored at
	// start, ids continuing after the saved ones, so the bot's drafts and
	// update de-duplication keys stay valid. When there are no saved chats
	// (a first start, a database from before they were saved), the
	// namespace is emptied: its keys would refer to chats that are gone.
	Redis       *redis.Client
	RedisPrefix string
	// Log receives the demo's own events (default slog.Default()).
	Log *slog.Logger
}

// Run starts the fake Bot API, seeds the demo accounts and runs opt.Serve
// with the web chat until ctx is done.
func Run(ctx context.Context, opt Options) error {
	if opt.Registry == nil || opt.Serve == nil {
		return errors.New("demo: Registry and Serve are required")
	}
	log := opt.Log
	if log == nil {
		log = slog.Default()
	}
	fakeOpts := append([]telegramtest.Option{telegramtest.WithBotUsername("RelaisDemoBot"), telegramtest.WithLogger(log)}, opt.FakeOptions...)
	addr := opt.FakeAddr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	fake, err := telegramtest.New(append(fakeOpts, telegramtest.WithAddr(addr))...)
	if err != nil && addr != "127.0.0.1:0" {
		log.Warn("demo: fake Telegram address taken, using a free port", "addr", addr)
		fake, err = telegramtest.New(fakeOpts...) // default: a free loopback port
	}
	if err != nil {
		return fmt.Errorf("demo: start the fake Telegram: %w", err)
	}
	defer fake.Close()

	personas := Personas()
	if err := ClaimDatabase(ctx, opt.Registry, personas); err != nil {
		return err
	}
	restored, err := restoreChats(ctx, opt.Registry, fake.Bot(), log)
	if err != nil {
		return err
	}
	if opt.Redis != nil && !restored {
		if err := forgetTelegramState(ctx, opt.Redis, opt.RedisPrefix); err != nil {
			return err
		}
	}
	invited, err := Seed(ctx, opt.Registry, fake.Bot(), personas, time.Now())
	if err != nil {
		return err
	}
	log.Info("demo accounts ready", "accounts", len(personas), "registering_now", len(invited))
	loc := opt.Location
	if loc == nil {
		if loc, err = time.LoadLocation("Europe/Paris"); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}

	web := NewHandler(fake.Bot(), personas)
	defer web.Close()
	// The chats answer once the synthetic year is there, so nobody sees
	// the region empty.
	ready := make(chan struct{})
	web.ready = ready
	// Streams to browsers must end when the demo stops, or the HTTP server's
	// graceful shutdown would wait for them.
	stop := context.AfterFunc(ctx, web.Close)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The chats are saved as they change, and once more when the bot has
	// stopped (a clean snapshot: ids continue exactly after it).
	keeping, stopKeeping := context.WithCancel(context.WithoutCancel(ctx))
	kept := make(chan struct{})
	go func() {
		defer close(kept)
		keepChats(keeping, opt.Registry, fake.Bot(), log)
	}()
	defer func() {
		stopKeeping()
		<-kept
		sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer scancel()
		if err := saveChats(sctx, opt.Registry, fake.Bot(), true); err != nil {
			log.Error("demo: keep chats at stop", "err", err)
		}
	}()
	served := make(chan error, 1)
	go func() {
		served <- opt.Serve(ctx, Telegram{Token: fake.Token(), Endpoint: fake.Endpoint(), URL: fake.URL()}, web)
	}()
	// The personas register through the bot (their /start): their posts
	// exist once it has read them.
	if err := waitRegistered(ctx, opt.Registry, personas, served); err != nil {
		stopping := ctx.Err() != nil
		cancel()
		if serr := <-served; serr != nil || stopping {
			return serr // the bot's own error, or nil when the demo was stopped
		}
		return err
	}
	start := time.Now()
	loaded, err := LoadSyntheticYear(ctx, opt.Registry, SyntheticSeed, time.Now().In(loc))
	if err != nil {
		stopping := ctx.Err() != nil
		cancel()
		if serr := <-served; stopping {
			return serr
		}
		return err
	}
	if loaded {
		log.Info("demo: synthetic year generated", "seed", SyntheticSeed, "took", time.Since(start).Round(time.Millisecond))
	}
	close(ready)
	return <-served
}

// registrationTimeout bounds the wait for the bot to register the personas.
const registrationTimeout = time.Minute

// waitRegistered polls until every persona is a user, the bot stops (its
// error comes back through served, which is then refilled) or the timeout.
func waitRegistered(ctx context.Context, reg Registry, personas []Persona, served chan error) error {
	deadline := time.Now().Add(registrationTimeout)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for _, p := range personas {
		for {
			_, err := reg.UserByTelegramID(ctx, ids.TelegramID(p.ID))
			if err == nil {
				break
			}
			if !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("demo: look up %s: %w", p.Name, err)
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("demo: %s n'a pas été inscrit·e par le bot en %s", p.Name, registrationTimeout)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case err := <-served:
				served <- err
				if err == nil {
					err = errors.New("demo: the bot stopped before the demo accounts registered")
				}
				return err
			case <-tick.C:
			}
		}
	}
	return nil
}

// forgetTelegramState deletes the keys under prefix (see Options.Redis).
func forgetTelegramState(ctx context.Context, rdb *redis.Client, prefix string) error {
	if prefix == "" {
		return errors.New("demo: refusing to empty Redis without a key prefix")
	}
	iter := rdb.Scan(ctx, 0, state.PrefixPattern(prefix), 500).Iterator()
	var keys []string
	flush := func() error {
		if len(keys) == 0 {
			return nil
		}
		err := rdb.Del(ctx, keys...).Err()
		keys = keys[:0]
		return err
	}
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
		if len(keys) == 500 {
			if err := flush(); err != nil {
				return fmt.Errorf("demo: reset the bot's Redis state: %w", err)
			}
		}
	}
	if err := iter.Err(); err != nil {
		return fmt.Errorf("demo: reset the bot's Redis state: %w", err)
	}
	if err := flush(); err != nil {
		return fmt.Errorf("demo: reset the bot's Redis state: %w", err)
	}
	return nil
}
