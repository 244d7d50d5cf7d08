package indicators

import (
	"fmt"
	"strings"
	"testing"

	"github.com/relais-sante/relais/internal/frtext"

	"github.com/relais-sante/relais/internal/codes"
)

// hugeReport is a region report with every code used, dozens of codes
// unknown to the catalogue (old imports) and large figures.
func hugeReport() *Report {
	r := &Report{Scope: Region("32"), Label: "Hauts-de-France", Period: Year(2024),
		ByDepartement: map[string]*Breakdown{}, Rights: newRequests("droits"), Care: newRequests("soins")}
	r.Total = newBreakdown("", "Hauts-de-France (58)")
	for i, d := range codes.Departements {
		b := newBreakdown(d.Code, fmt.Sprintf("%s (%d)", d.Label, 10+i))
		b.Sheets, b.Mediators = 250_000+i, 10+i
		b.Sex["F"], b.Sex["M"], b.Sex["X"] = 130_000, 119_000, 1_000+i
		b.QPV["oui"], b.QPV["non"] = 180_000, 70_000+i
		b.Age, b.AgeKnown = Mean{Sum: 42 * 250_000, N: 250_000}, 250_000
		r.ByDepartement[d.Code] = b
	}
	fill := func(m map[string]int, list codes.List, extra string) {
		for i, c := range list {
			m[c.Code] = 100_000 + i
		}
		for i := range 40 {
			m[fmt.Sprintf("%s_ancien_code_tres_long_numero_%02d", extra, i)] = 50_000 + i
		}
	}
	fill(r.Total.Resources, codes.Resources, "ressource")
	fill(r.Total.ContactMode, codes.ContactModes, "contact")
	fill(r.Total.Obstacles, codes.Obstacles, "frein")
	fill(r.Rights.ByType, codes.RightsTypes, "droit")
	fill(r.Care.ByType, codes.CareTypes, "soin")
	for _, m := range []map[string]int{r.Rights.ByType, r.Care.ByType} {
		for _, n := range m {
			r.Rights.Total += n
		}
	}
	r.Care.Total = r.Rights.Total
	r.Sheets, r.Mediators, r.People = 1_250_010, 58, 900_000
	r.Total.Sheets = r.Sheets
	r.FollowUps = FollowUps{Opened: 2_000_000, Resolved: 1_500_000, Overdue: 123_456, AsOf: "2025-01-06"}
	return r
}

func TestTextOfAHugeRegionReportFitsTelegram(t *testing.T) {
	t.Parallel()
	r := hugeReport()
	texts := map[string]string{"key figures": r.Summary(), "whole text": r.Text()}
	for _, s := range AllSections {
		texts[string(s)] = r.SectionText(s)
	}
	for name, text := range texts {
		if n := frtext.MessageLen(text); n > frtext.MaxMessage {
			t.Errorf("%s: message is %d UTF-16 units, Telegram allows %d", name, n, frtext.MaxMessage)
		}
	}
	for name, want := range map[string]string{
		"key figures": "Indicateurs – Hauts-de-France\nDu 01/01/2024 au 31/12/2024\n\nFiches : 1 250 010\n",
		"droits":      "Accès aux droits – Hauts-de-France\nDu 01/01/2024 au 31/12/2024\n\n5 601 625 demandes, dont 0 résolue (0 %)\nPar type :\n- Autre : 100 004 (2 %)\n",
	} {
		if !strings.HasPrefix(texts[name], want) {
			t.Errorf("%s does not start with %q:\n%s", name, want, texts[name])
		}
	}
	if !strings.Contains(texts["key figures"], "\nNord : 250 001 fiches, 11 médiateurs\n") {
		t.Errorf("the départements were dropped:\n%s", texts["key figures"])
	}
	// And the charts still render, the phone's with its first 11 bars.
	if _, err := Chart(r); err != nil {
		t.Errorf("chart: %v", err)
	}
	if png, err := SectionChart(r, SectionRights); err != nil || png == nil {
		t.Errorf("phone chart: %v", err)
	}
}

func TestFitCutsASingleOversizedSection(t *testing.T) {
	t.Parallel()
	got := fit([]string{strings.Repeat("é", 5000)})
	if frtext.MessageLen(got) != frtext.MaxMessage || !strings.HasPrefix(got, "éé") {
		t.Errorf("cut to %d units", frtext.MessageLen(got))
	}
	emoji := fit([]string{"header", strings.Repeat("📊", 3000)}) // 2 UTF-16 units each
	if emoji != "header" {
		t.Errorf("oversized second section kept: %d units", frtext.MessageLen(emoji))
	}
}

