// Command relais is the Relais bot: one binary, several subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"

	"github.com/relais-sante/relais/internal/config"
	"github.com/relais-sante/relais/internal/store"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `relais — le bot des médiateurs santé

Usage:
  relais serve                 lance le bot (TELEGRAM_TOKEN obligatoire)
  relais demo                  lance la démo locale (faux Telegram + chat dans le navigateur, base relais_demo)
  relais migrate               applique les migrations SQL
  relais invite --role mediator|coordinator|admin [--departement 59] [--structure "CCAS Roubaix"] [--rural] [--scope region|departement|structure] [--region 32]
  relais invite list           invitations en attente
  relais invite revoke --id N  révoque une invitation
  relais user list [--departement 59] [--structure "CCAS Roubaix"]
  relais user disable --telegram-id N   retire l'accès (les fiches restent)
  relais user enable --telegram-id N    rend l'accès
  relais purge [--dry-run]     supprime ce qui dépasse RELAIS_RETENTION (--dry-run : compte seulement)
  relais access --beneficiary CODE      tout ce que Relais garde sur une personne (demande RGPD)
  relais forget --beneficiary CODE      efface une personne partout (demande RGPD)
  relais audit [--since 2026-01-01]     journal d'audit
  relais forms check [dir]     vérifie les formulaires (dialogs/)
  relais import --file suivi.csv [--dry-run]   importe un fichier de suivi (tout ou rien ; les fiches
                               attendent la fin de l'import : environ 15 s par million de lignes)
  relais report --from 2024-01-01 --to 2024-12-31 [--departement 59|picardie] [--format text|json|csv|xlsx|codes|docx|pdf] [--out FICHIER]
  relais fakegram [--addr 127.0.0.1:8081]   faux serveur Bot API Telegram, pour essayer à la main
  relais healthcheck           interroge /readyz (pour Docker)
  relais version

Configuration par variables d'environnement (voir README) : TELEGRAM_TOKEN,
TELEGRAM_API_ENDPOINT, DATABASE_URL, REDIS_URL, RELAIS_REDIS_PREFIX, RELAIS_TZ,
RELAIS_HTTP_ADDR, RELAIS_REMINDER_HOUR, RELAIS_NUDGE_AFTER, RELAIS_RETENTION,
RELAIS_LOG_LEVEL, RELAIS_WEBHOOK_URL, RELAIS_WEBHOOK_SECRET,
RELAIS_DEMO_DATABASE_URL, RELAIS_DEMO_ADDR, RELAIS_IMPORT_MAX_BYTES,
RELAIS_CHAT_FILES, RELAIS_METRICS_ADDR.
Régions servies (codes INSEE, 32 par défaut) : RELAIS_REGIONS.
Clé des empreintes des codes effacés (relais forget) : RELAIS_AUDIT_KEY.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	stopProfile()
	os.Exit(code)
}

// stopProfile flushes the CPU profile of a binary built with -tags
// cpuprofile (cpuprofile.go); otherwise it does nothing.
var stopProfile = func() {}

// run dispatches a subcommand; every failure is one readable line on stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	if args[0] != "serve" && args[0] != "demo" {
		// A one-shot command's audit lines name who ran it; the server's
		// are the bot's (their Telegram user) and its jobs'.
		ctx = store.WithOperator(ctx, config.Operator(os.Getenv))
	}
	var err error
	switch args[0] {
	case "serve":
		err = runServe(ctx, args[1:], stdout)
	case "demo":
		err = runDemo(ctx, args[1:], stdout)
	case "migrate":
		err = runMigrate(ctx, args[1:], stdout)
	case "invite":
		err = runInvite(ctx, args[1:], stdout)
	case "user":
		err = runUser(ctx, args[1:], stdout)
	case "purge":
		err = runPurge(ctx, args[1:], stdout)
	case "forget":
		err = runForget(ctx, args[1:], stdout)
	case "access":
		err = runAccess(ctx, args[1:], stdout)
	case "audit":
		err = runAudit(ctx, args[1:], stdout)
	case "forms":
		err = runForms(args[1:], stdout)
	case "import":
		err = runImport(ctx, args[1:], stdout)
	case "report":
		err = runReport(ctx, args[1:], stdout)
	case "fakegram":
		err = runFakegram(ctx, args[1:], stdout)
	case "healthcheck":
		err = runHealthcheck(ctx)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "relais", version)
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "relais: sous-commande inconnue %q\n\n%s", args[0], usage)
		return 2
	}
	var help helpRequest
	if errors.As(err, &help) {
		fmt.Fprintln(stdout, "Usage : "+string(help))
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "relais:", oneLine(err.Error()))
		return 1
	}
	return 0
}

// helpRequest is a subcommand's --help: its usage goes to stdout, exit 0.
type helpRequest string

func (h helpRequest) Error() string { return "usage : " + string(h) }

var (
	undefinedFlag = regexp.MustCompile(`^flag provided but not defined: -+(.*)$`)
	missingValue  = regexp.MustCompile(`^flag needs an argument: -+(.*)$`)
	badValue      = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for (?:flag )?-+([^:]*):`)
)

// parseFlags parses a subcommand's options and says what is wrong in
// French, with the subcommand's usage (the flag package speaks English).
func parseFlags(fs *flag.FlagSet, args []string, usage string) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	if err == nil {
		return nil
	}
	if errors.Is(err, flag.ErrHelp) {
		return helpRequest(usage)
	}
	msg := err.Error()
	if m := undefinedFlag.FindStringSubmatch(msg); m != nil {
		msg = "option inconnue --" + m[1]
	} else if m := missingValue.FindStringSubmatch(msg); m != nil {
		msg = "l'option --" + m[1] + " attend une valeur"
	} else if m := badValue.FindStringSubmatch(msg); m != nil {
		msg = fmt.Sprintf("valeur « %s » incorrecte pour --%s", m[1], m[2])
	}
	return fmt.Errorf("%s : %s ; usage : %s", fs.Name(), msg, usage)
}

// oneLine folds line breaks and tabs (pgx puts tabs between dial errors)
// into single spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
