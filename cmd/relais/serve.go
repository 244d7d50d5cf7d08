package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/redis/go-redis/v9"

	"github.com/relais-sante/relais/dialogs"
	"github.com/relais-sante/relais/internal/bot"
	"github.com/relais-sante/relais/internal/config"
	"github.com/relais-sante/relais/internal/digest"
	"github.com/relais-sante/relais/internal/forms"
	"github.com/relais-sante/relais/internal/jobs"
	"github.com/relais-sante/relais/internal/matrix"
	"github.com/relais-sante/relais/internal/metrics"
	"github.com/relais-sante/relais/internal/reminders"
	"github.com/relais-sante/relais/internal/retention"
	"github.com/relais-sante/relais/internal/state"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegram"
)

func runServe(ctx context.Context, _ []string, stdout io.Writer) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	if err := cfg.RequireToken(); err != nil {
		return err
	}
	return serve(ctx, cfg, nil)
}

// services are the connections serve needs; opened and checked before anything runs.
type services struct {
	store *store.Store
	redis *redis.Client
	forms bot.Forms
}

func openServices(ctx context.Context, cfg *config.Config, opts ...store.Option) (*services, error) {
	fs, err := forms.LoadFS(dialogs.FS, ".")
	if err != nil {
		return nil, err
	}
	if err := bot.CheckForms(bot.Forms(fs)); err != nil {
		return nil, err
	}
	st, err := openDatabase(ctx, cfg.DatabaseVar(), cfg.DatabaseURL, append(opts, store.WithAuditKey(cfg.AuditKey))...)
	if err != nil {
		return nil, err
	}
	rdb, err := openRedis(ctx, cfg)
	if err != nil {
		st.Close()
		return nil, err
	}
	return &services{store: st, redis: rdb, forms: bot.Forms(fs)}, nil
}

// openDatabase migrates and opens PostgreSQL; failing, it names the
// variable that gave url (DATABASE_URL, or the demo's own), the one thing
// the operator can change.
func openDatabase(ctx context.Context, variable, url string, opts ...store.Option) (*store.Store, error) {
	if err := store.Migrate(ctx, url); err != nil {
		return nil, &config.Error{Var: variable, Reason: "PostgreSQL injoignable ou refusé : " + err.Error()}
	}
	st, err := store.Open(ctx, url, opts...)
	if err != nil {
		return nil, &config.Error{Var: variable, Reason: "PostgreSQL injoignable ou refusé : " + err.Error()}
	}
	return st, nil
}

// quietRedisLog keeps go-redis's own logger (several lines per failed dial,
// on stderr) from burying the one line that says what is wrong.
type quietRedisLog struct{}

func (quietRedisLog) Printf(context.Context, string, ...any) {}

func init() { redis.SetLogger(quietRedisLog{}) }

func (s *services) close() {
	s.store.Close()
	if err := s.redis.Close(); err != nil {
		slog.Warn("close Redis client", "err", err)
	}
}

