package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

// cli runs one relais command against db and returns its exit code, stdout and stderr.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func cliDB(t *testing.T) *testenv.DB {
	t.Helper()
	db := testenv.NewDB(t)
	t.Setenv("DATABASE_URL", db.URL)
	t.Setenv("TELEGRAM_TOKEN", "")
	t.Setenv("RELAIS_TZ", "Europe/Paris")
	return db
}

func registerUser(t *testing.T, st *store.Store, id int64, name string, inv store.Invitation) {
	t.Helper()
	ctx := context.Background()
	inv.ExpiresAt = time.Now().Add(time.Hour)
	code, err := st.CreateInvitation(ctx, inv)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RedeemInvitation(ctx, code, ids.TelegramID(id), ids.ChatID(id), name, time.Now()); err != nil {
		t.Fatal(err)
	}
}

func today() string { return time.Now().In(paris()).Format("2006-01-02") }

func paris() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	return loc
}

func TestUserListDisableEnable(t *testing.T) {
	st := cliDB(t).Store
	registerUser(t, st, 5, "Awa", store.Invitation{Role: roles.Mediator, Departement: "59", Structure: "CCAS Roubaix", Rural: true})
	registerUser(t, st, 3, "Chloé", store.Invitation{Role: roles.Coordinator, Level: "departement", Departement: "59"})
	registerUser(t, st, 8, "Paul", store.Invitation{Role: roles.Mediator, Departement: "62"})
	// Chloé links a Matrix account (/lier, then « !start CODE » on Tchap).
	linkAt := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	linkCode, err := st.CreateLinkCode(context.Background(), 3, linkAt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RedeemLinkCode(context.Background(), linkCode, 8_000_000_000_000_000_007, 8_000_000_000_000_000_007, linkAt); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := cli(t, "user", "list", "--departement", "59")
	want := "" +
		"Telegram  Messageries        Rôle                        Territoire                Nom    Dernière activité  État\n" +
		"3         Telegram + Matrix  coordinateur départemental  Nord (59)                 Chloé  2026-03-02         actif\n" +
		"5         Telegram           médiateur (rural)           Nord (59) – CCAS Roubaix  Awa    jamais             actif\n"
	if code != 0 || out != want {
		t.Fatalf("user list: %d %q\n%s\nwant\n%s", code, errOut, out, want)
	}
	code, out, _ = cli(t, "user", "disable", "--telegram-id", "5")
	if code != 0 || out != "Utilisateur 5 désactivé : le bot ne lui répond plus (ni commande, ni rappel, ni synthèse) ; ses fiches restent et restent comptées.\n" {
		t.Fatalf("user disable: %d %q", code, out)
	}
	u, err := st.UserByTelegramID(context.Background(), 5)
	if err != nil || !u.Disabled {
		t.Fatalf("user 5 after disable: %+v %v", u, err)
	}
	_, out, _ = cli(t, "user", "list")
	if !strings.HasSuffix(out, "5         Telegram           médiateur (rural)           Nord (59) – CCAS Roubaix  Awa    jamais             désactivé le "+today()+"\n") {
		t.Fatalf("disabled user not last or not shown disabled:\n%s", out)
	}
	code, out, _ = cli(t, "user", "enable", "--telegram-id", "5")
	if code != 0 || out != "Utilisateur 5 réactivé.\n" {
		t.Fatalf("user enable: %d %q", code, out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"user", "disable", "--telegram-id", "99"}, "relais: user disable : aucun utilisateur n'a l'identifiant Telegram 99 (voir relais user list)\n"},
		{[]string{"user", "disable"}, "relais: user disable : précisez --telegram-id (voir relais user list) ; usage : relais user disable --telegram-id N\n"},
		{[]string{"user", "disable", "--telegram-id", "cinq"}, "relais: user disable : valeur « cinq » incorrecte pour --telegram-id ; usage : relais user disable --telegram-id N\n"},
		{[]string{"user", "list", "--structure", "CCAS Roubaix"}, "relais: user list : --structure a besoin de --departement (par exemple --departement 59 --structure \"CCAS Roubaix\")\n"},
		{[]string{"user", "list", "--departement", "75"}, "relais: user list : département « 75 » inconnu : hors de la région servie (Hauts-de-France) : indiquez 02, 59, 60, 62 ou 80\n"},
		{[]string{"user", "remove"}, "relais: user : sous-commande inconnue « remove » ; usage : " + userUsage + "\n"},
	} {
		code, _, errOut := cli(t, c.args...)
		if code != 1 || errOut != c.want {
			t.Errorf("%q: %d %q, want %q", c.args, code, errOut, c.want)
		}
	}
	code, out, _ = cli(t, "audit", "--since", "2000-01-01")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 10 || !strings.HasPrefix(lines[0], "Date") ||
		!strings.Contains(lines[7], "Telegram 3         account_link  user:3        {\"messenger\":\"matrix\"}") ||
		!strings.Contains(lines[8], "ligne de commande  user_disable  user:5") || !strings.Contains(lines[9], "ligne de commande  user_enable   user:5") ||
		!strings.Contains(lines[2], "Telegram 5         register      user:5        {\"invitation\":1,\"role\":\"mediator\"}") {
		t.Fatalf("audit: %d\n%s", code, out)
	}
	if code, _, errOut := cli(t, "audit", "--since", "01/01/2026"); code != 1 || errOut != "relais: audit : date « 01/01/2026 » incorrecte, écrivez-la AAAA-MM-JJ, par exemple --since 2026-01-01\n" {
		t.Fatalf("audit bad date: %d %q", code, errOut)
	}
}

