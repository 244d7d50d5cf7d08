package bot

import (
	"strings"

	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/territory"
)

// The regions a deployment serves (RELAIS_REGIONS, Options.Regions) are
// named wherever the bot names a place: a person's region comes from their
// row (a coordinator's region, a mediator's département), never from a
// constant, so one deployment can serve several regions side by side.

// defaultServed is what a Bot serves when Options.Regions is empty: the
// Hauts-de-France, as config's default.
func defaultServed() territory.Served {
	s, err := territory.Serve([]string{store.DefaultRegion})
	if err != nil {
		panic("bot: the default region is not in the embedded reference: " + err.Error())
	}
	return s
}

// depName is a département's name ("Nord"), or its code when unknown.
func depName(code string) string {
	if d, ok := territory.FindDepartement(code); ok {
		return d.Name
	}
	return code
}

// regionOfCode is the region of INSEE code code; an empty code is the
// region of the rows from before regions were recorded.
func regionOfCode(code string) (territory.Region, bool) {
	if code == "" {
		code = store.DefaultRegion
	}
	return territory.FindRegion(code)
}

// coordinatorRegion is the INSEE code of a regional (or narrower)
// coordinator's region; empty for a national one.
func coordinatorRegion(c *store.Coordinator) string {
	switch {
	case c.Level == territory.LevelNational:
		return ""
	case c.Departement != "":
		if d, ok := territory.FindDepartement(c.Departement); ok {
			return d.Region
		}
	case c.Region == "":
		return store.DefaultRegion
	}
	return c.Region
}

// national says whether u sees every served region: an admin, or a
// national coordinator.
func national(u *store.User) bool {
	return u.Role == roles.Admin || (u.Coordinator != nil && u.Coordinator.Level == territory.LevelNational)
}

// userRegion is the one region u belongs to: a coordinator's, a
// mediator's département's; for who sees every region (admins, national
// coordinators), the region served when there is only one.
func (b *Bot) userRegion(u *store.User) (territory.Region, bool) {
	switch {
	case u.Coordinator != nil && u.Coordinator.Level != territory.LevelNational:
		return regionOfCode(coordinatorRegion(u.Coordinator))
	case u.Mediator != nil:
		if d, ok := territory.FindDepartement(u.Mediator.Departement); ok {
			return territory.FindRegion(d.Region)
		}
	case len(b.served) == 1:
		return b.served[0], true
	}
	return territory.Region{}, false
}

// servedNames lists the served regions' names: « Hauts-de-France et
// Occitanie ».
func (b *Bot) servedNames() string {
	names := make([]string, len(b.served))
	for i, r := range b.served {
		names[i] = r.Name
	}
	return andList(names)
}

// servedOf names the served regions after « de »: « des Hauts-de-France »,
// « des Hauts-de-France et d'Occitanie ».
func (b *Bot) servedOf() string {
	of := make([]string, len(b.served))
	for i, r := range b.served {
		of[i] = r.Of()
	}
	return andList(of)
}

func andList(list []string) string {
	if len(list) < 2 {
		return strings.Join(list, "")
	}
	return strings.Join(list[:len(list)-1], ", ") + " et " + list[len(list)-1]
}

// territoryName names a coordinator's territory: « région Occitanie »,
// « Nord », « CCAS Roubaix, Nord », « national : Hauts-de-France et
// Occitanie ».
func (b *Bot) territoryName(c *store.Coordinator) string {
	switch c.Level {
	case territory.LevelNational:
		return "national : " + b.servedNames()
	case territory.LevelRegion:
		if r, ok := regionOfCode(c.Region); ok {
			return "région " + r.Name
		}
		return "région " + c.Region
	case territory.LevelDepartement:
		return depName(c.Departement)
	default:
		return c.Structure + ", " + depName(c.Departement)
	}
}

// regionButton is the token of a region in /inviter's data: « r76 ».
func regionToken(code string) string { return "r" + code }
