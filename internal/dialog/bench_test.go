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
