package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"

	"github.com/redis/go-redis/v9"

	"github.com/relais-sante/relais/internal/config"
	demopkg "github.com/relais-sante/relais/internal/demo"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegramtest"
)

func runDemo(ctx context.Context, _ []string, stdout io.Writer) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	return demo(ctx, cfg, stdout)
}

// demo runs the real bot against the built-in fake Bot API and serves the
// web chat (internal/demo), so Relais can be tried without creating a
// Telegram bot. The bot talks HTTP to the fake exactly as it would to
// Telegram. The web chat has no login: the demo uses its own database
// (RELAIS_DEMO_DATABASE_URL, never DATABASE_URL), refuses one that holds
// real users, and listens on RELAIS_DEMO_ADDR (loopback by default, never
// RELAIS_HTTP_ADDR, which the Docker image opens to the network).
func demo(ctx context.Context, cfg *config.Config, stdout io.Writer) error {
	cfg, err := cfg.UseDemo()
	if err != nil {
		return err
	}
	if err := ensureDatabase(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	st, err := openDatabase(ctx, cfg.DatabaseVar(), cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	opt, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return &config.Error{Var: "REDIS_URL", Reason: err.Error()}
	}
	rdb := redis.NewClient(opt)
	defer func() {
		if err := rdb.Close(); err != nil {
			slog.Warn("close Redis client", "err", err)
		}
	}()
	// The demo's bot state (drafts, update de-duplication) lives in its own
	// Redis namespace, kept with the demo's chats (see demopkg.Options.Redis).
	cfg.RedisPrefix += "demo:"
	return demopkg.Run(ctx, demopkg.Options{
		Registry:    st,
		Location:    cfg.Location,
		FakeAddr:    "127.0.0.1:8081",
		Redis:       rdb,
		RedisPrefix: cfg.RedisPrefix,
		Log:         slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel})),
		Serve: func(ctx context.Context, tg demopkg.Telegram, web http.Handler) error {
			cfg.TelegramToken = tg.Token
			cfg.TelegramAPIEndpoint = tg.Endpoint
			ready := make(chan struct{})
			go func() {
				select {
				case <-ready:
					fmt.Fprintf(stdout, "Démo Relais prête (faux Telegram sur %s).\n", tg.URL)
					fmt.Fprintf(stdout, "Ouvrez http://%s/ dans votre navigateur.\n", cfg.HTTPAddr)
				case <-ctx.Done():
				}
			}()
			return serve(ctx, cfg, ready, web)
		},
	})
}

// ensureDatabase creates the database of url when the server lacks it, so
// `make run` works on a fresh machine. Only the demo does this: in
// production a missing database is an operator's mistake to report.
func ensureDatabase(ctx context.Context, url string) error {
	err := store.CreateDatabaseIfMissing(ctx, url)
	var bad *store.BadURLError
	switch {
	case errors.As(err, &bad):
		return &config.Error{Var: "RELAIS_DEMO_DATABASE_URL", Reason: bad.Err.Error()}
	case err != nil:
		return &config.Error{Var: "RELAIS_DEMO_DATABASE_URL", Reason: err.Error()}
	}
	return nil
}

func runFakegram(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("fakegram", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := fs.String("addr", "127.0.0.1:8081", "listening address")
	token := fs.String("token", "", "bot token to accept (default: the fake's demo token)")
	if err := parseFlags(fs, args, "relais fakegram [--addr 127.0.0.1:8081] [--token JETON]"); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Faux Bot API Telegram sur http://%s (TELEGRAM_API_ENDPOINT=http://%s/bot%%s/%%s)\n", *addr, *addr)
	return telegramtest.ListenAndServe(ctx, *addr, *token)
}
