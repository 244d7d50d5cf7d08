package export_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/relais-sante/relais/internal/export"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/territory"
	"github.com/relais-sante/relais/internal/testenv"
)

// --departement reads the deployment's territories: its region (or all
// side by side), its groupings, its départements by code or name.
func TestScopeOfFollowsTheServedRegions(t *testing.T) {
	t.Parallel()
	occitanie, both := testenv.Served("76"), testenv.Served("32", "76")
	for _, c := range []struct {
		served territory.Served
		arg    string
		want   indicators.Scope
	}{
		{occitanie, "", indicators.Region("76")},
		{occitanie, "région", indicators.Region("76")},
		{occitanie, "31", indicators.Departement("31")},
		{occitanie, "Haute-Garonne", indicators.Departement("31")},
		{occitanie, "9", indicators.Departement("09")},
		{both, "", indicators.National(both)},
		{both, "national", indicators.National(both)},
		{both, "occitanie", indicators.Region("76")},
		{both, "hauts-de-france", indicators.Region("32")},
		{both, "picardie", indicators.Group("32", 0)},
		{both, "59", indicators.Departement("59")},
	} {
		if got, err := export.ScopeOf(c.arg, c.served); err != nil || got != c.want {
			t.Errorf("ScopeOf(%q, %d regions) = %+v, %v; want %+v", c.arg, len(c.served), got, err, c.want)
		}
	}
	for arg, want := range map[string]string{
		"59":       "département « 59 » inconnu (09, 11, 12, 30, 31, 32, 34, 46, 48, 65, 66, 81 ou 82)",
		"picardie": "département « picardie » inconnu (09, 11, 12, 30, 31, 32, 34, 46, 48, 65, 66, 81 ou 82)",
	} {
		if _, err := export.ScopeOf(arg, occitanie); err == nil || err.Error() != want {
			t.Errorf("ScopeOf(%q) under 76: %v, want %s", arg, err, want)
		}
	}
	if _, err := export.ScopeOf("31", testenv.Served("32")); err == nil || err.Error() != "département « 31 » inconnu (02, 59, 60, 62, 80 ou picardie)" {
		t.Errorf("ScopeOf(31) under 32: %v", err)
	}
}

// --annexe of a département names the region's own columns.
func TestAnnexeRefusalNamesTheRegionsColumns(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		served territory.Served
		dep    string
		want   string
	}{
		{testenv.Served("76"), "31", "--annexe couvre la région (colonnes : Région, Ariège, Aude, Aveyron, Gard, Haute-Garonne, Gers, Hérault, Lot, Lozère, " +
			"Hautes-Pyrénées, Pyrénées-Orientales, Tarn, Tarn-et-Garonne, ruraux, QPV) : retirez --departement"},
		{nil, "59", "--annexe couvre la région (colonnes : Région, Picardie, Nord, Pas-de-Calais, ruraux, QPV) : retirez --departement"},
	} {
		var out bytes.Buffer
		err := export.RunReport(context.Background(), nil, export.ReportArgs{From: "2024-01-01", To: "2024-12-31", Departement: c.dep, Annexe: true, Out: &out, Served: c.served})
		if err == nil || err.Error() != c.want {
			t.Errorf("--annexe --departement %s: %v, want %s", c.dep, err, c.want)
		}
		if out.Len() != 0 {
			t.Errorf("--annexe --departement %s wrote %q", c.dep, out.String())
		}
	}
}
