package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/relais-sante/relais/internal/bulkimport"
	"github.com/relais-sante/relais/internal/codes"
	"github.com/relais-sante/relais/internal/export"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/testenv"
	"github.com/relais-sante/relais/internal/trackingcsv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const file = "sheet_id,date,mediator,departement,beneficiary,sex,age,qpv,resources,contact_mode,level,social_protection,request_kind,request_type,status,follow_up,obstacles\n" +
	"F-001,2024-02-05,MED-59-01,59,P-001,F,34,oui,rsa,aller_vers,accompagne,oui,droits,css,resolue,,mobilite;langue\n" +
	"F-001,2024-02-05,MED-59-01,59,P-001,F,34,oui,rsa,aller_vers,accompagne,oui,soins,rdv,en_cours,2024-03-01,mobilite;langue\n" +
	"F-002,2024-03-06,MED-59-02,59,P-002,M,61,non,retraite,contact_direct,informe,non,droits,css,en_cours,,\n" +
	"F-003,2024-04-07,MED-62-01,62,P-003,F,,oui,salaire,contact_direct,oriente,non,soins,depistage,resolue,,demarches\n"

func seed(t *testing.T) *testenv.DB {
	t.Helper()
	db := testenv.NewDB(t)
	var out bytes.Buffer
	if err := trackingcsv.RunImport(context.Background(), bulkimport.New(db.Store), strings.NewReader(file), testenv.Served("32"), false, &out); err != nil {
		t.Fatalf("seed: %v\n%s", err, out.String())
	}
	if _, err := db.SQL.Exec(context.Background(), `UPDATE sheets SET note = 'Mme Martin, 06 12 34 56 78'`); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestWriteXLSXHasRawLinesAndReportTables(t *testing.T) {
	t.Parallel()
	db := seed(t)
	ctx := context.Background()
	var buf bytes.Buffer
	if err := export.WriteXLSX(ctx, db.Store.Reports(), indicators.Year(2024), indicators.Departement("59"), &buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := []string{"Synthèse", "Sexe", "QPV", "Âge", "Ressources", "Mode de contact", "Niveau", "Droits", "Soins", "Demandes par département", "Freins",
		"Actions", "Thèmes des actions", "Partenaires des actions", "Partenaires", "Bilan annuel", "Besoins de santé",
		export.ReviewAnswersSheet, "Données"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Errorf("sheets %v, want %v", got, want)
	}

	data, err := f.GetRows(export.DataSheet)
	if err != nil {
		t.Fatal(err)
	}
	// "Données" is for people: French headers, the labels mediators tap,
	// French dates; the same lines as the tracking file, in the same order.
	want = []string{
		"Fiche|Date|Médiateur|Département|Personne (code)|Sexe|Âge|Habite en QPV|Ressources|Mode de contact|Niveau|Orientation protection sociale|Type de demande|Demande|Statut|Date de suivi|Freins",
		"F-001|05/02/2024|MED-59-01|Nord|P-001|Femme|34|Oui|RSA|Aller vers|Accompagné|Oui|Accès aux droits|Complémentaire Santé Solidaire|Résolue||Mobilité ; Barrière linguistique",
		"F-001|05/02/2024|MED-59-01|Nord|P-001|Femme|34|Oui|RSA|Aller vers|Accompagné|Oui|Accès aux soins|Prise de RDV|En cours|01/03/2024|Mobilité ; Barrière linguistique",
		"F-002|06/03/2024|MED-59-02|Nord|P-002|Homme|61|Non|Pension de retraite|Contact direct|Informé|Non|Accès aux droits|Complémentaire Santé Solidaire|En cours||",
	}
	if len(data) != len(want) {
		t.Fatalf("Données has %d rows, want %d: %v", len(data), len(want), data)
	}
	for i, row := range data {
		if got := strings.Join(padded(row, len(export.HumanHeader)), "|"); got != want[i] {
			t.Errorf("Données row %d =\n%q, want\n%q", i+1, got, want[i])
		}
	}
	// No raw code in a cell meant for people: no cell (nor part of a list)
	// is a catalogue code, "oui", "rsa", "en_cours", "59"…
	rawCodes := map[string]bool{}
	for _, list := range codes.Lists {
		for _, c := range list {
			if c.Code != c.Label {
				rawCodes[c.Code] = true
			}
		}
	}
	for i, row := range data[1:] {
		for j, c := range row {
			for _, part := range strings.Split(c, " ; ") {
				if rawCodes[part] {
					t.Errorf("Données row %d column %s holds the raw code %q", i+2, export.HumanHeader[j], c)
				}
			}
		}
	}
	if typ, err := f.GetCellType(export.DataSheet, "G2"); err != nil || typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("the age is of type %v, want a number (err %v)", typ, err)
	}
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			for _, c := range row {
				if strings.Contains(c, "Martin") {
					t.Fatalf("the note is exported in sheet %s", sheet)
				}
			}
		}
	}

	qpv, err := f.GetRows("QPV")
	if err != nil {
		t.Fatal(err)
	}
	if qpv[0][0] != "Fiches selon la résidence en QPV, par département" ||
		strings.Join(qpv[2], "|") != "Département|Non|Oui|Total|% non|% oui" ||
		strings.Join(qpv[3], "|") != "Nord (2)|1|1|2|50|50" {
		t.Errorf("QPV sheet: %q", qpv)
	}
	rights, err := f.GetRows("Droits")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(rights, func(r []string) bool {
		return strings.Join(r, "|") == "Complémentaire Santé Solidaire|2|100|1|50"
	}) {
		t.Errorf("Droits sheet: %q", rights)
	}
	// Numbers are numbers, not text.
	if typ, err := f.GetCellType("Sexe", "B4"); err != nil || typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("Sexe!B4 is of type %v, want a number (err %v)", typ, err)
	}
	resources, err := f.GetRows("Ressources")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(resources[2], "|") != "Ressource|Nord (2) – nombre|Nord (2) – %" ||
		!slices.ContainsFunc(resources, func(r []string) bool { return strings.Join(r, "|") == "RSA|1|50" }) {
		t.Errorf("Ressources sheet: counts beside shares: %q", resources)
	}
	byDep, err := f.GetRows("Demandes par département")
	if err != nil {
		t.Fatal(err)
	}
	if len(byDep) != 4 || strings.Join(byDep[2], "|") != "Département|Accès aux droits|dont résolues|% résolues|Accès aux soins|dont résolues|% résolues" ||
		strings.Join(byDep[3], "|") != "Nord (2)|2|1|50|1|0|0" {
		t.Errorf("Demandes par département sheet: %q", byDep)
	}
	age, err := f.GetRows("Âge")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(age[3], "|") != "Nord (2)|2|2|47.5" {
		t.Errorf("Âge sheet: %q", age)
	}
}

