package bulkimport

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

// A file's rows are kept compactly (numbers and words): each reads back
// as the source gave it, a missing age, follow-up day or obstacle list
// included, and the same id, code or mediator gets the same number.
func TestImportFileRowsReadBackAsGiven(t *testing.T) {
	t.Parallel()
	age, follow := 0, time.Date(2024, 4, 2, 0, 0, 0, 0, time.UTC)
	rows := []Row{
		{Line: 2, SheetID: "S1", Date: time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC), Mediator: "MED-1", Departement: "59",
			Beneficiary: "P1", Sex: "F", Age: &age, QPV: "oui", Resources: "rsa", ContactMode: "aller_vers", Level: "oriente",
			SocialProtection: "oui", Obstacles: []string{"langue", "mobilite", "langue"}, RequestKind: "droits",
			RequestType: "css", Status: "en_cours", FollowUp: &follow},
		{Line: 3, SheetID: "S2", Date: time.Date(2023, 12, 31, 0, 0, 0, 0, time.UTC), Mediator: "MED-2", Departement: "62",
			Beneficiary: "P2", Sex: "X", QPV: "non", Resources: "aucune", ContactMode: "communication", Level: "informe",
			SocialProtection: "non"},
		{Line: 4, SheetID: "S1", Date: time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC), Mediator: "MED-1", Departement: "59",
			Beneficiary: "P1", Sex: "F", Age: &age, QPV: "oui", Resources: "rsa", ContactMode: "aller_vers", Level: "oriente",
			SocialProtection: "oui", Obstacles: []string{"langue", "mobilite", "langue"}, RequestKind: "soins",
			RequestType: "rdv", Status: "resolue"},
	}
	f := &importFile{}
	for _, r := range rows {
		f.add(r)
	}
	for i, want := range rows {
		if got := f.row(int32(i)); !reflect.DeepEqual(got, want) {
			t.Errorf("row %d reads back as\n%+v\nwant\n%+v", i, got, want)
		}
	}
	if a, b, c := f.at(0), f.at(1), f.at(2); a.sheet != c.sheet || a.person != c.person || a.mediator != c.mediator ||
		a.obstacles != c.obstacles || a.sheet == b.sheet {
		t.Errorf("numbers %+v %+v %+v", *a, *b, *c)
	}
	if f.sheetIDs.len() != 2 || f.sheetIDs.find("S2") != 1 || f.sheetIDs.find("S3") != -1 {
		t.Errorf("sheet ids: %d, S2 = %d, S3 = %d", f.sheetIDs.len(), f.sheetIDs.find("S2"), f.sheetIDs.find("S3"))
	}
}

// A file's rows are kept in chunks of 65 536: the rows on either side of
// each chunk's edge are the ones added there, and none is lost.
func TestImportFileRowsAcrossChunks(t *testing.T) {
	t.Parallel()
	f := &importFile{}
	for i := range 200_000 {
		f.add(Row{Line: i + 2})
	}
	if f.n != 200_000 || len(f.chunks) != 4 {
		t.Fatalf("%d rows in %d chunks, want 200000 in 4", f.n, len(f.chunks))
	}
	for _, i := range []int32{0, 1023, 1024, 65535, 65536, 131071, 131072, 196607, 196608, 199999} {
		if got := f.row(i).Line; got != int(i)+2 {
			t.Errorf("row %d holds line %d, want %d", i, got, i+2)
		}
	}
}

// names keeps its numbers as it grows past its index's size.
func TestNamesNumberInOrderOfFirstSight(t *testing.T) {
	t.Parallel()
	var n names
	for i := range 100_000 {
		if got := n.id(fmt.Sprintf("P%d", i)); got != int32(i) {
			t.Fatalf("name %d numbered %d", i, got)
		}
	}
	for _, i := range []int32{0, 63, 64, 65535, 99_999} {
		s := n.name(i)
		if n.id(s) != i || n.find(s) != i {
			t.Errorf("%q: id %d, find %d, want %d", s, n.id(s), n.find(s), i)
		}
	}
	if n.len() != 100_000 {
		t.Errorf("%d names, want 100000", n.len())
	}
}
