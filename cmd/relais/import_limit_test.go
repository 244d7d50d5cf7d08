package main

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// relais import refuses a file bigger than RELAIS_IMPORT_MAX_BYTES before
// reading it; a file of exactly the limit is imported.
func TestImportRefusesAFileOverTheLimit(t *testing.T) {
	db := cliDB(t)
	content := "sheet_id,date,mediator,departement,beneficiary,sex,age,qpv,resources,contact_mode,level,social_protection,request_kind,request_type,status,follow_up,obstacles\n" +
		"F-001,2024-02-05,MED-59-01,59,P-001,F,34,oui,rsa,aller_vers,accompagne,oui,droits,css,resolue,,\n"
	file := filepath.Join(t.TempDir(), "suivi.csv")
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	size := len(content) // 255 bytes
	if size != 255 {
		t.Fatalf("the file has %d bytes, the messages below expect 255", size)
	}
	t.Setenv("RELAIS_IMPORT_MAX_BYTES", strconv.Itoa(size-1))
	code, out, errOut := cli(t, "import", "--file", file)
	if code != 1 || out != "" || errOut != "relais: import : le fichier fait 255 octets, plus que la limite de 254 octets (RELAIS_IMPORT_MAX_BYTES) ; rien n'a été importé\n" {
		t.Fatalf("file over the limit: %d %q %q", code, out, errOut)
	}
	if n := countRows(t, db.URL, `SELECT count(*) FROM sheets`); n != 0 {
		t.Fatalf("%d sheets imported from a file over the limit", n)
	}
	t.Setenv("RELAIS_IMPORT_MAX_BYTES", strconv.Itoa(size))
	if code, out, errOut := cli(t, "import", "--file", file); code != 0 {
		t.Fatalf("file of the limit: %d %q %q", code, out, errOut)
	}
	if n := countRows(t, db.URL, `SELECT count(*) FROM sheets`); n != 1 {
		t.Fatalf("%d sheets imported from a file of the limit, want 1", n)
	}

	// Standard input has no size: it is cut one byte past the limit.
	stdin := os.Stdin
	t.Cleanup(func() { os.Stdin = stdin })
	for _, c := range []struct {
		limit   int
		code    int
		wantErr string
	}{
		{size - 1, 1, "relais: import : l'entrée standard dépasse la limite de 254 octets (RELAIS_IMPORT_MAX_BYTES) ; rien n'a été importé\n"},
		{size, 0, ""},
	} {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		os.Stdin = f
		t.Setenv("RELAIS_IMPORT_MAX_BYTES", strconv.Itoa(c.limit))
		code, _, errOut := cli(t, "import", "--file", "-", "--dry-run")
		if code != c.code || errOut != c.wantErr {
			t.Errorf("standard input with a limit of %d: %d %q, want %d %q", c.limit, code, errOut, c.code, c.wantErr)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
