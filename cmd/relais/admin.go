package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/relais-sante/relais/dialogs"
	"github.com/relais-sante/relais/internal/bot"
	"github.com/relais-sante/relais/internal/config"
	"github.com/relais-sante/relais/internal/forms"
	"github.com/relais-sante/relais/internal/frtext"
	"github.com/relais-sante/relais/internal/orgname"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegram"
	"github.com/relais-sante/relais/internal/territory"
)

func loadConfig() (*config.Config, error) { return config.FromEnv(os.Getenv) }

// openMigratedStore is what the one-shot subcommands need: the configuration
// and an up-to-date database.
func openMigratedStore(ctx context.Context) (*store.Store, *config.Config, error) {
	cfg, err := loadConfig()
	if err != nil {
		return nil, nil, err
	}
	st, err := openDatabase(ctx, cfg.DatabaseVar(), cfg.DatabaseURL, store.WithAuditKey(cfg.AuditKey))
	if err != nil {
		return nil, nil, err
	}
	return st, cfg, nil
}

func runMigrate(ctx context.Context, _ []string, stdout io.Writer) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	if err := store.Migrate(ctx, cfg.DatabaseURL); err != nil {
		return &config.Error{Var: "DATABASE_URL", Reason: "PostgreSQL injoignable ou refusé : " + err.Error()}
	}
	fmt.Fprintln(stdout, "Migrations appliquées.")
	return nil
}

