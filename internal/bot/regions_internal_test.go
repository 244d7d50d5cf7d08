package bot

import (
	"testing"

	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/territory"
)

// mayInvite keeps each level to its own: whatever region an invitation
// names, a regional coordinator invites neither a national coordinator nor
// an admin, and a national coordinator no admin. The buttons never offer
// these (TestTwoRegionsInvitations, TestNationalCoordinatorInvitesAndManagesEveryRegion);
// this is the rule a forged or future path would meet.
func TestMayInviteKeepsEachLevelToItsOwn(t *testing.T) {
	t.Parallel()
	regional := &store.User{Role: roles.Coordinator, Coordinator: &store.Coordinator{Level: territory.LevelRegion, Region: "76"}}
	national := &store.User{Role: roles.Coordinator, Coordinator: &store.Coordinator{Level: territory.LevelNational}}
	for _, c := range []struct {
		name string
		u    *store.User
		inv  store.Invitation
		want bool
	}{
		{"regional → regional of their region", regional, store.Invitation{Role: roles.Coordinator, Level: territory.LevelRegion, Region: "76"}, true},
		{"regional → regional of another region", regional, store.Invitation{Role: roles.Coordinator, Level: territory.LevelRegion, Region: "32"}, false},
		{"regional → national naming their region", regional, store.Invitation{Role: roles.Coordinator, Level: territory.LevelNational, Region: "76"}, false},
		{"regional → admin", regional, store.Invitation{Role: roles.Admin, Region: "76"}, false},
		{"national → national", national, store.Invitation{Role: roles.Coordinator, Level: territory.LevelNational}, true},
		{"national → regional of any region", national, store.Invitation{Role: roles.Coordinator, Level: territory.LevelRegion, Region: "32"}, true},
		{"national → admin", national, store.Invitation{Role: roles.Admin}, false},
	} {
		if got := mayInvite(c.u, c.inv); got != c.want {
			t.Errorf("%s: mayInvite = %v, want %v", c.name, got, c.want)
		}
	}
}