func TestInviteListAndRevoke(t *testing.T) {
	db := cliDB(t)
	if code, _, errOut := cli(t, "invite", "--role", "mediator", "--departement", "59", "--structure", "CCAS Roubaix"); code != 0 {
		t.Fatalf("invite: %q", errOut)
	}
	code, out, _ := cli(t, "invite", "list")
	lines := strings.Split(out, "\n")
	if code != 0 || len(lines) != 3 || !strings.HasPrefix(lines[0], "N°  Rôle       Territoire                Créée le          Expire le         Par") ||
		!strings.HasPrefix(lines[1], "1   médiateur  Nord (59) – CCAS Roubaix  "+today()) || !strings.HasSuffix(lines[1], "ligne de commande") {
		t.Fatalf("invite list: %d\n%s", code, out)
	}
	code, out, _ = cli(t, "invite", "revoke", "--id", "1")
	if code != 0 || out != "Invitation n° 1 révoquée : son lien ne permet plus de s'inscrire.\n" {
		t.Fatalf("invite revoke: %d %q", code, out)
	}
	if _, out, _ = cli(t, "invite", "list"); out != "Aucune invitation en attente.\n" {
		t.Fatalf("invite list after revoke: %q", out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"invite", "revoke", "--id", "1"}, "relais: invite revoke : l'invitation n° 1 est déjà révoquée\n"},
		{[]string{"invite", "revoke", "--id", "7"}, "relais: invite revoke : aucune invitation n° 7 (voir relais invite list)\n"},
		{[]string{"invite", "revoke"}, "relais: invite revoke : précisez --id, le numéro donné par relais invite list ; usage : relais invite revoke --id N\n"},
	} {
		code, _, errOut := cli(t, c.args...)
		if code != 1 || errOut != c.want {
			t.Errorf("%q: %d %q, want %q", c.args, code, errOut, c.want)
		}
	}
	var revoked int
	if err := db.SQL.QueryRow(context.Background(), `SELECT count(*) FROM invitations WHERE revoked_at IS NOT NULL`).Scan(&revoked); err != nil || revoked != 1 {
		t.Fatalf("revoked invitations = %d, %v", revoked, err)
	}
}

