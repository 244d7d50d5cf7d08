//go:build goolm

package matrix

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/testenv"
)

// The daily purge forgets the numbers of the events handled or sent more
// than a week ago (EventsKept): a day either side of the week, a
// minute either side of its boundary. It keeps, however old, an event not
// yet handled (its batch comes again) and the message whose choices a
// person was last shown (a typed « 2 » edits it).
func TestPurgeEventsKeepsAWeek(t *testing.T) {
	t.Parallel()
	tr, db := transportOn(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 6, 3, 30, 0, 0, testenv.Paris)
	room, person := number(t, tr.ids.rooms, "!r:localhost"), number(t, tr.ids.users, "@p:localhost")
	day, week := 24*time.Hour, 7*24*time.Hour
	for _, e := range []struct {
		id      string
		sent    bool
		handled bool
		age     time.Duration
	}{
		{"$received-8d", false, true, week + day},
		{"$sent-8d", true, false, week + day},
		{"$received-7d-and-a-minute", false, true, week + time.Minute},
		{"$received-7d-less-a-minute", false, true, week - time.Minute},
		{"$received-6d", false, true, week - day},
		{"$sent-6d", true, false, week - day},
		{"$unhandled-8d", false, false, week + day},
		{"$choices-8d", true, false, week + day},
	} {
		var handled *time.Time
		if e.handled {
			at := now.Add(-e.age)
			handled = &at
		}
		if _, err := db.SQL.Exec(ctx, `INSERT INTO matrix_events (event_id, room, sent, handled_at, created_at) VALUES ($1, $2, $3, $4, $5)`,
			e.id, room, e.sent, handled, now.Add(-e.age)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.SQL.Exec(ctx, `INSERT INTO matrix_people (person, room, choices_message)
		SELECT $1, $2, id FROM matrix_events WHERE event_id = '$choices-8d'`, person, room); err != nil {
		t.Fatal(err)
	}

	n, err := tr.PurgeEvents(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.SQL.Query(ctx, `SELECT event_id FROM matrix_events ORDER BY event_id`)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			t.Fatal(err)
		}
		left = append(left, e)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"$choices-8d", "$received-6d", "$received-7d-less-a-minute", "$sent-6d", "$unhandled-8d"}; n != 3 || !slices.Equal(left, want) {
		t.Fatalf("purged %d, left %q; want 3 purged, %q left", n, left, want)
	}
}
