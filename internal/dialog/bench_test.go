package dialog

import (
	"testing"
)

// BenchmarkFicheUpdate measures the engine on a whole sheet (23 updates),
// including the JSON encoding and decoding of the draft that the Redis store
// does on every update; the figure is per update.
func BenchmarkFicheUpdate(b *testing.B) {
	f := fiche(b)
	env := &fakeEnv{}
	updates := 0
	for b.Loop() {
		c := newChat(b, f, env)
		c.start()
		for _, tr := range happyPath {
			if tr.press != "" {
				c.press(tr.press)
			} else {
				c.say(tr.say)
			}
			updates++
		}
		c.press("✅ Enregistrer")
		updates++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(updates), "ns/update")
}

// BenchmarkGuard measures the note guard (normalisation, numbers, names
// against the embedded lists) on the test table's notes, identifying and
// harmless alike; the figure is per note.
func BenchmarkGuard(b *testing.B) {
	s := fiche(b).Step("note")
	if s == nil || len(s.Forbid) == 0 {
		b.Fatal("the fiche has no guarded notes step")
	}
	var notes []string
	for _, p := range identifyingProbes {
		notes = append(notes, p.text)
	}
	notes = append(notes, harmlessNotes...)
	n := 0
	for b.Loop() {
		for _, t := range notes {
			checkText(t, s)
			n++
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/note")
}
