package frtext_test

import (
	"testing"

	"github.com/relais-sante/relais/internal/frtext"
)

func TestOrList(t *testing.T) {
	for _, c := range []struct {
		items []string
		want  string
	}{
		{nil, ""},
		{[]string{"59"}, "59"},
		{[]string{"32", "76"}, "32 ou 76"},
		{[]string{"02", "59", "60", "62", "80"}, "02, 59, 60, 62 ou 80"},
	} {
		if got := frtext.OrList(c.items); got != c.want {
			t.Errorf("OrList(%q) = %q, want %q", c.items, got, c.want)
		}
	}
}
