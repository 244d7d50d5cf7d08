package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais-sante/relais/internal/codes"
	"github.com/relais-sante/relais/internal/config"
	"github.com/relais-sante/relais/internal/dialog"
	"github.com/relais-sante/relais/internal/frtext"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/state"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/territory"
)

const (
	userUsage          = "relais user list [--departement 59] [--structure \"CCAS Roubaix\"] | relais user disable --telegram-id N | relais user enable --telegram-id N | relais user post --identifier MED-59-01 [--start 2024-10-01] [--end 2025-06-30]"
	userPostUsage      = "relais user post --identifier MED-59-01|--telegram-id N [--start AAAA-MM-JJ|aucune] [--end AAAA-MM-JJ|aucune]"
	userListUsage      = `relais user list [--region 32] [--departement 59] [--structure "CCAS Roubaix"]`
	userDisableUsage   = "relais user disable --telegram-id N"
	userEnableUsage    = "relais user enable --telegram-id N"
	inviteListUsage    = "relais invite list"
	inviteRevokeUsage  = "relais invite revoke --id N"
	purgeUsage         = "relais purge [--dry-run]"
	forgetUsage        = "relais forget --beneficiary CODE"
	accessUsage        = "relais access --beneficiary CODE"
	auditUsage         = "relais audit [--since 2026-01-01] (par défaut : les 30 derniers jours)"
	cliDate            = "2006-01-02"
	cliTime            = "2006-01-02 15:04"
	noTrailingArgument = "%s : argument inattendu « %s » (mettez les valeurs avec des espaces entre guillemets) ; usage : %s"
)

// runUser is `relais user list|disable|enable`.
func runUser(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("user : précisez list, disable, enable ou post ; usage : %s", userUsage)
	}
	switch args[0] {
	case "list":
		return runUserList(ctx, args[1:], stdout)
	case "disable":
		return runUserSetDisabled(ctx, args[1:], stdout, true)
	case "enable":
		return runUserSetDisabled(ctx, args[1:], stdout, false)
	case "post":
		return runUserPost(ctx, args[1:], stdout)
	case "--help", "-h", "help":
		return helpRequest(userUsage)
	}
	return fmt.Errorf("user : sous-commande inconnue « %s » ; usage : %s", args[0], userUsage)
}

func runUserList(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("user list", flag.ContinueOnError)
	region := fs.String("region", "", "INSEE code of a served region")
	dep := fs.String("departement", "", "a served département: 59")
	structure := fs.String("structure", "", "employing structure (with --departement)")
	if err := parseFlags(fs, args, userListUsage); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf(noTrailingArgument, "user list", fs.Arg(0), userListUsage)
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	served := cfg.Regions
	scope := store.Coordinator{Level: territory.LevelNational}
	*structure = strings.Join(strings.Fields(*structure), " ")
	switch {
	case *structure != "" && *dep == "":
		return errors.New("user list : --structure a besoin de --departement (par exemple --departement 59 --structure \"CCAS Roubaix\")")
	case *region != "" && *dep != "":
		return errors.New("user list : --region ou --departement, pas les deux")
	case *dep != "":
		if _, ok := served.Departement(*dep); !ok {
			return fmt.Errorf("user list : département « %s » %s : indiquez %s", *dep, outside(served), servedDepartements(served))
		}
		scope = store.Coordinator{Level: territory.LevelDepartement, Departement: *dep}
		if *structure != "" {
			scope = store.Coordinator{Level: territory.LevelStructure, Departement: *dep, Structure: *structure}
		}
	case *region != "":
		if _, ok := served.Region(*region); !ok {
			return fmt.Errorf("user list : région « %s » non servie : indiquez %s (RELAIS_REGIONS)", *region, servedRegions(served))
		}
		scope = store.Coordinator{Level: territory.LevelRegion, Region: *region}
	}
	st, _, err := openMigratedStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	members, err := st.ListUsers(ctx, scope)
	if err != nil {
		return err
	}
	if len(members) == 0 {
		fmt.Fprintln(stdout, "Aucun utilisateur.")
		return nil
	}
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "Telegram\tMessageries\tRôle\tTerritoire\tNom\tDernière activité\tÉtat")
	for _, m := range members {
		last := "jamais"
		if m.LastActivity != nil {
			last = m.LastActivity.In(cfg.Location).Format(cliDate)
		}
		state := "actif"
		if m.DisabledAt != nil {
			state = "désactivé le " + m.DisabledAt.In(cfg.Location).Format(cliDate)
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", m.TelegramID, memberMessengers(m), memberRole(m), placeName(m.Departement, m.Structure, m.Region, served), m.DisplayName, last, state)
	}
	return w.Flush()
}

