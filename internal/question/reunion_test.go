package question

import "testing"

// « réunion » is a word of the trade (a meeting), not La Réunion: only the
// number 974 names that département in a question.
func TestReunionIsAMeetingNotTheDepartement(t *testing.T) {
	t.Parallel()
	q := NewParser(hdf, nil).Parse("combien de fiches après la réunion de mars ?", today)
	if q.Territory.Said() {
		t.Errorf("territory %+v from « réunion », want none", q.Territory)
	}
	if len(q.Foreign) > 0 {
		t.Errorf("foreign %v from « réunion », want none", q.Foreign)
	}
}