func padded(row []string, n int) []string {
	for len(row) < n {
		row = append(row, "")
	}
	return row
}

func TestFilename(t *testing.T) {
	t.Parallel()
	p := indicators.Year(2024)
	if got := export.Filename(indicators.Departement("62"), p, "xlsx"); got != "relais_pas-de-calais_2024-01-01_2024-12-31.xlsx" {
		t.Errorf("filename %q", got)
	}
	if got := export.Filename(indicators.Group("32", 0), p, "csv"); got != "relais_picardie-aisne-oise-somme_2024-01-01_2024-12-31.csv" {
		t.Errorf("filename %q", got)
	}
}

func TestRunReportFormats(t *testing.T) {
	t.Parallel()
	db := seed(t)
	ctx := context.Background()
	run := func(args export.ReportArgs) (string, error) {
		var out bytes.Buffer
		args.Out = &out
		err := export.RunReport(ctx, db.Store.Reports(), args)
		return out.String(), err
	}
	text, err := run(export.ReportArgs{From: "2024-01-01", To: "2024-12-31"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Fiches par sexe et par département", "Nord (2)", "Pas-de-Calais (1)", "Hauts-de-France (3)", "Complémentaire Santé Solidaire"} {
		if !strings.Contains(text, want) {
			t.Errorf("text report lacks %q:\n%s", want, text)
		}
	}
	js, err := run(export.ReportArgs{From: "2024-01-01", To: "2024-12-31", Departement: "59", Format: "json"})
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Sheets        int                        `json:"sheets"`
		ByDepartement map[string]json.RawMessage `json:"by_departement"`
	}
	if err := json.Unmarshal([]byte(js), &v); err != nil || v.Sheets != 2 || len(v.ByDepartement) != 1 {
		t.Errorf("JSON for Nord: %v %+v\n%s", err, v, js)
	}
	csvOut, err := run(export.ReportArgs{From: "01/01/2024", To: "31/12/2024", Departement: "picardie", Format: "csv"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(csvOut, "\ufeff") || !strings.Contains(csvOut, "Département;Non;Oui;Total;% non;% oui\r\n") {
		t.Errorf("CSV report:\n%s", csvOut)
	}
	xlsx, err := run(export.ReportArgs{From: "2024-01-01", To: "2024-12-31", Format: "xlsx"})
	if err != nil {
		t.Fatalf("xlsx report: %v", err)
	}
	book, err := excelize.OpenReader(strings.NewReader(xlsx))
	if err != nil {
		t.Fatalf("xlsx report does not open: %v", err)
	}
	defer book.Close()
	qpv, err := book.GetRows("QPV")
	if err != nil {
		t.Fatal(err)
	}
	var qpvLines []string
	for _, row := range qpv {
		qpvLines = append(qpvLines, strings.Join(row, "|"))
	}
	if got, want := strings.Join(qpvLines, "\n"), "Fiches selon la résidence en QPV, par département\n\n"+
		"Département|Non|Oui|Total|% non|% oui\nAisne (0)|0|0|0|0|0\nNord (2)|1|1|2|50|50\nOise (0)|0|0|0|0|0\n"+
		"Pas-de-Calais (1)|0|1|1|0|100\nSomme (0)|0|0|0|0|0\nHauts-de-France (3)|1|2|3|33|67"; got != want {
		t.Errorf("xlsx report, QPV sheet:\n%s\nwant\n%s", got, want)
	}
	for _, bad := range []struct {
		args export.ReportArgs
		want string
	}{
		{export.ReportArgs{From: "2024-01-01"}, "précisez la période"},
		{export.ReportArgs{From: "2024-13-01", To: "2024-12-31"}, "date « 2024-13-01 » invalide"},
		{export.ReportArgs{From: "2024-12-31", To: "2024-01-01"}, "précède"},
		{export.ReportArgs{From: "2024-01-01", To: "2024-12-31", Departement: "75"}, "département « 75 » inconnu"},
		{export.ReportArgs{From: "2024-01-01", To: "2024-12-31", Format: "odt"}, "format « odt » inconnu"},
		{export.ReportArgs{From: "2024-01-01", To: "2024-12-31", Departement: "59", Format: "pdf"}, "le rapport annuel (--format pdf) couvre la région"},
	} {
		if _, err := run(bad.args); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%+v: err = %v, want %q", bad.args, err, bad.want)
		}
	}
}

// The CSV for a spreadsheet opens right in French Excel: BOM, ';', French
// headers and labels; the tracking CSV keeps codes and reads back.
func TestCSVForPeopleAndTrackingCSVForImport(t *testing.T) {
	t.Parallel()
	db := seed(t)
	ctx := context.Background()
	var human bytes.Buffer
	if err := export.WriteCSV(ctx, db.Store.Reports(), indicators.Year(2024), indicators.Departement("62"), &human); err != nil {
		t.Fatal(err)
	}
	want := "\ufeffFiche;Date;Médiateur;Département;Personne (code);Sexe;Âge;Habite en QPV;Ressources;Mode de contact;Niveau;Orientation protection sociale;Type de demande;Demande;Statut;Date de suivi;Freins\r\n" +
		"F-003;07/04/2024;MED-62-01;Pas-de-Calais;P-003;Femme;;Oui;Salaire;Contact direct;Orienté;Non;Accès aux soins;Dépistage organisé;Résolue;;Complexité des démarches administratives\r\n"
	if got := human.String(); got != want {
		t.Errorf("CSV for people:\n%q\nwant\n%q", got, want)
	}
	var tracking bytes.Buffer
	if err := export.WriteTrackingCSV(ctx, db.Store.Reports(), indicators.Year(2024), indicators.Departement("62"), &tracking); err != nil {
		t.Fatal(err)
	}
	if got, want := tracking.String(), trackingcsv.HeaderLine()+"\n"+"F-003,2024-04-07,MED-62-01,62,P-003,F,,oui,salaire,contact_direct,oriente,non,soins,depistage,resolue,,demarches\n"; got != want {
		t.Errorf("tracking CSV:\n%q\nwant\n%q", got, want)
	}
	var viaReport bytes.Buffer
	if err := export.RunReport(ctx, db.Store.Reports(), export.ReportArgs{From: "2024-01-01", To: "2024-12-31", Departement: "62", Format: "codes", Out: &viaReport}); err != nil {
		t.Fatal(err)
	}
	if viaReport.String() != tracking.String() {
		t.Errorf("relais report --format codes:\n%s", viaReport.String())
	}
}

// The region's workbook carries Annexe 1 with its six columns; a
// département's does not (TestWriteXLSXHasRawLinesAndReportTables).
func TestRegionWorkbookHasAnnexe1(t *testing.T) {
	t.Parallel()
	db := seed(t)
	var buf bytes.Buffer
	if err := export.WriteXLSX(context.Background(), db.Store.Reports(), indicators.Year(2024), indicators.Region("32"), &buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !slices.Contains(f.GetSheetList(), "Annexe 1") || !slices.Contains(f.GetSheetList(), "Définitions") {
		t.Fatalf("sheets %v lack Annexe 1 and Définitions", f.GetSheetList())
	}
	rows, err := f.GetRows("Annexe 1")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 4 || strings.Join(rows[2], "|") != "Indicateur|Région|Picardie|Nord|Pas-de-Calais|Médiateurs ruraux|Médiateurs QPV" ||
		rows[3][0] != "Postes actifs pendant la période" {
		t.Fatalf("Annexe 1 sheet: %v", rows)
	}
}