// memberMessengers names the messengers a user is on: the one they registered
// with first, then the one they linked (/lier). The first column is the
// id of the first: the one --telegram-id takes.
func memberMessengers(m store.Member) string {
	name := func(id ids.TelegramID) string {
		if id.OnMatrix() {
			return "Matrix"
		}
		return "Telegram"
	}
	if m.Linked != 0 {
		return name(m.TelegramID) + " + " + name(m.Linked)
	}
	return name(m.TelegramID)
}

// memberRole says a user's role in French, a coordinator's with their level.
func memberRole(m store.Member) string {
	if m.Role == roles.Coordinator {
		return scopeNames[m.Level]
	}
	if m.Role == roles.Mediator && m.Rural {
		return "médiateur (rural)"
	}
	return roleNames[m.Role]
}

// placeName says "Nord (59) – CCAS Roubaix", "Nord (59)", a region
// ("Occitanie"), or for who has no place of their own (an admin, a
// national coordinator) the regions served ("Hauts-de-France + Occitanie").
func placeName(dep, structure, region string, served territory.Served) string {
	if dep == "" {
		if r, ok := territory.FindRegion(region); ok {
			return r.Name
		}
		names := make([]string, len(served))
		for i, r := range served {
			names[i] = r.Name
		}
		return strings.Join(names, " + ")
	}
	name := dep
	if d, ok := territory.FindDepartement(dep); ok {
		name = d.Name
	}
	t := fmt.Sprintf("%s (%s)", name, dep)
	if structure != "" {
		t += " – " + structure
	}
	return t
}

func runUserSetDisabled(ctx context.Context, args []string, stdout io.Writer, disable bool) error {
	name, usage := "user enable", userEnableUsage
	if disable {
		name, usage = "user disable", userDisableUsage
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	id := fs.Int64("telegram-id", 0, "the user's Telegram id (relais user list)")
	if err := parseFlags(fs, args, usage); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf(noTrailingArgument, name, fs.Arg(0), usage)
	}
	if *id == 0 {
		return fmt.Errorf("%s : précisez --telegram-id (voir relais user list) ; usage : %s", name, usage)
	}
	st, _, err := openMigratedStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	err = st.SetUserDisabled(ctx, ids.TelegramID(*id), disable, nil)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%s : aucun utilisateur n'a l'identifiant Telegram %d (voir relais user list)", name, *id)
	}
	if err != nil {
		return err
	}
	if disable {
		fmt.Fprintf(stdout, "Utilisateur %d désactivé : le bot ne lui répond plus (ni commande, ni rappel, ni synthèse) ; ses fiches restent et restent comptées.\n", *id)
	} else {
		fmt.Fprintf(stdout, "Utilisateur %d réactivé.\n", *id)
	}
	return nil
}

