package indicators

import (
	"bytes"
	"fmt"
	"html"
	"image/png"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg/vgsvg"
)

// phoneReport has three rights types, two care types and two obstacles.
func phoneReport() *Report {
	r := &Report{Scope: Region("32"), Label: "Hauts-de-France", Period: Year(2024), Rights: newRequests("droits"), Care: newRequests("soins")}
	r.Total = newBreakdown("", "")
	r.Rights.ByType["css"], r.Rights.ByType["frais_specialiste"], r.Rights.ByType["autre"] = 12, 3, 5
	r.Rights.Total = 20
	r.Care.ByType["recherche_ps"], r.Care.ByType["autre"] = 7, 1
	r.Care.Total = 8
	r.Total.Obstacles["demarches"], r.Total.Obstacles["langue"] = 6, 2
	r.Sheets = 10
	return r
}

// phoneTexts draws a phone plot as SVG, at the PNG's size, and returns
// each text with its size in pixels of the PNG.
func phoneTexts(t *testing.T, title string, bars []phoneBar, total int) map[string]float64 {
	t.Helper()
	p, err := phonePlot(title, bars, total)
	if err != nil {
		t.Fatal(err)
	}
	c := vgsvg.New(px(phoneWidthPx), px(phoneHeightPx))
	drawPhone(p, c)
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, m := range regexp.MustCompile(`<text[^>]*font-size:([0-9.]+)px[^>]*>([^<]*)</text>`).FindAllSubmatch(buf.Bytes(), -1) {
		size, err := strconv.ParseFloat(string(m[1]), 64)
		if err != nil {
			t.Fatal(err)
		}
		out[html.UnescapeString(string(m[2]))] = size * phoneDPI / 72 // SVG user units are points
	}
	return out
}

// The chat's charts are 1280×960 and every word on them is at least 24 px
// high at that size, in the sans-serif of the chat.
func TestPhoneChartsAreLargeEnoughForAPhone(t *testing.T) {
	t.Parallel()
	r := phoneReport()
	for _, s := range []Section{SectionRights, SectionCare, SectionObstacles} {
		b, err := SectionChart(r, s)
		if err != nil || b == nil {
			t.Fatalf("%s: no chart (%v)", s, err)
		}
		img, err := png.DecodeConfig(bytes.NewReader(b))
		if err != nil || img.Width != 1280 || img.Height != 960 {
			t.Errorf("%s: %dx%d (%v), want 1280x960", s, img.Width, img.Height, err)
		}
	}
	texts := phoneTexts(t, "Demandes d'accès aux droits, par type", []phoneBar{{"Complémentaire Santé Solidaire", 12, false}, {"Autre", 5, false}}, 17)
	for _, want := range []string{"Demandes d'accès aux droits, par type", "Complémentaire Santé Solidaire", "Autre", "12 (71 %)", "5 (29 %)"} {
		size, ok := texts[want]
		if !ok {
			t.Errorf("no text %q on the chart: %v", want, texts)
			continue
		}
		if size < 24 {
			t.Errorf("%q is %.1f px high, at least 24", want, size)
		}
	}
	for _, s := range []Section{SectionPublics, SectionActions, SectionReviews} {
		if b, err := SectionChart(r, s); b != nil || err != nil {
			t.Errorf("%s: a chart (%v) for a section that has none", s, err)
		}
	}
	empty := &Report{Scope: Region("32"), Label: "Hauts-de-France", Period: Year(2024), Rights: newRequests("droits"), Care: newRequests("soins"), Total: newBreakdown("", "")}
	for _, s := range []Section{SectionRights, SectionCare, SectionObstacles} {
		if b, err := SectionChart(empty, s); b != nil || err != nil {
			t.Errorf("%s: a chart (%v) without data", s, err)
		}
	}
}

// The Monday summary's chart tells the two "Autre" apart, and colours
// care requests apart from rights.
func TestRequestsPhoneChartNamesEachKindsOther(t *testing.T) {
	t.Parallel()
	r := phoneReport()
	if b, err := RequestsPhoneChart(r); err != nil || b == nil {
		t.Fatalf("no chart (%v)", err)
	}
	var got []string
	for _, b := range requestBars(r) {
		if b.n > 0 {
			got = append(got, fmt.Sprintf("%s %d %t", b.label, b.n, b.care))
		}
	}
	want := "Aides pour frais de spécialiste 3 false|Complémentaire Santé Solidaire 12 false|Autre (droits) 5 false|Recherche d'un professionnel de santé 7 true|Autre (soins) 1 true"
	if strings.Join(got, "|") != want {
		t.Errorf("bars %s\nwant %s", strings.Join(got, "|"), want)
	}
}
