package question

import (
	"testing"
	"time"
)

// A follow-up question applies to the last one.
func TestFollowUpAppliesToTheLastQuestion(t *testing.T) {
	t.Parallel()
	p := NewParser(hdf, testStructures)
	for _, c := range []struct{ last, next, want string }{
		{"combien de demandes de css dans le 62 en mars 2024", "et dans le nord ?", "requests|droits.css|departement:59|2024-03-01..2024-03-31||"},
		{"combien de demandes de css dans le 62 en mars 2024", "et en avril ?", "requests|droits.css|departement:62|2024-04-01..2024-04-30||"},
		{"combien de demandes de css dans le 62 en mars 2024", "et l'an dernier ?", "requests|droits.css|departement:62|2024-01-01..2024-12-31||"},
		{"combien de demandes de css dans le 62 en mars 2024", "par département", "requests|droits.css||2024-03-01..2024-03-31|departement|"},
		{"combien de demandes de css dans le 62 en mars 2024", "et les résolues ?", "resolved|droits.css|departement:62|2024-03-01..2024-03-31||"},
		{"combien de demandes de css dans le 62 en mars 2024", "et en cours ?", "open|droits.css|departement:62|2024-03-01..2024-03-31||"},
		{"combien de demandes de css dans le 62 en mars 2024", "et pour les moins de 25 ans ?", "requests|droits.css|departement:62|2024-03-01..2024-03-31||filter=âge (moins de 25 ans)"},
		{"part des femmes dans le nord en 2024", "et les hommes ?", "sex|M|departement:59|2024-01-01..2024-12-31||"},
		{"combien de fiches en 2024", "et par mois", "sheets|||2024-01-01..2024-12-31|month|"},
		{"combien de fiches ce mois-ci", "et dans l'oise", "sheets||departement:60|2025-05-01..2025-05-20||"},
		{"combien de personnes dans le nord", "et en QPV ?", "qpvpeople||departement:59|||"},
		{"combien de fiches dans le nord", "et en QPV ?", "qpv||departement:59|||"},
		{"combien de fiches dans le nord", "et pour les femmes ?", "sex|F|departement:59|||"},
		{"combien de femmes dans le nord", "et en QPV ?", "sex|F|departement:59|||filter=lieu de vie (QPV)"},
		{"combien de demandes de css en 2024", "et pour les femmes ?", "requests|droits.css||2024-01-01..2024-12-31||filter=sexe"},
		{"combien de personnes en 2024", "et au rsa ?", "resources|rsa||2024-01-01..2024-12-31||unit"},
		{"combien de femmes en 2024", "et les hommes ?", "sex|M||2024-01-01..2024-12-31||"},
	} {
		last := p.Parse(c.last, today)
		q, ok := FollowUp(p.Parse(c.next, today), last)
		terr, period, extra := brief(q)
		got := q.Indicator + "|" + q.Code + "|" + terr + "|" + period + "|" + q.Breakdown + "|" + extra
		if !ok || got != c.want {
			t.Errorf("%q then %q:\n got  %s (%v)\n want %s", c.last, c.next, got, ok, c.want)
		}
	}
	// questions of their own, or not understood, are no follow-ups
	last := p.Parse("combien de fiches en 2024", today)
	for _, next := range []string{"combien de personnes dans le nord", "et à Paris ?", "et la météo ?", "bonjour"} {
		if q, ok := FollowUp(p.Parse(next, today), last); ok {
			t.Errorf("%q read as a follow-up: %+v", next, q)
		}
	}
}

func TestMemoryRoundTrip(t *testing.T) {
	t.Parallel()
	p := NewParser(hdf, testStructures)
	at := time.Date(2025, 5, 20, 10, 0, 0, 0, time.UTC)
	for _, text := range []string{"combien de demandes de css dans le 62 en mars 2024", "âge moyen à Roubaix", "mes suivis en retard"} {
		q := p.Parse(text, today)
		back, ok := Remember(q, q.Territory, at).Query(today)
		if !ok || back.Key() != q.Key() || back.Territory != q.Territory || back.Period != q.Period || back.PeriodSaid != q.PeriodSaid || back.Own != q.Own {
			t.Errorf("%q: %+v read back as %+v (%v)", text, q, back, ok)
		}
	}
	if _, ok := (Memory{Key: "nope||-"}).Query(today); ok {
		t.Error("a memory naming no indicator was read")
	}
	if _, ok := (Memory{Key: "sheets||-", From: "2024-03-01", To: "2024-02-01"}).Query(today); ok {
		t.Error("a memory with a reversed period was read")
	}
}
