package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
)

// Every audited command-line action names the operator who ran it:
// $SUDO_USER (the person behind sudo), else $USER, else « inconnu ».
func TestCommandLineAuditNamesTheOperator(t *testing.T) {
	db := cliDB(t)
	t.Setenv("SUDO_USER", "alice")
	t.Setenv("USER", "root")
	registerUser(t, db.Store, 5, "Awa", store.Invitation{Role: roles.Mediator, Departement: "59"})
	csv := filepath.Join(t.TempDir(), "suivi.csv")
	if err := os.WriteFile(csv, []byte("sheet_id,date,mediator,departement,beneficiary,sex,age,qpv,resources,contact_mode,level,social_protection,request_kind,request_type,status,follow_up,obstacles\n"+
		"F-001,2024-02-05,MED-59-01,59,P-001,F,34,oui,rsa,aller_vers,accompagne,oui,droits,css,resolue,,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	before := countRows(t, db.URL, `SELECT max(id) FROM audit`) // the test's own registration
	for _, args := range [][]string{
		{"invite", "--role", "admin"},
		{"invite", "revoke", "--id", "2"},
		{"user", "disable", "--telegram-id", "5"},
		{"user", "enable", "--telegram-id", "5"},
		{"user", "post", "--telegram-id", "5", "--start", "2024-01-01"},
		{"import", "--file", csv},
		{"access", "--beneficiary", "P-001"},
		{"report", "--from", "2024-01-01", "--to", "2024-12-31"},
		{"forget", "--beneficiary", "P-001"},
		{"purge"},
	} {
		if code, _, errOut := cli(t, args...); code != 0 {
			t.Fatalf("%q: %d %q", args, code, errOut)
		}
	}
	type row struct {
		Action   string
		Operator *string
	}
	rows, err := db.SQL.Query(t.Context(), `SELECT action, operator FROM audit WHERE actor IS NULL AND id > $1 ORDER BY id`, before)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[row])
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, r := range got {
		if r.Operator == nil || *r.Operator != "alice" {
			t.Errorf("%s audited without its operator (%v)", r.Action, r.Operator)
		}
		if !slices.Contains(actions, r.Action) {
			actions = append(actions, r.Action)
		}
	}
	want := []string{"invite", "invite_revoke", "user_disable", "user_enable", "post_dates", "import", "access", "export", "forget", "purge"}
	if !slices.Equal(actions, want) {
		t.Errorf("command-line actions audited: %v, want %v", actions, want)
	}
	// The bot's own lines name no operator.
	var botOperator *string
	if err := db.SQL.QueryRow(t.Context(), `SELECT operator FROM audit WHERE action = 'register'`).Scan(&botOperator); err != nil || botOperator != nil {
		t.Errorf("the bot's register line: operator %v, %v", botOperator, err)
	}

	_, out, _ := cli(t, "audit", "--since", "2000-01-01")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !regexp.MustCompile(`Détail +Opérateur$`).MatchString(lines[0]) || !strings.HasSuffix(lines[len(lines)-1], "  alice") {
		t.Errorf("relais audit does not show the operator:\n%s", out)
	}

	for _, c := range []struct{ sudo, user, want string }{{"", "bob", "bob"}, {"", "", "inconnu"}} {
		t.Setenv("SUDO_USER", c.sudo)
		t.Setenv("USER", c.user)
		since := time.Now()
		if code, _, errOut := cli(t, "user", "disable", "--telegram-id", "5"); code != 0 {
			t.Fatalf("user disable: %q", errOut)
		}
		if code, _, errOut := cli(t, "user", "enable", "--telegram-id", "5"); code != 0 {
			t.Fatalf("user enable: %q", errOut)
		}
		if n := countRows(t, db.URL, `SELECT count(*) FROM audit WHERE at >= '`+since.Format(time.RFC3339Nano)+`' AND operator = '`+c.want+`'`); n != 2 {
			t.Errorf("SUDO_USER=%q USER=%q: %d lines with operator %q, want 2", c.sudo, c.user, n, c.want)
		}
	}
}
