package bulkimport

import "testing"

// A file's rows are kept in chunks of 65 536: the rows on either side of
// each chunk's edge are the ones added there, and none is lost.
func TestImportFileRowsAcrossChunks(t *testing.T) {
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
