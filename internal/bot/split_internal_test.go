package bot

import (
	"strings"
	"testing"

	"github.com/relais-sante/relais/internal/frtext"
)

func TestSplitTextKeepsLinesWhole(t *testing.T) {
	t.Parallel()
	line := strings.Repeat("é", 30) // 30 UTF-16 units, 60 bytes
	var lines []string
	for range 300 {
		lines = append(lines, line)
	}
	text := strings.Join(lines, "\n")
	parts := splitText(text, 4096)
	if len(parts) != 3 {
		t.Fatalf("%d parts, want 3", len(parts))
	}
	if strings.Join(parts, "\n") != text {
		t.Fatal("text changed by splitting")
	}
	for _, p := range parts {
		if frtext.MessageLen(p) > 4096 || strings.HasPrefix(p, "\n") || strings.HasSuffix(p, "\n") {
			t.Fatalf("part of %d units, cut inside a line or with blank edges", frtext.MessageLen(p))
		}
		for _, l := range strings.Split(p, "\n") {
			if l != line {
				t.Fatalf("a line was cut: %q", l)
			}
		}
	}
	if got := splitText("court", 4096); len(got) != 1 || got[0] != "court" {
		t.Fatalf("short text: %q", got)
	}
	long := strings.Repeat("🙂", 3000) // one line of 6000 units: cut inside it
	if got := splitText(long, 4096); len(got) != 2 || frtext.MessageLen(got[0]) > 4096 || got[0]+got[1] != long {
		t.Fatalf("one long line: %d parts", len(got))
	}
}
