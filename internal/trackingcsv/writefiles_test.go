//go:build benchfiles

package trackingcsv_test

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// TestWriteBenchFiles writes BenchmarkImport1M's two files to
// RELAIS_BENCH_DIR (generated.csv and 2024.csv; RELAIS_BENCH_LINES lines,
// 1 000 000 by default), so that `relais import --file` itself can be timed
// on them (scripts/bench-import.sh). Run with:
// RELAIS_BENCH_DIR=/tmp/relais-bench go test -tags benchfiles -run TestWriteBenchFiles ./internal/trackingcsv/
func TestWriteBenchFiles(t *testing.T) {
	t.Parallel()
	dir := os.Getenv("RELAIS_BENCH_DIR")
	if dir == "" {
		t.Fatal("RELAIS_BENCH_DIR is not set")
	}
	lines := 1_000_000
	if s := os.Getenv("RELAIS_BENCH_LINES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			t.Fatalf("RELAIS_BENCH_LINES=%q: a number of lines", s)
		}
		lines = n
	}
	for name, write := range map[string]func(io.Writer, int) error{
		"generated.csv": writeTrackingFile, "2024.csv": write2024ShapedFile,
	} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := write(f, lines); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := f.Close(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
}
