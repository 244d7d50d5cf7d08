package bot_test

import (
	"strings"
	"testing"
)

// /mesfiches lists the sheets by number, newest first: a sheet filled late
// for an older visit is the newest one, where the mediator looks for it.
func TestMesFichesNewestNumberFirst(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(3020, "Awa", "59")
	med := h.user(3020).Mediator.ID
	h.openSheet(med, "s1", "FIRST1", date(2026, 11, 20))
	h.openSheet(med, "s2", "LATE02", date(2026, 10, 1)) // filled late, for an older visit
	h.openSheet(med, "s3", "THIRD3", date(2026, 11, 15))

	u.Send("/mesfiches")
	list := u.Expect("Vos dernières fiches :")
	want := "Vos dernières fiches :\n\nn° 3 — 15/11/2026 — THIRD3\nn° 2 — 01/10/2026 — LATE02\nn° 1 — 20/11/2026 — FIRST1"
	if !strings.HasPrefix(list.Text, want) {
		t.Fatalf("/mesfiches:\n%s\nwant:\n%s", list.Text, want)
	}
}
