package digest

import (
	"testing"

	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/territory"
)

// A digest covers the recipient's region: a regional coordinator's own,
// every served region side by side for an admin or a national
// coordinator of several.
func TestDigestScopeFollowsTheRegion(t *testing.T) {
	t.Parallel()
	both, err := territory.Serve([]string{"32", "76"})
	if err != nil {
		t.Fatal(err)
	}
	level := func(l territory.Level) *territory.Level { return &l }
	for _, c := range []struct {
		name string
		d    store.DigestRecipient
		want indicators.Scope
		ok   bool
	}{
		{"coordinator of 76", store.DigestRecipient{Role: roles.Coordinator, Level: level(territory.LevelRegion), Region: "76"}, indicators.Region("76"), true},
		{"coordinator of 32", store.DigestRecipient{Role: roles.Coordinator, Level: level(territory.LevelRegion), Region: "32"}, indicators.Region("32"), true},
		{"coordinator of a region not served", store.DigestRecipient{Role: roles.Coordinator, Level: level(territory.LevelRegion), Region: "53"}, indicators.Scope{}, false},
		{"national coordinator", store.DigestRecipient{Role: roles.Coordinator, Level: level(territory.LevelNational)}, indicators.National(both), true},
		{"admin", store.DigestRecipient{Role: roles.Admin}, indicators.National(both), true},
	} {
		got, ok := scopeOf(c.d, both)
		if ok != c.ok || ok && got != c.want {
			t.Errorf("%s: %+v, %v; want %+v, %v", c.name, got, ok, c.want, c.ok)
		}
	}
}
