package indicators

import (
	"bytes"
	"html"
	"regexp"
	"slices"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// svgText is every text drawn on the requests chart, in drawing order.
func svgText(t *testing.T, r *Report) []string {
	t.Helper()
	p, height, err := requestsPlot(r)
	if err != nil {
		t.Fatal(err)
	}
	return plotText(t, p, height)
}

// plotText is every text drawn on a plot, in drawing order, read from its SVG.
func plotText(t *testing.T, p *plot.Plot, height float64) []string {
	t.Helper()
	wt, err := p.WriterTo(7*vg.Inch, vg.Length(height)*vg.Inch, "svg")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := wt.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range regexp.MustCompile(`<text[^>]*>([^<]*)</text>`).FindAllSubmatch(buf.Bytes(), -1) {
		out = append(out, html.UnescapeString(string(m[1])))
	}
	return out
}

// The chart says what it shows: its title names the territory and the
// period, each type with requests is a bar named by its button text and
// labelled with its count, a type without any is left out.
func TestChartTitlesBarsAndCounts(t *testing.T) {
	t.Parallel()
	r := &Report{Scope: Departement("59"), Label: "Nord", Period: Year(2024), Rights: newRequests("droits"), Care: newRequests("soins")}
	r.Rights.ByType["prestations_sante"] = 1929
	r.Rights.ByType["frais_specialiste"] = 247
	r.Care.ByType["rdv"] = 12
	got := svgText(t, r)
	// Title, period, axis and its ticks (French thousands), the bar names
	// from the bottom up (the first rights type on top), their counts, the
	// legend. No "Conseil santé", "Autre"…: they have no request.
	want := []string{
		"Demandes par type – Nord", "du 01/01/2024 au 31/12/2024", "Nombre de demandes",
		"0", "500", "1 000", "1 500", "2 000",
		"Prise de RDV", "Prestations de santé", "Aides pour frais de spécialiste",
		"12", "1 929", "247",
		"Accès aux droits", "Accès aux soins",
	}
	if !slices.Equal(got, want) {
		t.Errorf("chart texts\n%q\nwant\n%q", got, want)
	}

	empty := svgText(t, &Report{Scope: Region("32"), Label: "Hauts-de-France", Period: Year(2024), Rights: newRequests("droits"), Care: newRequests("soins")})
	if !slices.Contains(empty, "(aucune demande)") || !slices.Contains(empty, "Demandes par type – Hauts-de-France") {
		t.Errorf("empty chart: %q", empty)
	}
}

// A ranking chart names its title, at most limit bars from the first (on
// top) down, long labels cut at 42 characters, each bar's share in %.
func TestRankChartTitleBarsAndShares(t *testing.T) {
	t.Parallel()
	ranks := []Rank{
		{Code: "nutrition", Label: "Nutrition", Count: 12, Pct: 40},
		{Code: "long", Label: "Prévention des risques liés aux écrans et au sommeil chez les jeunes", Count: 9, Pct: 30},
		{Code: "vaccination", Label: "Vaccination", Count: 6, Pct: 20},
		{Code: "autre", Label: "Autre", Count: 3, Pct: 10},
	}
	p, height, err := rankPlot("Thèmes des actions", ranks, 3)
	if err != nil {
		t.Fatal(err)
	}
	got := plotText(t, p, height)
	want := []string{
		"Thèmes des actions", "%", "0", "10", "20", "30", "40",
		"Vaccination", "Prévention des risques liés aux écrans et…", "Nutrition",
		"20 %", "30 %", "40 %",
	}
	if !slices.Equal(got, want) {
		t.Errorf("ranking chart texts\n%q\nwant\n%q", got, want)
	}
	p, height, err = rankPlot("Publics", nil, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got := plotText(t, p, height); !slices.Contains(got, "Publics") || !slices.Contains(got, "(aucune donnée)") {
		t.Errorf("empty ranking chart: %q", got)
	}
}
