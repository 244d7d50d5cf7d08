package trackingcsv_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/relais-sante/relais/internal/bulkimport"
	"github.com/relais-sante/relais/internal/codes"
	"github.com/relais-sante/relais/internal/testenv"
	"github.com/relais-sante/relais/internal/trackingcsv"
)

// writeTrackingFile streams a valid tracking file of n lines (requests):
// about two thirds of the sheets have one request, one third two.
func writeTrackingFile(w io.Writer, n int) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	fmt.Fprintln(bw, trackingcsv.HeaderLine())
	deps := codes.Departements.Codes()
	for line, g := 0, 0; line < n; g++ {
		med := g % 58
		for p := range 1 + min(g%3/2, n-line-1) {
			kind, types := "droits", codes.RightsTypes
			if (g+p)%8 >= 5 {
				kind, types = "soins", codes.CareTypes
			}
			fmt.Fprintf(bw, "S%07d,2024-%02d-%02d,MED-%02d,%s,P-%02d-%06d,%s,%d,%s,%s,%s,%s,%s,%s,%s,%s,,%s\n",
				g, 1+g%12, 1+g%28, med, deps[med%5], med, g/2%300000,
				[]string{"F", "M", "F", "X"}[g%4], 18+g%70, []string{"oui", "non"}[g%2],
				codes.Resources[g%11].Code, codes.ContactModes[g%7].Code, codes.Levels[g%3].Code,
				[]string{"oui", "non"}[(g/2)%2], kind, types[g%len(types)].Code,
				[]string{"resolue", "en_cours", "non_resolue"}[g%3], []string{"", "mobilite", "demarches;langue"}[g%3])
			line++
		}
	}
	return bw.Flush()
}

// BenchmarkImport1M imports a 1 000 000-line tracking file, written to
// disk before the clock starts (as `relais import --file` finds it), into
// an empty database. Run with:
// go test -run '^$' -bench Import1M -benchmem -benchtime 1x ./internal/trackingcsv/
// With RELAIS_IMPORT_STEPS=1 it prints each step's duration.
func BenchmarkImport1M(b *testing.B) {
	ctx := context.Background()
	if os.Getenv("RELAIS_IMPORT_STEPS") != "" {
		prev := slog.Default()
		slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})))
		b.Cleanup(func() { slog.SetDefault(prev) })
	}
	path := filepath.Join(b.TempDir(), "suivi.csv")
	out, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := writeTrackingFile(out, 1_000_000); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for range b.N {
		b.StopTimer()
		db := testenv.NewDB(b)
		file, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		sum, err := trackingcsv.Import(ctx, bulkimport.New(db.Store), file, false)
		b.StopTimer()
		if cerr := file.Close(); cerr != nil {
			b.Fatal(cerr)
		}
		if err != nil {
			b.Fatalf("import: %v %+v", err, sum.Problems)
		}
		if sum.Rows != 1_000_000 || sum.Requests != 1_000_000 {
			b.Fatalf("imported %+v", sum)
		}
		b.ReportMetric(float64(sum.Sheets), "sheets")
		b.StartTimer()
	}
}

// BenchmarkParse1M reads and checks a 1 000 000-line tracking file held in
// memory: the part of an import done before the database is asked anything.
// Run with: go test -run '^$' -bench Parse1M -benchmem ./internal/trackingcsv/
func BenchmarkParse1M(b *testing.B) {
	var file bytes.Buffer
	if err := writeTrackingFile(&file, 1_000_000); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		n := 0
		for _, err := range trackingcsv.Parse(bytes.NewReader(file.Bytes())) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 1_000_000 {
			b.Fatalf("%d rows", n)
		}
	}
}
