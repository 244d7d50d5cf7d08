package bot

import "github.com/relais-sante/relais/internal/roles"

// RegistryEntry is one entry of the registry as the role × entry-point
// test sees it.
type RegistryEntry struct {
	Roles  []roles.Role
	Routed bool // false: read before routing (the words of a form in progress)
}

// Registry is the registry by command or button prefix.
func Registry() map[string]RegistryEntry {
	out := map[string]RegistryEntry{}
	for _, r := range registry() {
		out[r.entry] = RegistryEntry{Roles: r.roles, Routed: r.run != nil}
	}
	return out
}
