package territory_test

import (
	"slices"
	"testing"

	"github.com/relais-sante/relais/internal/territory"
)

func TestReferenceLoads(t *testing.T) {
	if n := len(territory.Regions()); n < 18 {
		t.Errorf("%d regions, want at least the 13 metropolitan and 5 overseas ones", n)
	}
	hdf, ok := territory.FindRegion("32")
	if !ok || hdf.Name != "Hauts-de-France" {
		t.Fatalf("region 32 = %+v, %v", hdf, ok)
	}
	var codes, names []string
	for _, d := range hdf.Departements() {
		codes, names = append(codes, d.Code), append(names, d.Name)
	}
	if want := []string{"02", "59", "60", "62", "80"}; !slices.Equal(codes, want) {
		t.Errorf("départements of 32 = %v, want %v", codes, want)
	}
	if want := []string{"Aisne", "Nord", "Oise", "Pas-de-Calais", "Somme"}; !slices.Equal(names, want) {
		t.Errorf("names = %v, want %v", names, want)
	}
	occ, ok := territory.FindRegion("76")
	if !ok || occ.Name != "Occitanie" || len(occ.Departements()) != 13 {
		t.Errorf("region 76 = %+v with %d départements, want Occitanie with 13", occ, len(occ.Departements()))
	}
	if d, ok := territory.FindDepartement("2A"); !ok || d.Name != "Corse-du-Sud" || d.Region != "94" {
		t.Errorf("2A = %+v, %v", d, ok)
	}
}

func TestRegionOf(t *testing.T) {
	for code, want := range map[string]string{
		"32": "des Hauts-de-France", "76": "d'Occitanie", "53": "de Bretagne",
		"04": "de La Réunion", "24": "du Centre-Val de Loire",
	} {
		r, _ := territory.FindRegion(code)
		if got := r.Of(); got != want {
			t.Errorf("region %s: Of() = %q, want %q", code, got, want)
		}
	}
}

func TestAnnexeGroupings(t *testing.T) {
	hdf, _ := territory.FindRegion("32")
	got := hdf.Annexe()
	want := []territory.Group{
		{Name: "Picardie", Short: "Picardie", Departements: []string{"02", "60", "80"}},
		{Name: "Nord", Short: "Nord", Departements: []string{"59"}},
		{Name: "Pas-de-Calais", Short: "P.-de-C.", Departements: []string{"62"}},
	}
	if !slices.EqualFunc(got, want, equalGroup) {
		t.Errorf("Annexe of 32 = %+v, want %+v", got, want)
	}
	occ, _ := territory.FindRegion("76")
	var names []string
	for _, g := range occ.Annexe() {
		if len(g.Departements) != 1 {
			t.Errorf("Occitanie column %+v: want one département per column", g)
		}
		names = append(names, g.Name)
	}
	want76 := []string{"Ariège", "Aude", "Aveyron", "Gard", "Haute-Garonne", "Gers", "Hérault", "Lot",
		"Lozère", "Hautes-Pyrénées", "Pyrénées-Orientales", "Tarn", "Tarn-et-Garonne"}
	if !slices.Equal(names, want76) {
		t.Errorf("Occitanie columns = %v, want %v", names, want76)
	}
}

func equalGroup(a, b territory.Group) bool {
	return a.Name == b.Name && a.Short == b.Short && slices.Equal(a.Departements, b.Departements)
}

func TestServe(t *testing.T) {
	s, err := territory.Serve([]string{"32", "76"})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s.Departements()); n != 18 {
		t.Errorf("%d départements served, want 5 + 13", n)
	}
	if _, ok := s.Departement("59"); !ok {
		t.Error("59 not served under 32,76")
	}
	only76, err := territory.Serve([]string{"76"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := only76.Departement("59"); ok {
		t.Error("59 served under 76 alone")
	}
	if d, ok := only76.Departement("31"); !ok || d.Name != "Haute-Garonne" {
		t.Errorf("31 under 76 = %+v, %v", d, ok)
	}
	for _, bad := range [][]string{nil, {"99"}, {"32", "32"}, {"59x"}} {
		if _, err := territory.Serve(bad); err == nil {
			t.Errorf("Serve(%q) accepted", bad)
		}
	}
	if _, err := territory.Serve([]string{"99"}); err == nil || err.Error() != "région « 99 » inconnue : indiquez un code INSEE de région (32 Hauts-de-France, 76 Occitanie…)" {
		t.Errorf("Serve(99) = %v", err)
	}
}
