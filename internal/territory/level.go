// Package territory names the territories Relais serves: the French regions
// and départements (the Code officiel géographique, embedded as data), the
// regions a deployment serves, how a region's Annexe 1 groups its
// départements, and the level a coordinator covers (a region, a
// département, a structure).
package territory

// Level is how wide a coordinator's territory is, as stored in
// coordinators.scope and invitations.scope.
type Level string

// The levels, widest first.
const (
	// LevelNational covers every region the deployment serves, side by
	// side (a national coordination); it has no region of its own.
	LevelNational Level = "national"
	// LevelRegion covers a whole region.
	LevelRegion Level = "region"
	// LevelDepartement covers one département.
	LevelDepartement Level = "departement"
	// LevelStructure covers one employing structure of a département.
	LevelStructure Level = "structure"
)