func runInviteList(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("invite list", flag.ContinueOnError)
	if err := parseFlags(fs, args, inviteListUsage); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf(noTrailingArgument, "invite list", fs.Arg(0), inviteListUsage)
	}
	st, cfg, err := openMigratedStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	pending, err := st.ListInvitations(ctx, time.Now())
	if err != nil {
		return err
	}
	if len(pending) == 0 {
		fmt.Fprintln(stdout, "Aucune invitation en attente.")
		return nil
	}
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "N°\tRôle\tTerritoire\tCréée le\tExpire le\tPar")
	for _, p := range pending {
		role := roleNames[p.Role]
		if p.Role == roles.Coordinator {
			role = scopeNames[p.Level]
		} else if p.Rural {
			role += " (rural)"
		}
		by := "ligne de commande"
		if p.CreatedBy != nil {
			by = fmt.Sprintf("Telegram %d", *p.CreatedBy)
		}
		region := "" // an admin's or a mediator's invitation names no region of its own
		if p.Role == roles.Coordinator {
			region = p.Region
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", p.ID, role, placeName(p.Departement, p.Structure, region, cfg.Regions),
			p.CreatedAt.In(cfg.Location).Format(cliTime), p.ExpiresAt.In(cfg.Location).Format(cliTime), by)
	}
	return w.Flush()
}

func runInviteRevoke(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("invite revoke", flag.ContinueOnError)
	id := fs.Int64("id", 0, "invitation number (relais invite list)")
	if err := parseFlags(fs, args, inviteRevokeUsage); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf(noTrailingArgument, "invite revoke", fs.Arg(0), inviteRevokeUsage)
	}
	if *id <= 0 {
		return fmt.Errorf("invite revoke : précisez --id, le numéro donné par relais invite list ; usage : %s", inviteRevokeUsage)
	}
	st, _, err := openMigratedStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	switch err := st.RevokeInvitation(ctx, *id, nil); {
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("invite revoke : aucune invitation n° %d (voir relais invite list)", *id)
	case errors.Is(err, store.ErrInvitationUsed):
		return fmt.Errorf("invite revoke : l'invitation n° %d a déjà servi ; pour retirer l'accès, désactivez l'utilisateur (relais user disable --telegram-id N)", *id)
	case errors.Is(err, store.ErrInvitationRevoked):
		return fmt.Errorf("invite revoke : l'invitation n° %d est déjà révoquée", *id)
	case err != nil:
		return err
	}
	fmt.Fprintf(stdout, "Invitation n° %d révoquée : son lien ne permet plus de s'inscrire.\n", *id)
	return nil
}

// runPurge is `relais purge [--dry-run]`: what the daily job does, on demand.
func runPurge(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("purge", flag.ContinueOnError)
	dry := fs.Bool("dry-run", false, "count without deleting")
	if err := parseFlags(fs, args, purgeUsage); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf(noTrailingArgument, "purge", fs.Arg(0), purgeUsage)
	}
	st, cfg, err := openMigratedStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	cutoff := cfg.Retention.Cutoff(time.Now().In(cfg.Location))
	c, err := st.Purge(ctx, cutoff, *dry)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Conservation : %s (RELAIS_RETENTION) ; est supprimé ce qui est antérieur au %s.\n", cfg.Retention, cutoff.Format("02/01/2006"))
	printPurgeCounts(stdout, c)
	if *dry {
		fmt.Fprintln(stdout, "Simulation (--dry-run) : rien n'a été supprimé.")
	} else {
		fmt.Fprintln(stdout, "Purge faite (tracée dans le journal d'audit).")
	}
	return nil
}

func printPurgeCounts(w io.Writer, c store.PurgeCounts) {
	for _, l := range []struct {
		n    int64
		what string
	}{
		{c.Sheets, "fiches d'accompagnement (avec leurs notes)"},
		{c.Requests, "demandes (droits, soins)"},
		{c.Beneficiaries, "personnes accompagnées sans fiche restante"},
		{c.Actions, "actions collectives"},
		{c.ReviewAnswers, "bilans annuels dont les réponses libres sont effacées"},
		{c.JobRuns, "traces d'envoi des rappels et synthèses"},
		{c.JobExecutions, "traces d'exécution des tâches planifiées"},
		{c.Exports, "lignes du registre des exports"},
		{c.Invitations, "invitations expirées"},
		{c.Users, "comptes désactivés"},
		{c.Audit, "lignes du journal d'audit"},
	} {
		fmt.Fprintf(w, "%6d  %s\n", l.n, l.what)
	}
}