// serve runs the bot until ctx is cancelled, then finishes in-flight updates.
// ready, when set, is closed once the bot polls Telegram (tests wait on it).
// web, when given, is served at "/" beside the health checks (the demo chat).
func serve(ctx context.Context, cfg *config.Config, ready chan<- struct{}, web ...http.Handler) error {
	// One root logger at RELAIS_LOG_LEVEL, handed to every component (and
	// the default, for the few library-level lines).
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	slog.SetDefault(log)
	mx := metrics.New()
	svc, err := openServices(ctx, cfg, store.OnQueryError(mx.PostgresError))
	if err != nil {
		return err
	}
	defer svc.close()
	mx.WatchRedis(svc.redis)

	// Telegram, Matrix or both: one bot, each message sent on its chat's
	// messenger.
	var (
		out      messengers
		api      *tgbotapi.BotAPI
		sender   *telegram.Sender
		botID    int64
		username string
	)
	if cfg.TelegramToken != "" {
		api, err = telegram.Connect(ctx, cfg.TelegramToken, cfg.TelegramAPIEndpoint)
		if err != nil {
			return err
		}
		sender = telegram.NewSender(api, telegram.SenderOptions{Logger: log, Waited: mx.SenderWaited})
		mx.WatchSender(sender)
		out.telegram, botID, username = sender, api.Self.ID, api.Self.UserName
	}
	var (
		pres     *matrix.Presenter
		matrixID string           // the bot's Matrix account, for /lier
		events   retention.Events // Matrix's event numbers, purged daily
	)
	if cfg.Matrix.Enabled() {
		tr, err := matrix.Open(ctx, matrix.Config{HomeserverURL: cfg.Matrix.HomeserverURL, UserID: cfg.Matrix.UserID,
			AccessToken: cfg.Matrix.AccessToken, Password: cfg.Matrix.Password, DatabaseURL: cfg.DatabaseURL,
			PickleKey: []byte(cfg.Matrix.PickleKey), Sender: matrix.SenderOptions{GlobalRate: cfg.Matrix.Rate},
			Logger: log.With("component", "matrix")})
		if err != nil {
			return &config.Error{Var: "MATRIX_HOMESERVER_URL", Reason: "connexion au compte Matrix du bot impossible : " + err.Error()}
		}
		defer func() {
			if err := tr.Close(); err != nil {
				log.Warn("close Matrix transport", "err", err)
			}
		}()
		mx.WatchMatrix(tr)
		pres = matrix.NewPresenter(tr, bot.CommandNames())
		out.matrix, matrixID, events = pres, tr.UserID(), tr
		if botID == 0 {
			// Matrix alone: the bot's own local number scopes its Redis keys.
			if botID, err = tr.PersonOf(ctx, tr.UserID()); err != nil {
				return err
			}
		}
	}
	// Update ids and locks are scoped by bot: two bots sharing one Redis
	// (staging and production) never take each other's updates.
	keys := state.New(svc.redis, cfg.RedisPrefix).ForBot(botID)
	drafts, locks := keys.Drafts(), keys.Locks()
	if sender != nil {
		// Replicas of the bot share Telegram's 30 messages/s between them.
		stopSharing := shareRate(ctx, keys.Replicas(state.ReplicaOptions{Logger: log}), sender, log)
		defer stopSharing()
	}
	b := bot.New(bot.Options{
		Store:        svc.store,
		Drafts:       drafts,
		Updates:      keys.Updates(),
		ReminderHour: cfg.ReminderHour,
		Out:          out,
		Location:     cfg.Location,
		Log:          log,
		Username:     username,
		MatrixUserID: matrixID,
		Forms:        svc.forms,
		ChatFiles:    cfg.ChatFiles,
		Regions:      cfg.Regions,
	})
	sched := reminders.New(reminders.Options{
		Store: svc.store, Drafts: drafts, Out: out,
		Location: cfg.Location, Hour: cfg.ReminderHour, NudgeAfter: cfg.NudgeAfter, Log: log, Metrics: mx,
		Forms: svc.forms,
	})
	// Every scheduled job runs on one runner: catch-up at start, panic
	// recovery, one replica per tick, a record of each execution.
	runner := &jobs.Runner{Store: svc.store, Lock: locks, Location: cfg.Location, Log: log.With("component", "jobs"), Metrics: mx}
	digestLog := log.With("job", digest.JobName)
	dig := &digest.Job{Store: svc.store, Out: out, Location: cfg.Location, Log: digestLog, Regions: cfg.Regions,
		Sends: &jobs.Sends{Store: svc.store, Log: digestLog, Metrics: mx}}
	purge := &retention.Job{Store: svc.store, Locker: locks, Retention: cfg.Retention, Location: cfg.Location, Log: log.With("job", "purge"), Events: events}
	for _, j := range []jobs.Job{sched.Job(), dig.Schedule(), purge.Schedule()} {
		if err := runner.Register(j); err != nil {
			return err
		}
	}
	if err := runner.Start(ctx); err != nil {
		return err
	}
	defer runner.Stop()
	if err := out.SetCommands(ctx, 0, bot.Commands()); err != nil {
		log.Warn("set command menu", "err", err)
	}
	// /metrics has a listener of its own (loopback by default), never
	// RELAIS_HTTP_ADDR, which the image opens for Telegram's webhook.
	if cfg.MetricsAddr != "" {
		metricsSrv, err := startMetrics(cfg.MetricsAddr, mx.Handler(), log)
		if err != nil {
			return err
		}
		defer shutdown(metricsSrv, "metrics", log)
	}
	routes := map[string]http.Handler{}
	if len(web) > 0 && web[0] != nil {
		routes["/"] = web[0]
	}
	var hook *telegram.Webhook
	if cfg.WebhookURL != "" {
		hook = telegram.NewWebhook(cfg.WebhookSecret, b.HandleEvent, telegram.WebhookOptions{Logger: log, Metrics: mx})
		routes["POST "+cfg.WebhookPath()] = hook
	}
	httpSrv, err := startHTTP(cfg.HTTPAddr, svc, log, routes)
	if err != nil {
		return err
	}
	stopHTTP := func() { shutdown(httpSrv, "http", log) }
	defer stopHTTP()

	log.Info("relais started", "bot", username, "webhook", hook != nil, "config", cfg.String(), "matrix", cfg.Matrix.String())
	if pres != nil {
		if api == nil {
			if ready != nil {
				close(ready)
			}
			err := pres.Serve(ctx, b.HandleEvent)
			log.Info("relais stopped")
			return err
		}
		// Beside Telegram: a failed Matrix sync (a revoked token) is logged
		// and ends Matrix alone.
		matrixDone := make(chan struct{})
		defer func() { <-matrixDone }()
		go func() {
			defer close(matrixDone)
			if err := pres.Serve(ctx, b.HandleEvent); err != nil {
				log.Error("matrix stopped", "err", err)
			}
		}()
	}
	if hook != nil {
		return runWebhook(ctx, api, cfg, hook, stopHTTP, ready, log)
	}
	if err := telegram.DeleteWebhook(ctx, api); err != nil {
		log.Warn("delete webhook before polling", "err", err)
	}
	if ready != nil {
		close(ready)
	}
	err = (&telegram.Poller{Logger: log, Metrics: mx, Concurrency: pollerConcurrency}).Run(ctx, api, b.HandleEvent)
	log.Info("relais stopped")
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// shareRate keeps sender at its part of the bot's rate while the replica
// runs. The returned func, deferred, runs once serve sends nothing more: it
// stops the heartbeats and removes the replica, so the others take its
// share at once. Until then the beats go on past ctx's end: the updates
// still in hand are answered at this replica's share, and the replica must
// not expire meanwhile, or the others would take its share too early.
func shareRate(ctx context.Context, members *state.Replicas, sender *telegram.Sender, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		members.Run(ctx, sender.Share)
	}()
	return func() {
		cancel()
		<-done
		lctx, lcancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer lcancel()
		if err := members.Leave(lctx); err != nil {
			log.Warn("replicas: leaving (the others take this replica's share once it expires)", "err", err)
		}
	}
}

