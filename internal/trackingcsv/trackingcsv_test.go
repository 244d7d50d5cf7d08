package trackingcsv_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/bulkimport"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/territory"
	"github.com/relais-sante/relais/internal/testenv"
	"github.com/relais-sante/relais/internal/trackingcsv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// hdf is the default deployment: the Hauts-de-France alone.
var hdf = testenv.Served("32")

const header = "sheet_id,date,mediator,departement,beneficiary,sex,age,qpv,resources,contact_mode,level,social_protection,request_kind,request_type,status,follow_up,obstacles\n"

// goodFile has two sheets, the first with two requests.
const goodFile = header +
	"F-001,2024-02-05,MED-59-01,59,P-001,F,34,oui,rsa,aller_vers,accompagne,oui,droits,css,resolue,,mobilite;langue\n" +
	"F-001,2024-02-05,MED-59-01,59,P-001,F,34,oui,rsa,aller_vers,accompagne,oui,soins,rdv,en_cours,2024-03-01,mobilite;langue\n" +
	"F-002,2024-02-06,MED-62-01,62,P-002,M,,non,salaire,contact_direct,informe,non,soins,depistage,resolue,,\n"

func TestRunImportPrintsSummaryAndIsIdempotent(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	ctx := context.Background()
	var out bytes.Buffer
	if err := trackingcsv.RunImport(ctx, bulkimport.New(db.Store), strings.NewReader(goodFile), hdf, false, &out); err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	want := "Import terminé.\nLignes lues : 3\nFiches importées : 2 (déjà présentes, ignorées : 0)\nDemandes importées : 3\nNouveaux médiateurs : 2\nNouvelles personnes : 2\n"
	if !strings.HasPrefix(out.String(), want) {
		t.Errorf("summary:\n%s\nwant:\n%s", out.String(), want)
	}
	out.Reset()
	if err := trackingcsv.RunImport(ctx, bulkimport.New(db.Store), strings.NewReader(goodFile), hdf, false, &out); err != nil {
		t.Fatal(err)
	}
	if want := "Fiches importées : 0 (déjà présentes, ignorées : 2)\nDemandes importées : 0\nNouveaux médiateurs : 0\nNouvelles personnes : 0\n"; !strings.Contains(out.String(), want) {
		t.Errorf("second import:\n%s", out.String())
	}
}

