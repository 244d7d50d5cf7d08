package question

import (
	"bufio"
	"fmt"
	"os"
	"testing"

	"github.com/relais-sante/relais/internal/indicators"
)

func TestTry(t *testing.T) {
	f, err := os.Open("/tmp/try.txt")
	if err != nil {
		t.Skip()
	}
	defer f.Close()
	p := NewParser(testStructures)
	regional := indicators.Viewer{Role: indicators.RoleCoordinator, Level: indicators.KindRegion}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fmt.Printf("%-60s => %s\n", sc.Text(), reply(p, regional, sc.Text()))
	}
}
