package trackingcsv_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/bulkimport"
	"github.com/relais-sante/relais/internal/codes"
	"github.com/relais-sante/relais/internal/demo"
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

// write2024ShapedFile streams a valid tracking file of n lines shaped as
// the regional report of 2024 (the demo's synthetic year: 49 mediators in
// five départements, 4 175 sheets, 1.4 requests a sheet, people seen
// several times), scaled to n lines: the year is copied as many times as
// needed, each copy with its own people and sheets (suffixed -1, -2…), for
// the same mediators on the same days.
func write2024ShapedFile(w io.Writer, n int) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	cw := csv.NewWriter(bw)
	if err := cw.Write(trackingcsv.Header); err != nil {
		return err
	}
	year := demo.Generate(demo.SyntheticSeed, time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC), "AWA", "KARIM")
	rec := make([]string, len(trackingcsv.Header))
	for line, copyN := 0, 1; line < n; copyN++ {
		suffix := "-" + strconv.Itoa(copyN)
		for _, r := range year.Rows {
			if line == n {
				break
			}
			age, follow := "", ""
			if r.Age != nil {
				age = strconv.Itoa(*r.Age)
			}
			if r.FollowUp != nil {
				follow = r.FollowUp.Format(time.DateOnly)
			}
			copy(rec, []string{r.SheetID + suffix, r.Date.Format(time.DateOnly), r.Mediator, r.Departement,
				r.Beneficiary + suffix, r.Sex, age, r.QPV, r.Resources, r.ContactMode, r.Level, r.SocialProtection,
				r.RequestKind, r.RequestType, r.Status, follow, strings.Join(r.Obstacles, ";")})
			if err := cw.Write(rec); err != nil {
				return err
			}
			line++
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// BenchmarkImport1M imports a 1 000 000-line tracking file, written to
// disk before the clock starts (as `relais import --file` finds it), into
// an empty database: the benchmark's own file, and one shaped as the 2024
// report (write2024ShapedFile). Besides the time it reports the import's
// CPU seconds in this process (user + system; PostgreSQL's are not
// counted) and the process's peak resident memory. Run with:
// go test -run '^$' -bench Import1M -benchmem -benchtime 1x ./internal/trackingcsv/
// or one file: -bench 'Import1M/2024'. With RELAIS_IMPORT_STEPS=1 it
// prints each step's duration.
func BenchmarkImport1M(b *testing.B) {
	for _, file := range []struct {
		name  string
		write func(io.Writer, int) error
	}{{"generated", writeTrackingFile}, {"2024", write2024ShapedFile}} {
		b.Run(file.name, func(b *testing.B) { benchmarkImport(b, file.write) })
	}
}

func benchmarkImport(b *testing.B, write func(io.Writer, int) error) {
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
	if err := write(out, 1_000_000); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	b.ReportAllocs()
	for range b.N {
		b.StopTimer()
		db := testenv.NewDB(b)
		file, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		before := cpuSeconds(b)
		b.StartTimer()
		sum, err := trackingcsv.Import(ctx, bulkimport.New(db.Store), file, hdf, false)
		b.StopTimer()
		b.ReportMetric(cpuSeconds(b)-before, "cpu-s/op")
		if cerr := file.Close(); cerr != nil {
			b.Fatal(cerr)
		}
		if err != nil {
			b.Fatalf("import: %v %+v", err, sum.Problems)
		}
		if sum.Rows != 1_000_000 {
			b.Fatalf("imported %+v", sum)
		}
		b.ReportMetric(float64(sum.Sheets), "sheets")
		b.StartTimer()
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(ru.Maxrss)/1024, "peak-MB") // Linux gives kilobytes
}

// cpuSeconds is the user and system CPU time of this process so far.
func cpuSeconds(b *testing.B) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
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
		for _, err := range trackingcsv.Parse(bytes.NewReader(file.Bytes()), hdf) {
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