func TestReviewLineSaysPosteInTheSingular(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{0: "(0 poste)", 1: "(1 poste)", 4: "(4 postes)"} {
		r := &Report{Scope: Structure("59", "CCAS Roubaix"), Period: Year(2024)}
		got := r.textReview(&Review{Years: []int{2024}, Total: ReviewGroup{Posts: n}})
		if !strings.HasSuffix(got, want) {
			t.Errorf("%d posts: %q, want suffix %q", n, got, want)
		}
	}
}

func TestPluralTakesTheSingularBelowTwo(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{0: "0 demande", 1: "1 demande", 2: "2 demandes", 1250: "1 250 demandes"} {
		if got := frtext.Plural(n, "demande", "demandes"); got != want {
			t.Errorf("frtext.Plural(%d) = %q, want %q", n, got, want)
		}
	}
	r := &Report{Rights: Requests{Total: 1, Resolved: 1, ByType: map[string]int{}}}
	one := r.sectionBody(SectionRights)
	if !strings.HasPrefix(one, "1 demande, dont 1 résolue (100 %)") {
		t.Errorf("one request: %q", one)
	}
}

func TestTerminalTablesUseADecimalComma(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	err := WriteText(&b, []Table{{Title: "Actions", Header: []string{"Indicateur", "Ensemble"}, Rows: [][]any{{"Co-animées par médiateur", 8.8}, {"Médiateurs", 10}}}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "8,8") || strings.Contains(b.String(), "8.8") {
		t.Fatalf("table:\n%s", b.String())
	}
	if Cell(8.8) != "8.8" {
		t.Fatalf("CSV cell = %q, want the machine form 8.8", Cell(8.8))
	}
}

func TestOwnFiguresAreHeadedForTheMediator(t *testing.T) {
	t.Parallel()
	s := Mediator(12)
	s.Name = "Awa" // Compute's postName
	r := &Report{Scope: s, Label: s.Label(), Period: Year(2026)}
	if h := r.textHeader(); h != "Indicateurs – Awa\nDu 01/01/2026 au 31/12/2026" {
		t.Fatalf("a coordinator's view of a post: %q", h)
	}
	r.Own = true
	if h := r.textHeader(); h != "Vos chiffres\nDu 01/01/2026 au 31/12/2026" {
		t.Fatalf("the mediator's own view: %q", h)
	}
}

// A département without sheets says so rather than "0 %", and a mean over
// no mediator is "–" in a terminal table, not 0.
func TestEmptyFiguresAreNotZeroPercent(t *testing.T) {
	t.Parallel()
	nord := &Breakdown{Code: "59", Label: "Nord (2)", Sheets: 4, Mediators: 2, Sex: map[string]int{"F": 3}, QPV: map[string]int{"oui": 2}}
	r := &Report{Sheets: 4, Total: nord, ByDepartement: map[string]*Breakdown{
		"02": {Code: "02", Label: "Aisne (0)"},
		"59": nord,
	}}
	if got := r.textDepartements(); got != "Par département : fiches, médiateurs actifs\nAisne : aucune fiche\nNord : 4 fiches, 2 médiateurs" {
		t.Errorf("key figures' départements:\n%s", got)
	}
	if got := r.textPublics(); !strings.Contains(got, "\nAisne : aucune fiche\nNord : 4 · 3 (75 %) · 2 (50 %)") {
		t.Errorf("publics' départements:\n%s", got)
	}
	var b strings.Builder
	if err := WriteText(&b, []Table{{Title: "Synthèse", Header: []string{"Indicateur", "Valeur"}, Rows: [][]any{{"Personnes par médiateur", meanCell(Mean{})}}}}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(b.String(), "médiateur       –\n") {
		t.Fatalf("table:\n%s", b.String())
	}
}

func TestChartTicksAreWholeCounts(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		max  float64
		want string
	}{
		{1.18, "0 1"},
		{5.9, "0 1 2 3 4 5"},
		{14, "0 5 10"},
		{2300, "0 500 1 000 1 500 2 000"},
	} {
		var got []string
		for _, tk := range (CountTicks{}).Ticks(0, c.max) {
			got = append(got, tk.Label)
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("ticks to %v = %q, want %q", c.max, strings.Join(got, " "), c.want)
		}
	}
}