func runInvite(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "list":
			return runInviteList(ctx, args[1:], stdout)
		case "revoke":
			return runInviteRevoke(ctx, args[1:], stdout)
		}
	}
	fs := flag.NewFlagSet("invite", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var inv store.Invitation
	var role, level string
	fs.StringVar(&role, "role", "", "mediator|coordinator|admin")
	fs.StringVar(&inv.Departement, "departement", "", "a served département: 59")
	fs.StringVar(&inv.Structure, "structure", "", "employing structure")
	fs.BoolVar(&inv.Rural, "rural", false, "rural post (mediators)")
	fs.StringVar(&level, "scope", "", "national|region|departement|structure (coordinators)")
	fs.StringVar(&inv.Region, "region", "", "INSEE code of a served region (regional coordinators; default: the one served)")
	if err := parseFlags(fs, args, inviteUsage); err != nil {
		return err
	}
	inv.Role, inv.Level = roles.Role(role), territory.Level(level)
	if fs.NArg() > 0 {
		return fmt.Errorf("invite : argument inattendu « %s » (mettez les valeurs avec des espaces entre guillemets) ; usage : %s", fs.Arg(0), inviteUsage)
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	if inv, err = checkInvitation(inv, given, cfg.Regions); err != nil {
		return fmt.Errorf("invite : %w", err)
	}
	st, cfg, err := openMigratedStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	inv.ExpiresAt = time.Now().Add(7 * 24 * time.Hour)
	code, err := st.CreateInvitation(ctx, inv)
	if err != nil {
		return err
	}
	username := "RelaisBot"
	if cfg.TelegramToken != "" {
		ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		if api, err := telegram.Connect(ctx, cfg.TelegramToken, cfg.TelegramAPIEndpoint); err == nil {
			username = api.Self.UserName
		} else {
			fmt.Fprintln(stdout, "(nom du bot inconnu : Telegram injoignable)")
		}
	}
	fmt.Fprintf(stdout, "Code d'invitation (%s, valable 7 jours, usage unique) : %s\n", roleNames[inv.Role], code)
	fmt.Fprintf(stdout, "Lien : https://t.me/%s?start=%s\n", username, code)
	return nil
}

// roleNames and scopeNames say roles and coordinator scopes in French.
var (
	roleNames  = map[roles.Role]string{roles.Mediator: "médiateur", roles.Coordinator: "coordinateur", roles.Admin: "administrateur"}
	scopeNames = map[territory.Level]string{
		territory.LevelNational:    "coordinateur national",
		territory.LevelRegion:      "coordinateur régional",
		territory.LevelDepartement: "coordinateur départemental",
		territory.LevelStructure:   "coordinateur de structure",
	}
)

const inviteUsage = `relais invite --role mediator|coordinator|admin [--departement 59] [--structure "CCAS Roubaix"] [--rural] [--scope national|region|departement|structure] [--region 32]`

// checkInvitation refuses, in French and before touching the database, an
// invitation whose options do not fit its role: an option that would be
// silently dropped (a scope on a mediator, a département on a regional
// coordinator) is a typing mistake the admin must hear about. A département
// or a region must be one the deployment serves (RELAIS_REGIONS); the
// invitation returned names its region.
func checkInvitation(inv store.Invitation, given map[string]bool, served territory.Served) (store.Invitation, error) {
	err := checkInvitationOptions(&inv, given, served)
	return inv, err
}

func checkInvitationOptions(inv *store.Invitation, given map[string]bool, served territory.Served) error {
	extra := func(allowed ...string) error {
		for _, name := range []string{"departement", "structure", "rural", "scope", "region"} {
			if given[name] && !slices.Contains(allowed, name) {
				who := roleNames[inv.Role]
				if inv.Role == roles.Coordinator {
					who = scopeNames[inv.Level]
				}
				return fmt.Errorf("--%s ne s'applique pas à un %s : retirez-la", name, who)
			}
		}
		return nil
	}
	depOK := func() error {
		d, ok := served.Departement(inv.Departement)
		if !ok {
			return fmt.Errorf("département « %s » %s : indiquez %s", inv.Departement, outside(served), servedDepartements(served))
		}
		inv.Region = d.Region
		return nil
	}
	if given["structure"] && strings.TrimSpace(inv.Structure) == "" {
		return errors.New(`--structure est vide : écrivez le nom de la structure, par exemple --structure "CCAS Roubaix"`)
	}
	if err := orgname.Check(strings.Join(strings.Fields(inv.Structure), " ")); err != nil {
		return fmt.Errorf("--structure : %w", err)
	}
	switch inv.Role {
	case roles.Mediator:
		if inv.Departement == "" {
			return fmt.Errorf("un médiateur a besoin de --departement (%s)", servedDepartements(served))
		}
		if err := depOK(); err != nil {
			return err
		}
		return extra("departement", "structure", "rural")
	case roles.Coordinator:
		switch inv.Level {
		case territory.LevelNational:
			return extra("scope")
		case territory.LevelRegion:
			switch {
			case inv.Region == "" && len(served) == 1:
				inv.Region = served[0].Code
			case inv.Region == "":
				return fmt.Errorf("un coordinateur régional a besoin de --region (%s)", servedRegions(served))
			default:
				if _, ok := served.Region(inv.Region); !ok {
					return fmt.Errorf("région « %s » non servie : indiquez %s (RELAIS_REGIONS)", inv.Region, servedRegions(served))
				}
			}
			return extra("scope", "region")
		case territory.LevelDepartement:
			if inv.Departement == "" {
				return fmt.Errorf("un coordinateur départemental a besoin de --departement (%s)", servedDepartements(served))
			}
			if err := depOK(); err != nil {
				return err
			}
			return extra("scope", "departement")
		case territory.LevelStructure:
			if inv.Departement == "" || inv.Structure == "" {
				return errors.New(`un coordinateur de structure a besoin de --departement et --structure (par exemple --departement 59 --structure "CCAS Roubaix")`)
			}
			if err := depOK(); err != nil {
				return err
			}
			return extra("scope", "departement", "structure")
		case "":
			return errors.New("un coordinateur a besoin de --scope national, region, departement ou structure")
		default:
			return fmt.Errorf("portée « %s » inconnue : --scope national, region, departement ou structure", inv.Level)
		}
	case roles.Admin:
		return extra()
	case "":
		return errors.New("précisez le rôle : --role mediator, coordinator ou admin")
	}
	return fmt.Errorf("rôle « %s » inconnu : --role mediator, coordinator ou admin", inv.Role)
}

func runForms(args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "check" {
		return errors.New("usage: relais forms check [dir]")
	}
	var fs map[string]*forms.Form
	var err error
	if len(args) > 1 {
		fs, err = forms.LoadDir(args[1])
	} else {
		fs, err = forms.LoadFS(dialogs.FS, ".")
	}
	if err == nil {
		err = bot.CheckForms(bot.Forms(fs)) // the steps the bot's savers read
	}
	if err != nil {
		return err
	}
	n := len(fs)
	if n == 1 {
		fmt.Fprintln(stdout, "1 formulaire valide.")
	} else {
		fmt.Fprintf(stdout, "%d formulaires valides.\n", n)
	}
	return nil
}

// runHealthcheck asks the running server's /readyz: distroless images have no curl.
func runHealthcheck(ctx context.Context) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("healthcheck: HTTP address %q: %w", cfg.HTTPAddr, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/readyz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: /readyz answered %s", resp.Status)
	}
	return nil
}

// outside says why a département is refused: the regions served, named.
func outside(served territory.Served) string {
	names := make([]string, len(served))
	for i, r := range served {
		names[i] = r.Name
	}
	if len(served) == 1 {
		return "inconnu : hors de la région servie (" + names[0] + ")"
	}
	return "inconnu : hors des régions servies (" + strings.Join(names, ", ") + ")"
}

// servedDepartements lists the served départements' codes: « 02, 59, 60,
// 62 ou 80 ».
func servedDepartements(served territory.Served) string {
	var list []string
	for _, d := range served.Departements() {
		list = append(list, d.Code)
	}
	return frtext.OrList(list)
}

// servedRegions lists the served regions: « 32 (Hauts-de-France) ou 76
// (Occitanie) ».
func servedRegions(served territory.Served) string {
	var list []string
	for _, r := range served {
		list = append(list, r.Code+" ("+r.Name+")")
	}
	return frtext.OrList(list)
}