func TestRunImportReportsEveryBadLineAndWritesNothing(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	ctx := context.Background()
	file := header +
		"F-001,2024-02-05,MED-59-01,59,P-001,F,34,oui,rsa,aller_vers,accompagne,oui,droits,css,resolue,,\n" + // line 2: fine
		"F-002,2024-13-01,MED-59-01,59,P-002,F,34,oui,rsa,aller_vers,accompagne,oui,droits,css,resolue,,\n" + // 3: date
		"F-003,2024-02-05,MED-59-01,59,P-003,Z,34,oui,rsa,aller_vers,accompagne,oui,droits,css,resolue,,\n" + // 4: sex
		"F-004,2024-02-05,MED-59-01,75,P-004,F,abc,peut-être,rsa,aller_vers,accompagne,oui,droits,css,resolue,,\n" + // 5: dep, age, qpv
		"F-005,2024-02-05,MED-59-01,59,P-005,F,34,oui,rsa,aller_vers,accompagne,oui,droits,rdv,resolue,,\n" + // 6: rdv is a care type
		"F-006,2024-02-05,MED-59-01,59,P-006,F,34,oui,rsa,aller_vers,accompagne,oui,soins,rdv,fini,31/02/2024,vélo\n" + // 7
		"F-007,2024-02-05,MED-59-01,59\n" + // 8: short line
		"F-009,2030-03-01,MED-59-01,59,P-009,F,34,oui,rsa,aller_vers,accompagne,oui,droits,css,resolue,,\n" + // 9: future
		"F-010,1900-03-01,MED-59-01,59,P-010,F,34,oui,rsa,aller_vers,accompagne,oui,droits,css,resolue,,\n" + // 10: far past
		"\"F-008,2024-02-05\n" // 11: unclosed quote
	var out bytes.Buffer
	err := trackingcsv.RunImport(ctx, bulkimport.New(db.Store), strings.NewReader(file), hdf, false, &out)
	if !errors.Is(err, trackingcsv.ErrRejected) {
		t.Fatalf("err = %v, want ErrRejected\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"Import refusé : 9 erreurs, rien n'a été enregistré.\n",
		"ligne 9 : date « 2030-03-01 » dans le futur\n",
		"ligne 10 : date « 1900-03-01 » trop ancienne (avant 2000)\n",
		"ligne 3 : date « 2024-13-01 » invalide (AAAA-MM-JJ)\n",
		"ligne 4 : sexe « Z » inconnu (F, M ou X)\n",
		"ligne 5 : département « 75 » inconnu (02, 59, 60, 62 ou 80) ; âge « abc » invalide (nombre entier de 0 à 120) ; QPV « peut-être » inconnu (oui, non ou nsp)\n",
		"ligne 6 : type de demande droits « rdv » inconnu (frais_specialiste, css, prestations_sante, prestations_sociales ou autre)\n",
		"ligne 7 : statut « fini » inconnu (en_cours, resolue, non_resolue ou abandonnee) ; date de suivi « 31/02/2024 » invalide (AAAA-MM-JJ) ; frein « vélo » inconnu (",
		"ligne 8 : 4 colonnes au lieu de 17",
		"ligne 11 : guillemets mal placés",
		"Corrigez ces lignes puis relancez l'import.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "ligne 2 ") {
		t.Errorf("the good line is reported:\n%s", got)
	}
	var n int
	if err := db.SQL.QueryRow(ctx, `SELECT (SELECT count(*) FROM sheets) + (SELECT count(*) FROM mediators) + (SELECT count(*) FROM beneficiaries)`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d rows written by a rejected import", n)
	}
}

func TestRunImportReadsFrenchExcelAndDryRun(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	ctx := context.Background()
	// Excel in French: BOM, ';' separator, JJ/MM/AAAA dates, "2" for Aisne,
	// columns in another order with an extra one.
	file := "\ufeffdate;sheet_id;mediator;departement;beneficiary;sex;age;qpv;resources;contact_mode;level;social_protection;request_kind;request_type;status;follow_up;obstacles;remarque\n" +
		"05/02/2024;X1;MED-02-01;2;P-9;f;50;OUI;RSA;aller_vers;oriente;non;droits;css;en_cours;01/03/2024;\"mobilite;langue\";rien\n"
	var out bytes.Buffer
	if err := trackingcsv.RunImport(ctx, bulkimport.New(db.Store), strings.NewReader(file), hdf, true, &out); err != nil {
		t.Fatalf("dry run: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "Simulation (--dry-run) : le fichier est valide, rien n'a été enregistré.\nLignes lues : 1\nFiches à importer : 1") {
		t.Errorf("dry run output:\n%s", out.String())
	}
	var n int
	_ = db.SQL.QueryRow(ctx, `SELECT count(*) FROM sheets`).Scan(&n)
	if n != 0 {
		t.Fatalf("dry run wrote %d sheets", n)
	}
	out.Reset()
	if err := trackingcsv.RunImport(ctx, bulkimport.New(db.Store), strings.NewReader(file), hdf, false, &out); err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	var dep, sex, obstacles, date string
	if err := db.SQL.QueryRow(ctx, `SELECT m.departement, s.sex, array_to_string(s.obstacles, ','), s.date::text
		FROM sheets s JOIN mediators m ON m.id = s.mediator_id`).Scan(&dep, &sex, &obstacles, &date); err != nil {
		t.Fatal(err)
	}
	if dep != "02" || sex != "F" || obstacles != "mobilite,langue" || date != "2024-02-05" {
		t.Errorf("imported sheet: département %q sex %q obstacles %q date %q", dep, sex, obstacles, date)
	}
}

func TestWriteCSVRoundTripsAndLeavesNotesOut(t *testing.T) {
	t.Parallel()
	src := testenv.NewDB(t)
	ctx := context.Background()
	var out bytes.Buffer
	if err := trackingcsv.RunImport(ctx, bulkimport.New(src.Store), strings.NewReader(goodFile), hdf, false, &out); err != nil {
		t.Fatal(err)
	}
	if _, err := src.SQL.Exec(ctx, `UPDATE sheets SET note = 'Mme Dupont, 3 rue des Lilas'`); err != nil {
		t.Fatal(err)
	}
	var exported bytes.Buffer
	year := indicators.Year(2024)
	if err := trackingcsv.WriteCSV(ctx, src.SQL, year, indicators.Region("32"), &exported); err != nil {
		t.Fatal(err)
	}
	if exported.String() != goodFile {
		t.Errorf("export differs from the imported file:\n%s\nwant:\n%s", exported.String(), goodFile)
	}
	if strings.Contains(exported.String(), "Dupont") {
		t.Error("the free-text note is exported")
	}
	// Scope: Nord only.
	var nord bytes.Buffer
	if err := trackingcsv.WriteCSV(ctx, src.SQL, year, indicators.Departement("59"), &nord); err != nil {
		t.Fatal(err)
	}
	if strings.Count(nord.String(), "\n") != 3 || strings.Contains(nord.String(), "MED-62") {
		t.Errorf("Nord export:\n%s", nord.String())
	}
	// Import the export into another database: same report.
	dst := testenv.NewDB(t)
	if err := trackingcsv.RunImport(ctx, bulkimport.New(dst.Store), bytes.NewReader(exported.Bytes()), hdf, false, &out); err != nil {
		t.Fatal(err)
	}
	a, err := indicators.Compute(ctx, src.SQL, year, indicators.Region("32"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := indicators.Compute(ctx, dst.SQL, year, indicators.Region("32"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Text() != b.Text() {
		t.Errorf("report after round trip differs:\n%s\n---\n%s", a.Text(), b.Text())
	}
}

// A header without some columns names them, in French counts.
func TestRunImportNamesMissingColumns(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	for _, c := range []struct{ head, want string }{
		{strings.Replace(header, ",obstacles", "", 1), "ligne 1 : 1 colonne manquante dans l'en-tête : obstacles (attendu : "},
		{strings.Replace(header, ",follow_up,obstacles", "", 1), "ligne 1 : 2 colonnes manquantes dans l'en-tête : follow_up, obstacles (attendu : "},
	} {
		var out bytes.Buffer
		err := trackingcsv.RunImport(context.Background(), bulkimport.New(db.Store), strings.NewReader(c.head), hdf, false, &out)
		if !errors.Is(err, trackingcsv.ErrRejected) || !strings.Contains(out.String(), c.want) {
			t.Errorf("err %v, output:\n%s\nwant %q", err, out.String(), c.want)
		}
	}
}

// gatedReader serves data 4 kB a read up to gateAt bytes, then blocks
// until gate is closed. It counts the reads begun once the consumer broke
// and those ended once Parse had returned.
type gatedReader struct {
	data          []byte
	off, gateAt   int
	gate          chan struct{}
	broke, parsed atomic.Bool
	begun, ended  atomic.Int32
}

func (g *gatedReader) Read(p []byte) (int, error) {
	if g.broke.Load() {
		g.begun.Add(1)
	}
	defer func() {
		if g.parsed.Load() {
			g.ended.Add(1)
		}
	}()
	if g.off >= g.gateAt {
		<-g.gate
	}
	if g.off >= len(g.data) {
		return 0, io.EOF
	}
	end := min(len(g.data), g.off+4096)
	if g.off < g.gateAt {
		end = min(end, g.gateAt)
	}
	n := copy(p, g.data[g.off:end])
	g.off += n
	return n, nil
}

// A consumer that stops early gets r back: Parse begins no more reads
// (one may start while it stops) and returns once the read under way
// ended (no goroutine reads on to the end of its batch, or forever on a
// reader that blocks).
func TestParseStopsReadingWhenTheConsumerStops(t *testing.T) {
	t.Parallel()
	line := "F-001,2024-02-05,MED-59-01,59,P-001,F,34,oui,rsa,aller_vers,accompagne,oui,droits,css,resolue,,\n"
	file := header + strings.Repeat(line, 3000)
	g := &gatedReader{data: []byte(file), gateAt: len(header) + 1100*len(line), gate: make(chan struct{})}
	rows := 0
	for _, err := range trackingcsv.Parse(g, hdf) {
		if err != nil {
			t.Fatal(err)
		}
		rows++
		g.broke.Store(true)
		time.AfterFunc(50*time.Millisecond, func() { close(g.gate) })
		break
	}
	g.parsed.Store(true)
	time.Sleep(100 * time.Millisecond)
	if rows != 1 || g.begun.Load() > 1 || g.ended.Load() != 0 {
		t.Errorf("%d rows taken, %d reads begun after the consumer stopped, %d ended after Parse returned; want 1, at most 1, 0",
			rows, g.begun.Load(), g.ended.Load())
	}
}

// Lines are checked by several goroutines a batch (1 024 lines) at a time;
// the rows and problems still come in file order, across batches: here
// 5 000 lines with a bad sex on lines 1 500 and 4 001.
func TestParseKeepsFileOrderAcrossBatches(t *testing.T) {
	t.Parallel()
	var file bytes.Buffer
	for i := range 5000 {
		sex := "F"
		if line := i + 2; line == 1500 || line == 4001 {
			sex = "Z"
		}
		file.WriteString(fmt.Sprintf("S%05d,2024-02-05,MED-59-01,59,P-%05d,%s,34,oui,rsa,aller_vers,accompagne,oui,droits,css,resolue,,\n", i, i, sex))
	}
	var lines, problems []int
	for row, err := range trackingcsv.Parse(strings.NewReader(header+file.String()), hdf) {
		var p *bulkimport.Problem
		switch {
		case errors.As(err, &p):
			problems = append(problems, p.Line)
		case err != nil:
			t.Fatal(err)
		default:
			if want := fmt.Sprintf("S%05d", row.Line-2); row.SheetID != want {
				t.Fatalf("line %d holds sheet %s, want %s", row.Line, row.SheetID, want)
			}
			lines = append(lines, row.Line)
		}
	}
	if !slices.Equal(problems, []int{1500, 4001}) {
		t.Errorf("problems at lines %v, want [1500 4001]", problems)
	}
	if len(lines) != 4998 || !slices.IsSorted(lines) || lines[0] != 2 || lines[4997] != 5001 {
		t.Errorf("%d rows, first line %d, last %d, in order: %v", len(lines), lines[0], lines[len(lines)-1], slices.IsSorted(lines))
	}
}

// A deployment imports the lines of its served regions' départements
// (RELAIS_REGIONS) and refuses the others, listing its own: Occitanie's
// takes Haute-Garonne and refuses the Nord, the Hauts-de-France's the
// reverse, one serving both takes both.
func TestImportFollowsTheServedRegions(t *testing.T) {
	t.Parallel()
	line := func(n int, dep string) string {
		return fmt.Sprintf("F-%d,2024-02-05,MED-%s-01,%s,P-%d,F,34,oui,rsa,aller_vers,accompagne,oui,droits,css,resolue,,\n", n, dep, dep, n)
	}
	file := header + line(1, "31") + line(2, "59")
	for _, c := range []struct {
		served territory.Served
		want   []string
	}{
		{testenv.Served("76"), []string{"31", "ligne 3 : département « 59 » inconnu (09, 11, 12, 30, 31, 32, 34, 46, 48, 65, 66, 81 ou 82)"}},
		{hdf, []string{"ligne 2 : département « 31 » inconnu (02, 59, 60, 62 ou 80)", "59"}},
		{testenv.Served("32", "76"), []string{"31", "59"}},
	} {
		var got []string
		for row, err := range trackingcsv.Parse(strings.NewReader(file), c.served) {
			if err != nil {
				got = append(got, err.Error())
			} else {
				got = append(got, row.Departement)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("served %v: %q, want %q", c.served, got, c.want)
		}
	}
}