// botReading is code as the bot reads a typed code (spaces, dashes and
// dots dropped, upper case), when that differs from code as typed: an
// erasure request copied from the person's paper (« fgt 002 ») names the
// code the bot saved (FGT002). Imported codes may keep a dash, so forget
// erases the code as typed and only says which one the bot would read.
func botReading(code string) (string, bool) {
	read, ok := dialog.NormalizeCode(code)
	return read, ok && read != strings.ToUpper(strings.TrimSpace(code))
}

// runForget is `relais forget --beneficiary CODE`, for an erasure request.
// The forms in progress that name the code (Redis drafts) go first, then
// the records: a code known only from a draft is forgotten too, and once
// forgotten it is refused at every save, so a draft left anywhere cannot
// bring the person back.
func runForget(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("forget", flag.ContinueOnError)
	code := fs.String("beneficiary", "", "the beneficiary's code")
	if err := parseFlags(fs, args, forgetUsage); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf(noTrailingArgument, "forget", fs.Arg(0), forgetUsage)
	}
	if strings.TrimSpace(*code) == "" {
		return fmt.Errorf("forget : précisez le code de la personne avec --beneficiary ; usage : %s", forgetUsage)
	}
	st, cfg, err := openMigratedStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	rdb, err := openRedis(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() {
		if err := rdb.Close(); err != nil {
			slog.Warn("close Redis client", "err", err)
		}
	}()
	drafts, err := state.New(rdb, cfg.RedisPrefix).EraseCode(ctx, *code)
	if err != nil {
		return fmt.Errorf("forget : %w", err)
	}
	c, err := st.Forget(ctx, *code, nil, drafts)
	if errors.Is(err, store.ErrNotFound) {
		msg := fmt.Sprintf("forget : aucune personne n'a le code « %s » : rien n'a été effacé (la demande est tracée dans le journal d'audit)", strings.TrimSpace(*code))
		if read, ok := botReading(*code); ok {
			msg += fmt.Sprintf(". Le bot lit ce code comme « %s » : relancez avec --beneficiary %s", read, read)
		}
		return errors.New(msg)
	}
	if err != nil {
		return err
	}
	// A draft saved while the records were erased (the bot refuses to save it).
	late, err := state.New(rdb, cfg.RedisPrefix).EraseCode(ctx, *code)
	if err != nil {
		return fmt.Errorf("forget : %w", err)
	}
	c.Drafts += late
	fmt.Fprintf(stdout, "Personne effacée : %s, %s, %s, %s.\n", frtext.Plural(int(c.Sheets), "fiche effacée", "fiches effacées"),
		frtext.Plural(int(c.Requests), "demande effacée", "demandes effacées"), frtext.Plural(int(c.Drafts), "saisie en cours effacée", "saisies en cours effacées"),
		frtext.Plural(int(c.Mentions), "autre texte où le code est remplacé par [effacé]", "autres textes où le code est remplacé par [effacé]"))
	fmt.Fprintln(stdout, "Ce code ne pourra plus être enregistré. Le journal d'audit garde une empreinte du code, pas le code lui-même.")
	return nil
}

// openRedis connects to REDIS_URL and checks it answers, naming the
// variable when it does not.
func openRedis(ctx context.Context, cfg *config.Config) (*redis.Client, error) {
	opt, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, &config.Error{Var: "REDIS_URL", Reason: err.Error()}
	}
	rdb := redis.NewClient(opt)
	if err := rdb.Ping(ctx).Err(); err != nil {
		if cerr := rdb.Close(); cerr != nil {
			slog.Warn("close Redis client", "err", cerr)
		}
		return nil, &config.Error{Var: "REDIS_URL", Reason: "Redis injoignable : " + err.Error()}
	}
	return rdb, nil
}

