package trackingcsv_test

import (
	"os"
	"testing"
)

func TestZZGen(t *testing.T) {
	p := os.Getenv("GEN_FILE")
	if p == "" {
		t.Skip()
	}
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := writeTrackingFile(f, 1_000_000); err != nil {
		t.Fatal(err)
	}
}
