package question

import (
	"strings"
	"testing"

	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/territory"
	"github.com/relais-sante/relais/internal/testenv"
)

var (
	occitanie = testenv.Served("76")
	both      = testenv.Served("32", "76")
	coord76   = indicators.Viewer{Role: roles.Coordinator, Level: territory.LevelRegion, Region: "76"}
	coord32   = indicators.Viewer{Role: roles.Coordinator, Level: territory.LevelRegion, Region: "32"}
	admin     = indicators.Viewer{Role: roles.Admin}
)

// answer is the first line of what the bot answers v who types text in a
// deployment serving served (as reply, for any deployment).
func answer(served territory.Served, v indicators.Viewer, text string) string {
	q := NewParser(served, nil).Parse(text, today)
	var out string
	switch {
	case len(q.Foreign) > 0:
		out = ForeignPlaces(served, q, v, "")
	case !q.Understood():
		out = NotUnderstood(q)
	default:
		s, refusal := Scope(served, q, v)
		if refusal != "" {
			out = refusal
			break
		}
		out = Text(q, s, s.Label(), q.Period, FigureOf(q, &indicators.Report{Scope: s}), nil)
	}
	line, _, _ := strings.Cut(out, "\n")
	return line
}

const occitanieNames = "Ariège, Aude, Aveyron, Gard, Haute-Garonne, Gers, Hérault, Lot, Lozère, Hautes-Pyrénées, Pyrénées-Orientales, Tarn, Tarn-et-Garonne"

func TestQuestionsInAnOccitanieDeployment(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		served territory.Served
		viewer indicators.Viewer
		text   string
		want   string
	}{
		// « la région » is the asker's
		{occitanie, coord76, "combien de fiches dans la région en 2024", "Compris : fiches d'accompagnement – Occitanie – du 01/01/2024 au 31/12/2024 – unité : fiches."},
		{occitanie, coord76, "nombre de fiches régional en 2024", "Compris : fiches d'accompagnement – Occitanie – du 01/01/2024 au 31/12/2024 – unité : fiches."},
		{both, coord76, "combien de fiches dans la région en 2024", "Compris : fiches d'accompagnement – Occitanie – du 01/01/2024 au 31/12/2024 – unité : fiches."},
		{both, indicators.Viewer{Role: roles.Coordinator, Level: territory.LevelDepartement, Departement: "31"}, "combien de fiches dans la région en 2024",
			"Occitanie ne fait pas partie de votre territoire. Vous pouvez poser vos questions sur : Haute-Garonne, Postes ruraux – Haute-Garonne, Postes en QPV – Haute-Garonne, les structures de ce territoire."},
		{both, coord32, "combien de fiches dans la région en 2024", "Compris : fiches d'accompagnement – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : fiches."},
		{both, admin, "combien de fiches en 2024", "Compris : fiches d'accompagnement – Hauts-de-France et Occitanie – du 01/01/2024 au 31/12/2024 – unité : fiches."},
		// the served regions and départements, by name or number
		{occitanie, coord76, "combien de fiches en Occitanie en 2024", "Compris : fiches d'accompagnement – Occitanie – du 01/01/2024 au 31/12/2024 – unité : fiches."},
		{occitanie, coord76, "fiches en haute garonne en 2024", "Compris : fiches d'accompagnement – Haute-Garonne – du 01/01/2024 au 31/12/2024 – unité : fiches."},
		{occitanie, coord76, "fiches dans le 34 en 2024", "Compris : fiches d'accompagnement – Hérault – du 01/01/2024 au 31/12/2024 – unité : fiches."},
		{occitanie, coord76, "fiches en milieu rural dans le Gers en 2024", "Compris : fiches d'accompagnement – Postes ruraux – Gers – du 01/01/2024 au 31/12/2024 – unité : fiches."},
		{both, admin, "fiches en Picardie en 2024", "Compris : fiches d'accompagnement – Picardie (Aisne, Oise, Somme) – du 01/01/2024 au 31/12/2024 – unité : fiches."},
		// another region's names are places Relais does not count by
		{occitanie, coord76, "fiches dans le Nord en 2024", "« Nord » ne fait pas partie des territoires de Relais."},
		{occitanie, coord76, "fiches en Picardie", "« Picardie » ne fait pas partie des territoires de Relais."},
		{occitanie, coord76, "fiches en HDF", "« HDF » ne fait pas partie des territoires de Relais."},
		{occitanie, coord76, "fiches dans le 59", "« le 59 (Nord) » ne fait pas partie des territoires de Relais."},
		{hdf, coord32, "fiches en Occitanie", "« Occitanie » ne fait pas partie des territoires de Relais."},
		{hdf, coord32, "fiches en Haute-Garonne", "« Haute-Garonne » ne fait pas partie des territoires de Relais."},
		// a served region that is not the asker's is refused
		{both, coord76, "fiches en Picardie en 2024", "Picardie (Aisne, Oise, Somme) ne fait pas partie de votre territoire. Vous pouvez poser vos questions sur : Occitanie, " +
			occitanieNames + ", Postes ruraux, Postes en QPV, les structures de ce territoire."},
		{both, coord76, "fiches dans le Nord en 2024", "Nord ne fait pas partie de votre territoire. Vous pouvez poser vos questions sur : Occitanie, " +
			occitanieNames + ", Postes ruraux, Postes en QPV, les structures de ce territoire."},
		{both, coord32, "fiches en Occitanie en 2024", "Occitanie ne fait pas partie de votre territoire. Vous pouvez poser vos questions sur : Hauts-de-France, " +
			"Picardie (Aisne, Oise, Somme), Aisne, Nord, Oise, Pas-de-Calais, Somme, Postes ruraux, Postes en QPV, les structures de ce territoire."},
	} {
		if got := answer(c.served, c.viewer, c.text); got != c.want {
			t.Errorf("%q (%d regions, %s):\n got  %s\n want %s", c.text, len(c.served), c.viewer.Role, got, c.want)
		}
	}
}

// The help sentence lists the asker's region's territories.
func TestTerritoriesNamesTheAsker(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		served territory.Served
		viewer indicators.Viewer
		want   string
	}{
		{hdf, coord32, "Relais compte par territoire : la région Hauts-de-France, ses départements (Aisne, Nord, Oise, Pas-de-Calais, Somme), " +
			"la Picardie (Aisne, Oise, Somme), les postes ruraux, les postes en QPV, et les structures, par une partie de leur nom."},
		{occitanie, coord76, "Relais compte par territoire : la région Occitanie, ses départements (" + occitanieNames +
			"), les postes ruraux, les postes en QPV, et les structures, par une partie de leur nom."},
		{both, coord76, "Relais compte par territoire : la région Occitanie, ses départements (" + occitanieNames +
			"), les postes ruraux, les postes en QPV, et les structures, par une partie de leur nom."},
		{both, admin, "Relais compte par territoire : les régions Hauts-de-France et Occitanie, leurs départements (Aisne, Nord, Oise, Pas-de-Calais, Somme, " +
			occitanieNames + "), la Picardie (Aisne, Oise, Somme), les postes ruraux, les postes en QPV, et les structures, par une partie de leur nom."},
	} {
		if got := Territories(c.served, c.viewer, ""); got != c.want {
			t.Errorf("Territories(%d regions, %+v):\n got  %s\n want %s", len(c.served), c.viewer, got, c.want)
		}
	}
}