// runAudit is `relais audit [--since 2026-01-01]`: the audit trail, oldest first.
func runAudit(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	since := fs.String("since", "", "first day, 2026-01-01")
	if err := parseFlags(fs, args, auditUsage); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf(noTrailingArgument, "audit", fs.Arg(0), auditUsage)
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	from := time.Now().In(cfg.Location).AddDate(0, 0, -30)
	from = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, cfg.Location)
	if *since != "" {
		from, err = time.ParseInLocation(cliDate, *since, cfg.Location)
		if err != nil {
			return fmt.Errorf("audit : date « %s » incorrecte, écrivez-la AAAA-MM-JJ, par exemple --since 2026-01-01", *since)
		}
	}
	st, _, err := openMigratedStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	es, err := st.AuditSince(ctx, from)
	if err != nil {
		return err
	}
	if len(es) == 0 {
		fmt.Fprintf(stdout, "Aucune ligne d'audit depuis le %s.\n", from.Format("02/01/2006"))
		return nil
	}
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "Date\tAuteur\tAction\tCible\tDétail\tOpérateur")
	for _, e := range es {
		actor := "ligne de commande"
		if e.Actor != nil {
			actor = fmt.Sprintf("Telegram %d", *e.Actor)
		}
		detail := ""
		if len(e.Detail) > 0 {
			b, err := json.Marshal(e.Detail)
			if err != nil {
				return fmt.Errorf("audit : %w", err)
			}
			detail = string(b)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", e.At.In(cfg.Location).Format("2006-01-02 15:04:05"), actor, e.Action, e.Target, detail, e.Operator)
	}
	return w.Flush()
}

// runAccess is `relais access --beneficiary CODE`: everything kept about one
// person, in French, for an RGPD access request.
func runAccess(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("access", flag.ContinueOnError)
	code := fs.String("beneficiary", "", "the beneficiary's code")
	if err := parseFlags(fs, args, accessUsage); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf(noTrailingArgument, "access", fs.Arg(0), accessUsage)
	}
	if strings.TrimSpace(*code) == "" {
		return fmt.Errorf("access : précisez le code de la personne avec --beneficiary ; usage : %s", accessUsage)
	}
	st, cfg, err := openMigratedStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	d, err := st.Beneficiary(ctx, *code, nil)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("access : aucune personne n'a le code « %s » : Relais ne garde rien sous ce code", strings.TrimSpace(*code))
	}
	if err != nil {
		return err
	}
	p := d.Person
	fmt.Fprintf(stdout, "Personne %s, suivie par le poste %s (%s), enregistrée le %s.\n", p.Code, d.Mediator,
		placeName(d.Departement, d.Structure, "", cfg.Regions), d.CreatedAt.In(cfg.Location).Format(cliDate))
	known := []string{}
	if p.Sex != "" {
		known = append(known, codes.Sex.Label(p.Sex))
	}
	if p.Age != nil {
		a := frtext.Plural(*p.Age, "an", "ans")
		if p.AgeOn != nil {
			a += " au " + p.AgeOn.Format(cliDate)
		}
		known = append(known, a)
	}
	if p.QPV != "" {
		known = append(known, "vit en QPV : "+strings.ToLower(codes.QPV.Label(p.QPV)))
	}
	if p.Resources != "" {
		known = append(known, "ressource : "+codes.Resources.Label(p.Resources))
	}
	fmt.Fprintf(stdout, "Dernières informations connues : %s.\n", strings.Join(known, ", "))
	fmt.Fprintf(stdout, "%s :\n", frtext.Plural(len(d.Sheets), "fiche", "fiches"))
	for _, sh := range d.Sheets {
		age := "âge non renseigné"
		if sh.Age != nil {
			age = frtext.Plural(*sh.Age, "an", "ans")
		}
		fmt.Fprintf(stdout, "- Fiche n° %d du %s : %s, %s, vit en QPV : %s, ressource : %s, contact : %s, %s, orientée vers la protection sociale : %s\n",
			sh.Number, sh.Date.Format(cliDate), codes.Sex.Label(sh.Sex), age, strings.ToLower(codes.QPV.Label(sh.QPV)), codes.Resources.Label(sh.Resources),
			codes.ContactModes.Label(sh.ContactMode), codes.Levels.Label(sh.Level), sh.SocialProtection)
		for _, r := range sh.Requests {
			types := codes.RightsTypes
			if r.Kind == "soins" {
				types = codes.CareTypes
			}
			line := fmt.Sprintf("  Demande : %s, %s, %s", codes.RequestKinds.Label(r.Kind), types.Label(r.Type), codes.Statuses.Label(r.Status))
			if r.FollowUp != nil {
				line += ", suivi prévu le " + r.FollowUp.Format(cliDate)
			}
			fmt.Fprintln(stdout, line)
		}
		if len(sh.Obstacles) > 0 {
			labels := make([]string, len(sh.Obstacles))
			for i, o := range sh.Obstacles {
				labels[i] = codes.Obstacles.Label(o)
			}
			fmt.Fprintf(stdout, "  Freins : %s\n", strings.Join(labels, ", "))
		}
		if sh.Note != "" {
			fmt.Fprintf(stdout, "  Note : %s\n", sh.Note)
		}
	}
	fmt.Fprintln(stdout, "(Consultation tracée dans le journal d'audit.)")
	return nil
}

