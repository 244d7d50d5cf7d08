package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

// Invitations follow RELAIS_REGIONS: a regional coordinator is invited for
// a served region, a département must lie in one, and what is refused names
// the regions served.
func TestInviteFollowsTheServedRegions(t *testing.T) {
	db := testenv.NewDB(t)
	t.Setenv("DATABASE_URL", db.URL)
	t.Setenv("TELEGRAM_TOKEN", "")
	invite := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"invite"}, args...), &out, &errOut)
		return code, errOut.String()
	}
	regions := func() string {
		rows, err := db.SQL.Query(context.Background(), `SELECT role || ':' || COALESCE(departement, '-') || ':' || region FROM invitations ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return strings.Join(out, " ")
	}

	t.Setenv("RELAIS_REGIONS", "76")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--role", "mediator", "--departement", "59"},
			"relais: invite : département « 59 » inconnu : hors de la région servie (Occitanie) : indiquez 09, 11, 12, 30, 31, 32, 34, 46, 48, 65, 66, 81 ou 82\n"},
		{[]string{"--role", "coordinator", "--scope", "departement", "--departement", "62"},
			"relais: invite : département « 62 » inconnu : hors de la région servie (Occitanie) : indiquez 09, 11, 12, 30, 31, 32, 34, 46, 48, 65, 66, 81 ou 82\n"},
		{[]string{"--role", "coordinator", "--scope", "region", "--region", "32"},
			"relais: invite : région « 32 » non servie : indiquez 76 (Occitanie) (RELAIS_REGIONS)\n"},
		{[]string{"--role", "mediator", "--departement", "31", "--region", "76"},
			"relais: invite : --region ne s'applique pas à un médiateur : retirez-la\n"},
	} {
		if code, msg := invite(c.args...); code == 0 || msg != c.want {
			t.Errorf("RELAIS_REGIONS=76 invite %v: exit %d, stderr %q, want %q", c.args, code, msg, c.want)
		}
	}
	if got := regions(); got != "" {
		t.Fatalf("refusals stored invitations: %s", got)
	}
	for _, args := range [][]string{
		{"--role", "coordinator", "--scope", "region", "--region", "76"},
		{"--role", "coordinator", "--scope", "region"},
		{"--role", "mediator", "--departement", "31"},
	} {
		if code, msg := invite(args...); code != 0 {
			t.Fatalf("RELAIS_REGIONS=76 invite %v: exit %d, %s", args, code, msg)
		}
	}

	t.Setenv("RELAIS_REGIONS", "32,76")
	if code, msg := invite("--role", "coordinator", "--scope", "region"); code == 0 ||
		msg != "relais: invite : un coordinateur régional a besoin de --region (32 (Hauts-de-France) ou 76 (Occitanie))\n" {
		t.Errorf("two regions, no --region: exit %d, stderr %q", code, msg)
	}
	for _, args := range [][]string{
		{"--role", "coordinator", "--scope", "region", "--region", "32"},
		{"--role", "coordinator", "--scope", "departement", "--departement", "59"},
		{"--role", "mediator", "--departement", "34"},
	} {
		if code, msg := invite(args...); code != 0 {
			t.Fatalf("RELAIS_REGIONS=32,76 invite %v: exit %d, %s", args, code, msg)
		}
	}
	if got, want := regions(), "coordinator:-:76 coordinator:-:76 mediator:31:76 coordinator:-:32 coordinator:59:32 mediator:34:76"; got != want {
		t.Errorf("invitations = %s, want %s", got, want)
	}
}

// A national coordinator is invited from the command line on a deployment
// of two regions; user list and invite list name each person's region,
// and list one region's people with --region.
func TestNationalInviteAndListsAcrossRegions(t *testing.T) {
	db := cliDB(t)
	t.Setenv("RELAIS_REGIONS", "32,76")
	st := db.Store
	registerUser(t, st, 1, "Anne", store.Invitation{Role: roles.Admin})
	registerUser(t, st, 2, "Awa", store.Invitation{Role: roles.Mediator, Departement: "59", Structure: "CCAS Roubaix", Region: "32"})
	registerUser(t, st, 3, "Inès", store.Invitation{Role: roles.Mediator, Departement: "31", Structure: "Centre social Bagatelle", Region: "76"})
	registerUser(t, st, 4, "Marc", store.Invitation{Role: roles.Coordinator, Level: "region", Region: "76"})
	registerUser(t, st, 5, "Chloé", store.Invitation{Role: roles.Coordinator, Level: "region", Region: "32"})

	if code, _, errOut := cli(t, "invite", "--role", "coordinator", "--scope", "national", "--region", "76"); code == 0 ||
		errOut != "relais: invite : --region ne s'applique pas à un coordinateur national : retirez-la\n" {
		t.Errorf("national with --region: %d %q", code, errOut)
	}
	code, out, errOut := cli(t, "invite", "--role", "coordinator", "--scope", "national")
	if code != 0 || !strings.HasPrefix(out, "Code d'invitation (coordinateur, valable 7 jours, usage unique) : ") {
		t.Fatalf("national invite: %d %q %q", code, out, errOut)
	}
	var n int
	if err := db.SQL.QueryRow(context.Background(), `SELECT count(*) FROM invitations WHERE scope = 'national' AND region IS NULL`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d national invitations without region (%v)", n, err)
	}
	_, out, _ = cli(t, "invite", "list")
	if !strings.Contains(out, "coordinateur national  Hauts-de-France + Occitanie") {
		t.Errorf("invite list:\n%s", out)
	}

	code, out, errOut = cli(t, "user", "list", "--region", "76")
	want := "" +
		"Telegram  Messageries  Rôle                   Territoire                                    Nom   Dernière activité  État\n" +
		"1         Telegram     administrateur         Hauts-de-France + Occitanie                   Anne  jamais             actif\n" +
		"4         Telegram     coordinateur régional  Occitanie                                     Marc  jamais             actif\n" +
		"3         Telegram     médiateur              Haute-Garonne (31) – Centre social Bagatelle  Inès  jamais             actif\n"
	if code != 0 || out != want {
		t.Errorf("user list --region 76: %d %q\n%s\nwant\n%s", code, errOut, out, want)
	}
	_, out, _ = cli(t, "user", "list")
	if !strings.Contains(out, "5         Telegram     coordinateur régional  Hauts-de-France  ") || !strings.Contains(out, "2         Telegram     médiateur              Nord (59) – CCAS Roubaix  ") {
		t.Errorf("user list:\n%s", out)
	}
	for args, want := range map[string]string{
		"--region 84":      "relais: user list : région « 84 » non servie : indiquez 32 (Hauts-de-France) ou 76 (Occitanie) (RELAIS_REGIONS)\n",
		"--departement 13": "relais: user list : département « 13 » inconnu : hors des régions servies (Hauts-de-France, Occitanie) : indiquez 02, 59, 60, 62, 80, 09, 11, 12, 30, 31, 32, 34, 46, 48, 65, 66, 81 ou 82\n",
	} {
		if code, _, errOut := cli(t, append([]string{"user", "list"}, strings.Fields(args)...)...); code != 1 || errOut != want {
			t.Errorf("user list %s: %d %q, want %q", args, code, errOut, want)
		}
	}
}
