package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/relais-sante/relais/internal/config"
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

// demo runs the real bot against the built-in fake Bot API, so Relais can be
// tried without creating a Telegram bot. The bot talks HTTP to the fake
// exactly as it would to Telegram.
func demo(ctx context.Context, cfg *config.Config, stdout io.Writer) error {
	fake, err := telegramtest.New(telegramtest.WithAddr("127.0.0.1:8081"), telegramtest.WithBotUsername("RelaisDemoBot"))
	if err != nil {
		fake, err = telegramtest.New(telegramtest.WithBotUsername("RelaisDemoBot"))
		if err != nil {
			return fmt.Errorf("demo: start the fake Telegram: %w", err)
		}
	}
	defer fake.Close()
	cfg.TelegramToken = fake.Token()
	cfg.TelegramAPIEndpoint = fake.Endpoint()

	if err := store.Migrate(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	codes := map[string]string{}
	for name, inv := range map[string]store.Invitation{
		"médiatrice (Nord)":         {Role: store.RoleMediator, Departement: "59", Structure: "CCAS Roubaix"},
		"coordinateur (région)":     {Role: store.RoleCoordinator, Scope: "region"},
		"médiateur (Pas-de-Calais)": {Role: store.RoleMediator, Departement: "62", Structure: "Centre social Lens"},
	} {
		inv.ExpiresAt = time.Now().Add(7 * 24 * time.Hour)
		code, err := st.CreateInvitation(ctx, inv)
		if err != nil {
			st.Close()
			return err
		}
		codes[name] = code
	}
	st.Close()

	fmt.Fprintf(stdout, "Démo Relais : faux Telegram sur %s (API de contrôle sous %s/fake/).\n", fake.URL(), fake.URL())
	for name, code := range codes {
		fmt.Fprintf(stdout, "  invitation %s : /start %s\n", name, code)
	}
	return serve(ctx, cfg, nil)
}

func runFakegram(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("fakegram", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := fs.String("addr", "127.0.0.1:8081", "listening address")
	token := fs.String("token", "", "bot token to accept (default: the fake's demo token)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("fakegram: %w", err)
	}
	fmt.Fprintf(stdout, "Faux Bot API Telegram sur http://%s (TELEGRAM_API_ENDPOINT=http://%s/bot%%s/%%s)\n", *addr, *addr)
	return telegramtest.ListenAndServe(ctx, *addr, *token)
}