// runUserPost is `relais user post`: a mediator post's start and end dates,
// which say whether the post counts in a period's report.
func runUserPost(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("user post", flag.ContinueOnError)
	id := fs.Int64("telegram-id", 0, "the mediator's Telegram id (relais user list)")
	identifier := fs.String("identifier", "", "the post's identifier (MED-59-01), also for a post without an account")
	startFlag := fs.String("start", "", "first day of the post, or aucune")
	endFlag := fs.String("end", "", "last day of the post, or aucune")
	if err := parseFlags(fs, args, userPostUsage); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf(noTrailingArgument, "user post", fs.Arg(0), userPostUsage)
	}
	if (*id == 0) == (*identifier == "") {
		return fmt.Errorf("user post : précisez --identifier ou --telegram-id (voir relais user list) ; usage : %s", userPostUsage)
	}
	date := func(name, v string) (*time.Time, error) {
		if v == "" || v == "aucune" {
			return nil, nil
		}
		d, err := time.Parse(cliDate, v)
		if err != nil {
			return nil, fmt.Errorf("user post : --%s « %s » n'est pas une date AAAA-MM-JJ (ou aucune)", name, v)
		}
		return &d, nil
	}
	start, err := date("start", *startFlag)
	if err != nil {
		return err
	}
	end, err := date("end", *endFlag)
	if err != nil {
		return err
	}
	st, _, err := openMigratedStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	post, err := st.PostByIdentifier(ctx, *identifier, ids.TelegramID(*id))
	if errors.Is(err, store.ErrNotFound) {
		if *identifier != "" {
			return fmt.Errorf("user post : aucun poste n'a l'identifiant « %s »", *identifier)
		}
		return fmt.Errorf("user post : aucun médiateur n'a l'identifiant Telegram %d (voir relais user list)", *id)
	}
	if err != nil {
		return err
	}
	err = st.SetPostDates(ctx, post.Identifier, start, end, nil)
	switch {
	case errors.Is(err, store.ErrPostDates):
		return errors.New("user post : la date de fin est avant la date de début ; rien n'a été modifié")
	case err != nil:
		return err
	}
	show := func(d *time.Time, none string) string {
		if d == nil {
			return none
		}
		return d.Format("02/01/2006")
	}
	fmt.Fprintf(stdout, "Poste %s : début %s, fin %s. Le rapport compte le poste pour une période s'il a été actif pendant celle-ci.\n",
		post.Identifier, show(start, "non précisé"), show(end, "aucune (poste en cours)"))
	return nil
}
