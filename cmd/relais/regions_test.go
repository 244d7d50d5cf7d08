package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

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