func TestPurgeAndForgetCommands(t *testing.T) {
	db := cliDB(t)
	st := db.Store
	ctx := context.Background()
	registerUser(t, st, 5, "Awa", store.Invitation{Role: roles.Mediator, Departement: "59"})
	u, err := st.UserByTelegramID(ctx, 5)
	if err != nil {
		t.Fatal(err)
	}
	age := 40
	save := func(id, code string, day time.Time) {
		sh := store.Sheet{ID: id, MediatorID: u.Mediator.ID, Date: day, Beneficiary: code, Sex: "F", Age: &age, QPV: "oui",
			Resources: "rsa", ContactMode: "aller_vers", Level: "informe", SocialProtection: "non",
			Requests: []store.Request{{Kind: "droits", Type: "css", Status: "resolue"}}}
		if _, _, err := st.SaveSheet(ctx, sh); err != nil {
			t.Fatal(err)
		}
	}
	save("old", "OLD001", time.Now().AddDate(-6, 0, 0))
	save("new", "NEW001", time.Now())
	save("new2", "FGT001", time.Now())

	t.Setenv("RELAIS_RETENTION", "5y")
	cutoff := time.Now().In(paris()).AddDate(-5, 0, 0).Format("02/01/2006")
	counts := "" +
		"     1  fiches d'accompagnement (avec leurs notes)\n" +
		"     1  demandes (droits, soins)\n" +
		"     1  personnes accompagnées sans fiche restante\n" +
		"     0  actions collectives\n" +
		"     0  bilans annuels dont les réponses libres sont effacées\n" +
		"     0  traces d'envoi des rappels et synthèses\n" +
		"     0  traces d'exécution des tâches planifiées\n" +
		"     0  lignes du registre des exports\n" +
		"     0  invitations expirées\n" +
		"     0  comptes désactivés\n" +
		"     0  lignes du journal d'audit\n"
	code, out, errOut := cli(t, "purge", "--dry-run")
	want := "Conservation : 5 ans (RELAIS_RETENTION) ; est supprimé ce qui est antérieur au " + cutoff + ".\n" + counts +
		"Simulation (--dry-run) : rien n'a été supprimé.\n"
	if code != 0 || out != want {
		t.Fatalf("purge --dry-run: %d %q\n%s\nwant\n%s", code, errOut, out, want)
	}
	var sheets int
	if err := db.SQL.QueryRow(ctx, `SELECT count(*) FROM sheets`).Scan(&sheets); err != nil || sheets != 3 {
		t.Fatalf("sheets after dry run = %d, %v", sheets, err)
	}
	code, out, _ = cli(t, "purge")
	if code != 0 || out != strings.Replace(want, "Simulation (--dry-run) : rien n'a été supprimé.", "Purge faite (tracée dans le journal d'audit).", 1) {
		t.Fatalf("purge: %d\n%s", code, out)
	}
	if err := db.SQL.QueryRow(ctx, `SELECT count(*) FROM sheets`).Scan(&sheets); err != nil || sheets != 2 {
		t.Fatalf("sheets after purge = %d, %v", sheets, err)
	}
	t.Setenv("RELAIS_RETENTION", "5d")
	if code, _, errOut := cli(t, "purge"); code != 1 || !strings.HasPrefix(errOut, `relais: RELAIS_RETENTION : "5d" n'est pas une durée de conservation d'au moins un an`) {
		t.Fatalf("purge with a 5-day retention: %d %q", code, errOut)
	}
	t.Setenv("RELAIS_RETENTION", "")

	code, out, errOut = cli(t, "access", "--beneficiary", "fgt001")
	wantAccess := "Personne FGT001, suivie par le poste " + u.Mediator.Identifier + " (Nord (59)), enregistrée le " + today() + ".\n" +
		"Dernières informations connues : Femme, 40 ans au " + time.Now().Format("2006-01-02") + ", vit en QPV : oui, ressource : RSA.\n" +
		"1 fiche :\n" +
		"- Fiche n° 3 du " + time.Now().Format("2006-01-02") + " : Femme, 40 ans, vit en QPV : oui, ressource : RSA, contact : Aller vers, Informé, orientée vers la protection sociale : non\n" +
		"  Demande : Accès aux droits, Complémentaire Santé Solidaire, Résolue\n" +
		"(Consultation tracée dans le journal d'audit.)\n"
	if code != 0 || out != wantAccess {
		t.Fatalf("access: %d %q\n%s\nwant\n%s", code, errOut, out, wantAccess)
	}
	if code, _, errOut := cli(t, "access", "--beneficiary", "NOPE01"); code != 1 || errOut != "relais: access : aucune personne n'a le code « NOPE01 » : Relais ne garde rien sous ce code\n" {
		t.Fatalf("access unknown: %d %q", code, errOut)
	}
	useTestRedis(t)
	code, out, errOut = cli(t, "forget", "--beneficiary", "fgt001")
	if code != 0 || out != "Personne effacée : 1 fiche effacée, 1 demande effacée, 0 saisie en cours effacée, 0 autre texte où le code est remplacé par [effacé].\n"+
		"Ce code ne pourra plus être enregistré. Le journal d'audit garde une empreinte du code, pas le code lui-même.\n" {
		t.Fatalf("forget: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := cli(t, "forget", "--beneficiary", "FGT001"); code != 1 ||
		errOut != "relais: forget : aucune personne n'a le code « FGT001 » : rien n'a été effacé (la demande est tracée dans le journal d'audit)\n" {
		t.Fatalf("forget twice: %d %q", code, errOut)
	}
	if code, _, errOut := cli(t, "forget"); code != 1 || errOut != "relais: forget : précisez le code de la personne avec --beneficiary ; usage : relais forget --beneficiary CODE\n" {
		t.Fatalf("forget without code: %d %q", code, errOut)
	}
	_, out, _ = cli(t, "audit", "--since", "2000-01-01")
	if strings.Contains(out, "FGT001") || !strings.Contains(out, st.BeneficiaryTarget("FGT001")) || strings.Count(out, " purge ") != 1 {
		t.Fatalf("audit after purge and forget:\n%s", out)
	}
}

func TestReportIsAudited(t *testing.T) {
	st := cliDB(t).Store
	file := filepath.Join(t.TempDir(), "r.xlsx")
	if code, _, errOut := cli(t, "report", "--from", "2024-01-01", "--to", "2024-12-31", "--departement", "59", "--format", "xlsx", "--out", file); code != 0 {
		t.Fatalf("report xlsx: %q", errOut)
	}
	if code, _, errOut := cli(t, "report", "--from", "2024-01-01", "--to", "2024-12-31", "--format", "csv"); code != 0 {
		t.Fatalf("report csv: %q", errOut)
	}
	if code, _, _ := cli(t, "report", "--from", "2024-01-01", "--to", "2024-12-31", "--format", "pdf"); code != 1 {
		t.Fatal("report pdf accepted")
	}
	if code, out, errOut := cli(t, "report", "--from", "2024-01-01", "--to", "2024-12-31", "--format", "codes"); code != 0 || !strings.HasPrefix(out, "sheet_id,date,mediator,") {
		t.Fatalf("report codes: %q %q", out, errOut)
	}
	es, err := st.AuditSince(context.Background(), time.Time{})
	if err != nil || len(es) != 3 {
		t.Fatalf("audit = %+v, %v", es, err)
	}
	if e := es[0]; e.Actor != nil || e.Action != "export" || e.Target != "d:59:0:" || e.Detail["format"] != "xlsx" || e.Detail["file"] != file || e.Detail["source"] != "cli" {
		t.Fatalf("xlsx audit line = %+v", e)
	}
	if e := es[1]; e.Target != "r::0:" || e.Detail["format"] != "csv" || e.Detail["from"] != "2024-01-01" || e.Detail["to"] != "2024-12-31" {
		t.Fatalf("csv audit line = %+v", e)
	}
	if e := es[2]; e.Detail["format"] != "codes" { // raw rows leave Relais: audited like the rest
		t.Fatalf("codes audit line = %+v", e)
	}
}

func TestUserPostSetsTheDatesTheReportCounts(t *testing.T) {
	db := cliDB(t)
	st := db.Store
	registerUser(t, st, 5, "Awa", store.Invitation{Role: roles.Mediator, Departement: "59"})
	registerUser(t, st, 3, "Chloé", store.Invitation{Role: roles.Coordinator, Level: "departement", Departement: "59"})
	code, out, errOut := cli(t, "user", "post", "--telegram-id", "5", "--start", "2024-10-01", "--end", "2025-06-30")
	if code != 0 || !strings.Contains(out, "début 01/10/2024, fin 30/06/2025") {
		t.Fatalf("post: %d %q %q", code, out, errOut)
	}
	var start, end time.Time
	if err := db.SQL.QueryRow(context.Background(), `SELECT post_start, post_end FROM mediators`).Scan(&start, &end); err != nil {
		t.Fatal(err)
	}
	if start.Format("2006-01-02") != "2024-10-01" || end.Format("2006-01-02") != "2025-06-30" {
		t.Errorf("stored %v %v", start, end)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--telegram-id", "5", "--start", "2025-01-01", "--end", "2024-12-31"}, "la date de fin est avant la date de début"},
		{[]string{"--telegram-id", "5", "--start", "01/10/2024"}, "n'est pas une date AAAA-MM-JJ"},
		{[]string{"--telegram-id", "3", "--start", "2024-01-01"}, "aucun médiateur n'a l'identifiant Telegram 3"},
		{[]string{"--identifier", "MED-00-99", "--start", "2024-01-01"}, "aucun poste n'a l'identifiant « MED-00-99 »"},
		{[]string{"--start", "2024-01-01"}, "précisez --identifier ou --telegram-id"},
	} {
		code, _, errOut := cli(t, append([]string{"user", "post"}, c.args...)...)
		if code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: %d %q, want %q", c.args, code, errOut, c.want)
		}
	}
	if err := db.SQL.QueryRow(context.Background(), `SELECT post_start, post_end FROM mediators`).Scan(&start, &end); err != nil {
		t.Fatal(err)
	}
	if start.Format("2006-01-02") != "2024-10-01" || end.Format("2006-01-02") != "2025-06-30" {
		t.Errorf("bad input changed the dates: %v %v", start, end)
	}
	code, out, _ = cli(t, "user", "post", "--telegram-id", "5", "--end", "aucune")
	if code != 0 || !strings.Contains(out, "fin aucune (poste en cours)") {
		t.Errorf("clear: %d %q", code, out)
	}
}

func TestReportAnnexeSideBySide(t *testing.T) {
	db := cliDB(t)
	code, out, errOut := cli(t, "report", "--from", "2024-01-01", "--to", "2024-12-31", "--annexe")
	if code != 0 || !strings.Contains(out, "Région  Picardie  Nord  Pas-de-Calais  Médiateurs ruraux  Médiateurs QPV") ||
		!strings.Contains(out, "Personnes différentes par médiateur – déclaré (bilans)") {
		t.Fatalf("annexe: %d %q %q", code, out, errOut)
	}
	code, _, errOut = cli(t, "report", "--from", "2024-01-01", "--to", "2024-12-31", "--annexe", "--departement", "59")
	if code == 0 || !strings.Contains(errOut, "--annexe couvre la région") {
		t.Errorf("annexe for a département: %d %q", code, errOut)
	}
	var n int
	if err := db.SQL.QueryRow(context.Background(), `SELECT count(*) FROM audit WHERE action = 'export' AND detail->>'annexe' = 'true'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("annexe audited %d times, want 1", n)
	}

	// The document: a file is required, the region only.
	code, _, errOut = cli(t, "report", "--from", "2024-01-01", "--to", "2024-12-31", "--format", "docx")
	if code == 0 || !strings.Contains(errOut, "précisez le fichier DOCX avec --out rapport.docx") {
		t.Errorf("docx without --out: %d %q", code, errOut)
	}
	out = filepath.Join(t.TempDir(), "rapport.pdf")
	code, stdout, errOut := cli(t, "report", "--from", "2024-01-01", "--to", "2024-12-31", "--format", "pdf", "--out", out)
	if code != 0 || !strings.Contains(stdout, "Rapport écrit dans") {
		t.Fatalf("pdf: %d %q %q", code, stdout, errOut)
	}
	pdf, err := os.ReadFile(out)
	if err != nil || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Errorf("the PDF file: %v", err)
	}
}
