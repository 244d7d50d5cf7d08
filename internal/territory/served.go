package territory

import (
	"errors"
	"fmt"
	"slices"
)

// Served is the regions one deployment serves (RELAIS_REGIONS), in the
// order configured: every list of regions and départements it shows
// follows it.
type Served []Region

// Serve reads the INSEE region codes a deployment serves. Errors are
// French: an operator reads them at start.
func Serve(codes []string) (Served, error) {
	if len(codes) == 0 {
		return nil, errors.New("aucune région servie : indiquez au moins un code INSEE de région, par exemple 32 pour les Hauts-de-France")
	}
	var out Served
	for _, code := range codes {
		r, ok := FindRegion(code)
		if !ok {
			return nil, fmt.Errorf("région « %s » inconnue : indiquez un code INSEE de région (32 Hauts-de-France, 76 Occitanie…)", code)
		}
		if slices.Contains(out, r) {
			return nil, fmt.Errorf("région « %s » indiquée deux fois", code)
		}
		out = append(out, r)
	}
	return out, nil
}

// Region is the served region of INSEE code code.
func (s Served) Region(code string) (Region, bool) {
	for _, r := range s {
		if r.Code == code {
			return r, true
		}
	}
	return Region{}, false
}

// Departements lists the served départements, region by region.
func (s Served) Departements() []Departement {
	var out []Departement
	for _, r := range s {
		out = append(out, r.Departements()...)
	}
	return out
}

// Departement is the served département of INSEE code code: false for a
// département of a region the deployment does not serve.
func (s Served) Departement(code string) (Departement, bool) {
	d, ok := FindDepartement(code)
	if !ok {
		return Departement{}, false
	}
	if _, served := s.Region(d.Region); !served {
		return Departement{}, false
	}
	return d, true
}
