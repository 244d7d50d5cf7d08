package territory

import (
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// The reference is the Code officiel géographique as published by
// @etalab/decoupage-administratif (data/SOURCE says which version;
// scripts/territories.sh refreshes it), never typed by hand. annexe.json is
// ours: how a region's Annexe 1 groups its départements.
//
//go:embed data/regions.json data/departements.json annexe.json
var files embed.FS

// Region is a French region.
type Region struct {
	Code string // INSEE code: "32"
	Name string // "Hauts-de-France"
	// liaison is the COG's typeLiaison (TNCC): which article the name takes.
	liaison int
}

// Departement is a French département.
// Its fields read straight from the reference's JSON.
type Departement struct {
	Code   string `json:"code"`   // INSEE code: "59", "2A"
	Name   string `json:"nom"`    // "Nord"
	Region string `json:"region"` // its region's code
}

// Group is one column of a region's Annexe 1: the départements it adds up,
// named (Picardie) or, for one département, by that département.
type Group struct {
	Name         string
	Short        string // for a narrow table; Name when empty
	Departements []string
}

type reference struct {
	regions      []Region
	departements []Departement
	annexe       map[string][]Group
}

// ref reads the embedded files once; they are part of the binary and
// TestReferenceLoads checks them, so an error here is a build mistake.
var ref = sync.OnceValue(func() reference {
	r, err := load()
	if err != nil {
		panic(fmt.Sprintf("territory: embedded reference: %v", err))
	}
	return r
})

func load() (reference, error) {
	var out reference
	var regions []struct {
		Code    string `json:"code"`
		Name    string `json:"nom"`
		Liaison int    `json:"typeLiaison"`
	}
	if err := readJSON("data/regions.json", &regions); err != nil {
		return out, err
	}
	for _, r := range regions {
		out.regions = append(out.regions, Region{Code: r.Code, Name: r.Name, liaison: r.Liaison})
	}
	if err := readJSON("data/departements.json", &out.departements); err != nil {
		return out, err
	}
	if err := readJSON("annexe.json", &out.annexe); err != nil {
		return out, err
	}
	for code, groups := range out.annexe {
		for _, g := range groups {
			for _, d := range g.Departements {
				if dep, ok := findDepartement(out.departements, d); !ok || dep.Region != code {
					return out, fmt.Errorf("annexe.json: département %q is not in region %q", d, code)
				}
			}
		}
	}
	return out, nil
}

func readJSON(name string, v any) error {
	b, err := files.ReadFile(name)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %s: %w", name, err)
	}
	return nil
}

func findDepartement(deps []Departement, code string) (Departement, bool) {
	for _, d := range deps {
		if d.Code == code {
			return d, true
		}
	}
	return Departement{}, false
}

// Regions lists every region, in the reference's order.
func Regions() []Region { return slices.Clone(ref().regions) }

// FindRegion is the region of INSEE code code.
func FindRegion(code string) (Region, bool) {
	for _, r := range ref().regions {
		if r.Code == code {
			return r, true
		}
	}
	return Region{}, false
}

// FindDepartement is the département of INSEE code code.
func FindDepartement(code string) (Departement, bool) {
	return findDepartement(ref().departements, code)
}

// Departements lists the region's départements by code.
func (r Region) Departements() []Departement {
	var out []Departement
	for _, d := range ref().departements {
		if d.Region == r.Code {
			out = append(out, d)
		}
	}
	return out
}

// Of is the region's name after « de », with its article: « des
// Hauts-de-France », « d'Occitanie », « de Bretagne », « de La Réunion ».
func (r Region) Of() string {
	switch r.liaison {
	case 1:
		return "d'" + r.Name
	case 2:
		return "du " + r.Name
	case 3:
		return "de la " + r.Name
	case 4:
		return "des " + r.Name
	case 5:
		return "de l'" + r.Name
	}
	return "de " + r.Name
}

// Annexe lists the columns of the region's Annexe 1 between the whole
// region and the rural and QPV posts: its groupings when annexe.json has
// some, else one column per département.
func (r Region) Annexe() []Group {
	groups, ok := ref().annexe[r.Code]
	if !ok {
		for _, d := range r.Departements() {
			groups = append(groups, Group{Departements: []string{d.Code}})
		}
	}
	out := make([]Group, len(groups))
	for i, g := range groups {
		g.Departements = slices.Clone(g.Departements)
		if g.Name == "" {
			names := make([]string, len(g.Departements))
			for j, code := range g.Departements {
				d, _ := FindDepartement(code)
				names[j] = d.Name
			}
			g.Name = strings.Join(names, " + ")
		}
		if g.Short == "" {
			g.Short = g.Name
		}
		out[i] = g
	}
	return out
}

// Departements lists every département, in the reference's order (by
// code): the order every report lists them in.
func Departements() []Departement { return slices.Clone(ref().departements) }
