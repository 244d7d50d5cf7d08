package bot_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image/png"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegramtest"
)

// sectionButtons are the six parts of a figures result, in their order.
var sectionButtons = []string{"Droits", "Soins", "Publics", "Freins", "Actions", "Bilans"}

// regionWithHistory seeds 3 sheets in the Nord and 5 in the Pas-de-Calais
// in November 2026, 2 in the Somme a year earlier, and returns a regional
// coordinator.
func regionWithHistory(h *harness) *telegramtest.User {
	h.mediator(4701, "Awa", "59")
	h.mediator(4702, "Léa", "62")
	h.mediator(4703, "Zoé", "80")
	h.seedSheets(4701, 3, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	h.seedSheets(4702, 5, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	h.seedSheets(4703, 2, time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC))
	return h.coordinator(4710, store.Invitation{Level: "region"})
}

// The regional /indicateurs fits a phone screen: the key figures first,
// the comparison said once, and a button per section.
func TestRegionalIndicatorsOpenWithKeyFiguresAndSectionButtons(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	region := regionWithHistory(h)
	region.Send("/indicateurs 01/01/2026 31/12/2026")
	region.Expect("Quel territoire")
	region.Press("Hauts-de-France")
	summary := region.Expect("Indicateurs – Hauts-de-France")

	if n := strings.Count(summary.Text, "\n") + 1; n > 25 {
		t.Errorf("the key figures take %d lines, at most 25:\n%s", n, summary.Text)
	}
	for _, want := range []string{
		"Indicateurs – Hauts-de-France\nDu 01/01/2026 au 31/12/2026\nEntre parenthèses : les chiffres de 2025, un an plus tôt.\n",
		"\nFiches : 8 (2)\n",
		"\nPersonnes distinctes : 8 (2)\n",
		"\nMédiateurs actifs : 2 sur 3 postes (1)\n",
		"\nDemandes d'accès aux droits : 8 (2), résolues à 63 %\n",
		"\nDemandes d'accès aux soins : 0 (0)\n",
		"\nPar département : fiches, médiateurs actifs\nAisne : aucune fiche\nNord : 3 fiches, 1 médiateur\nOise : aucune fiche\nPas-de-Calais : 5 fiches, 1 médiateur\nSomme : aucune fiche",
	} {
		if !strings.Contains(summary.Text, want) {
			t.Errorf("key figures lack %q:\n%s", want, summary.Text)
		}
	}
	if n := strings.Count(summary.Text, "un an plus tôt"); n != 1 {
		t.Errorf("the comparison is said %d times, once is enough:\n%s", n, summary.Text)
	}
	if strings.Contains(summary.Text, "Nord (") {
		t.Errorf("a count in brackets after a département's name, unexplained:\n%s", summary.Text)
	}
	var texts []string
	for _, row := range summary.Buttons[:2] {
		for _, b := range row {
			texts = append(texts, b.Text)
		}
	}
	if !slices.Equal(texts, sectionButtons) {
		t.Errorf("first two rows of buttons %q, want the sections %q", texts, sectionButtons)
	}
	for _, row := range summary.Buttons {
		for _, b := range row {
			if len(b.Data) > 64 {
				t.Errorf("button %q: %d bytes of data, Telegram allows 64", b.Text, len(b.Data))
			}
		}
	}
	if p := region.LastMessage(); p.ID != summary.ID || p.Photo != nil {
		t.Errorf("after the key figures, another message: %s", p)
	}
}

// Pressing « Droits » sends that section alone, with its chart, in one
// Telegram call besides the answer to the press; the period and territory
// are the ones of the key figures.
func TestSectionButtonShowsTheRightsSection(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	region := regionWithHistory(h)
	region.Send("/indicateurs 01/01/2026 31/12/2026")
	region.Expect("Quel territoire")
	region.Press("Hauts-de-France")
	summary := region.Expect("Indicateurs – Hauts-de-France")

	before := h.tg.Stats()
	region.PressOn(summary, "Droits")
	rights := region.Expect("Accès aux droits – Hauts-de-France")
	want := "Accès aux droits – Hauts-de-France\nDu 01/01/2026 au 31/12/2026\n\n" +
		"8 demandes, dont 5 résolues (63 %)\n" +
		"Par type :\n- Complémentaire Santé Solidaire : 8 (100 %)\n\n" +
		"Par département : demandes, dont résolues\n" +
		"Aisne : aucune demande\nNord : 3, dont 2 (67 %)\nOise : aucune demande\nPas-de-Calais : 5, dont 3 (60 %)\nSomme : aucune demande"
	if rights.Text != want {
		t.Errorf("rights section:\n%s\nwant:\n%s", rights.Text, want)
	}
	if rights.Photo == nil {
		t.Fatal("the rights section has no chart")
	}
	img, err := png.DecodeConfig(bytes.NewReader(rights.Photo.Data))
	if err != nil || img.Width != 1280 || img.Height != 960 {
		t.Errorf("chart %dx%d (%v), want 1280x960", img.Width, img.Height, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(region.CallbackAnswers()) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	after := h.tg.Stats()
	calls := map[string]int{}
	for m, n := range after.ByMethod {
		if d := n - before.ByMethod[m]; d > 0 && m != "getupdates" { // the bot's polling
			calls[m] = d
		}
	}
	if calls["answercallbackquery"] != 1 || calls["sendphoto"] != 1 || len(calls) != 2 {
		t.Errorf("Telegram calls for one press: %v, want one answer and one photo", calls)
	}
	var texts []string
	for _, row := range rights.Buttons {
		for _, b := range row {
			texts = append(texts, b.Text)
		}
	}
	if !slices.Equal(texts, []string{"Soins", "Publics", "Freins", "Actions", "Bilans"}) {
		t.Errorf("buttons under the rights section: %q", texts)
	}
	region.PressOn(rights, "Soins")
	region.Expect("Accès aux soins – Hauts-de-France\nDu 01/01/2026 au 31/12/2026\n\nAucune demande sur la période.")
}

// Section buttons are checked like every figures button: the role by the
// access table, the territory by indicators.Allowed.
func TestForgedSectionButtonIsRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	awa := h.mediator(4801, "Awa", "59")
	h.mediator(4802, "Léa", "62")
	h.seedSheets(4801, 3, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	h.seedSheets(4802, 5, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	tag := func(s indicators.Scope) string {
		sum := sha256.Sum256([]byte(s.Key()))
		return hex.EncodeToString(sum[:5])
	}

	awa.Send("/meschiffres 01/01/2026 31/12/2026")
	own := awa.Expect("Vos chiffres")
	// A mediator's own sections, forged for the Pas-de-Calais or the
	// region; the coordinators' prefix, refused by role.
	for _, data := range []string{
		"ms:20260101-20261231:" + tag(indicators.Departement("62")) + ":droits",
		"ms:20260101-20261231:" + tag(indicators.Region("32")) + ":publics",
	} {
		h.forgePress(awa, own, data)
		if got := awa.LastMessage(); !strings.Contains(got.Text, "ne fait pas partie") || strings.Contains(got.Text, "demandes") {
			t.Errorf("forged %q answered %s", data, got)
		}
	}
	h.forgePress(awa, own, "is:20260101-20261231:"+tag(indicators.Region("32"))+":droits")
	if got := awa.LastMessage(); strings.Contains(got.Text, "Accès aux droits") {
		t.Errorf("a mediator got a coordinator's section: %s", got)
	}
	if n := h.count(`SELECT count(*) FROM audit WHERE actor = 4801 AND action = $1`, store.AuditRefused); n != 3 {
		t.Errorf("%d refusals audited, want 3", n)
	}

	nord := h.coordinator(4810, store.Invitation{Level: "departement", Departement: "59"})
	nord.Send("/indicateurs 01/01/2026 31/12/2026")
	choice := nord.Expect("Quel territoire")
	h.forgePress(nord, choice, "is:20260101-20261231:"+tag(indicators.Departement("62"))+":droits")
	if got := nord.LastMessage(); !strings.Contains(got.Text, "ne fait pas partie") {
		t.Errorf("Nord coordinator, Pas-de-Calais section: %s", got)
	}
	h.forgePress(nord, choice, "is:20260101-20261231:"+tag(indicators.Departement("59"))+":salaires")
	if got := nord.LastMessage(); strings.Contains(got.Text, "Accès") {
		t.Errorf("an unknown section answered %s", got)
	}
	// The coordinator's own territory: the section is given.
	h.forgePress(nord, choice, "is:20260101-20261231:"+tag(indicators.Departement("59"))+":droits")
	nord.Expect("Accès aux droits – Nord")
}

// A mediator's /meschiffres has its section buttons too ("ms", in the
// access table for mediators): a press gives the section of their own
// sheets only.
func TestAMediatorsSectionButtonShowsTheirOwnSection(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	awa := h.mediator(4801, "Awa", "59")
	h.mediator(4802, "Léa", "59")
	h.seedSheets(4801, 3, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	h.seedSheets(4802, 5, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	awa.Send("/meschiffres 01/01/2026 31/12/2026")
	own := awa.Expect("Vos chiffres")
	awa.PressOn(own, "Droits")
	rights := awa.Expect("Accès aux droits")
	want := "Accès aux droits – vos chiffres\nDu 01/01/2026 au 31/12/2026\n\n" +
		"3 demandes, dont 2 résolues (67 %)\nPar type :\n- Complémentaire Santé Solidaire : 3 (100 %)"
	if rights.Text != want {
		t.Errorf("a mediator's rights section:\n%s\nwant:\n%s", rights.Text, want)
	}
}