// pollerConcurrency bounds updates handled at once. A handler mostly waits
// (PostgreSQL, Redis, its turn at Telegram's 30 messages/s), so many run
// together: a press is never stuck behind other chats' paced answers, and
// its answerCallbackQuery (never paced) leaves at once.
const pollerConcurrency = 64

// runWebhook registers the webhook and serves Telegram's pushes until ctx is
// done; then it stops accepting updates and finishes the ones received.
func runWebhook(ctx context.Context, api *tgbotapi.BotAPI, cfg *config.Config, hook *telegram.Webhook, stopHTTP func(), ready chan<- struct{}, log *slog.Logger) error {
	if err := telegram.SetWebhook(ctx, api, cfg.WebhookURL, cfg.WebhookSecret); err != nil {
		return err
	}
	if ready != nil {
		close(ready)
	}
	<-ctx.Done()
	stopHTTP()
	hook.Close()
	log.Info("relais stopped")
	return nil
}

// shutdown stops srv, giving its requests five seconds to finish.
func shutdown(srv *http.Server, name string, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		log.Warn(name+" server shutdown", "err", err)
	}
}

// startMetrics serves GET /metrics alone on addr (RELAIS_METRICS_ADDR).
func startMetrics(addr string, h http.Handler, log *slog.Logger) (*http.Server, error) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, &config.Error{Var: "RELAIS_METRICS_ADDR", Reason: err.Error()}
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server", "err", err)
		}
	}()
	return srv, nil
}

// startHTTP serves /healthz (process up) and /readyz (PostgreSQL and Redis
// reachable), plus routes (the demo chat, Telegram's webhook).
func startHTTP(addr string, svc *services, log *slog.Logger, routes map[string]http.Handler) (*http.Server, error) {
	mux := http.NewServeMux()
	for pattern, h := range routes {
		mux.Handle(pattern, h)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := svc.store.Ping(ctx); err != nil {
			http.Error(w, "postgresql unreachable", http.StatusServiceUnavailable)
			return
		}
		if err := svc.redis.Ping(ctx).Err(); err != nil {
			http.Error(w, "redis unreachable", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, &config.Error{Var: "RELAIS_HTTP_ADDR", Reason: err.Error()}
	}
	// Timeouts bound slow or stuck clients. The write timeout leaves room
	// for the webhook, which answers Telegram once the update is handled.
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second,
		WriteTimeout: 90 * time.Second, IdleTimeout: 2 * time.Minute}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server", "err", err)
		}
	}()
	return srv, nil
}
