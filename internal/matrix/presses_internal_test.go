//go:build goolm

package matrix

import (
	"context"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/testenv"
)

// « 1 2 » at a multiple choice presses both, each with an id of its own;
// « 3 1 », where 3 is « Valider », presses « Valider » and stops there: the
// next question's choices, kept by the bot's answer to the first press,
// are no multiple choice, so « 1 » is not pressed there but handed to the
// bot as typed, which says what it expects.
func TestSeveralNumbersStopWhenTheMultipleChoiceCloses(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	sqlDB := stdlib.OpenDBFromPool(db.SQL)
	t.Cleanup(func() {
		if err := sqlDB.Close(); err != nil {
			t.Error(err)
		}
	})
	ctx := context.Background()
	var room, person int64
	if err := db.SQL.QueryRow(ctx, `INSERT INTO matrix_rooms (room_id) VALUES ('!r:localhost') RETURNING id`).Scan(&room); err != nil {
		t.Fatal(err)
	}
	if err := db.SQL.QueryRow(ctx, `INSERT INTO matrix_users (user_id) VALUES ('@p:localhost') RETURNING id`).Scan(&person); err != nil {
		t.Fatal(err)
	}
	p := &Presenter{t: &Transport{db: sqlDB}}
	obstacles := chat.Message{Text: "Freins rencontrés ?", Buttons: [][]chat.Button{
		{{Text: "Mobilité", Data: "o:m"}}, {{Text: "Logement", Data: "o:l"}}, {{Text: "✅ Valider", Data: "o:ok"}}}}
	note := chat.Message{Text: "Une note ?", Buttons: [][]chat.Button{{{Text: "Passer", Data: "n:skip"}}}}
	const shownAt, nextAt = 101, 102

	type got struct {
		ID         int
		Text, Data string
		Shown      int
	}
	play := func(typed string, messageID int) []got {
		t.Helper()
		if _, err := p.meet(ctx, person, room); err != nil {
			t.Fatal(err)
		}
		if err := p.keep(ctx, person, shownAt, obstacles); err != nil {
			t.Fatal(err)
		}
		first, err := p.meet(ctx, person, room)
		if err != nil {
			t.Fatal(err)
		}
		numbers, ok := first.several(typed)
		if !ok {
			t.Fatalf("%q at a multiple choice: not several numbers", typed)
		}
		var out []got
		ev := Event{ChatID: person, SenderID: person, MessageID: messageID, Text: typed}
		err = p.pressEach(ctx, ev, room, first, numbers, func(ctx context.Context, ev Event) error {
			g := got{ID: ev.MessageID, Text: ev.Text}
			if ev.Press != nil {
				g.Data, g.Shown = ev.Press.Data, ev.Press.MessageID
			}
			out = append(out, g)
			if g.Data == "o:ok" {
				// The bot answers « Valider » with the next question.
				return p.keep(ctx, person, nextAt, note)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}

	base := int(FirstLocal)
	if got, want := play("1 2", base+4), []got{{ID: -(5*maxPresses + 0), Data: "o:m", Shown: shownAt}, {ID: -(5*maxPresses + 1), Data: "o:l", Shown: shownAt}}; !reflect.DeepEqual(got, want) {
		t.Errorf("« 1 2 »: %+v, want %+v", got, want)
	}
	if got, want := play("3 1", base+9), []got{{ID: -(10*maxPresses + 0), Data: "o:ok", Shown: shownAt}, {ID: -(10*maxPresses + 1), Text: "1"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("« 3 1 » after « Valider »: %+v, want « 1 » handed as typed, %+v", got, want)
	}
}

// The bot answers a person in the room they last wrote from, and a typed
// number reads the choices shown there: from a new direct chat, the choices
// shown in the old one are not read (the person does not see them there),
// at the first message or the next, nor when they come back to the old one.
func TestChoicesAreReadInTheRoomTheyWereShownIn(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	sqlDB := stdlib.OpenDBFromPool(db.SQL)
	t.Cleanup(func() {
		if err := sqlDB.Close(); err != nil {
			t.Error(err)
		}
	})
	ctx := context.Background()
	var old, fresh, person int64
	if err := db.SQL.QueryRow(ctx, `INSERT INTO matrix_rooms (room_id) VALUES ('!old:localhost') RETURNING id`).Scan(&old); err != nil {
		t.Fatal(err)
	}
	if err := db.SQL.QueryRow(ctx, `INSERT INTO matrix_rooms (room_id) VALUES ('!new:localhost') RETURNING id`).Scan(&fresh); err != nil {
		t.Fatal(err)
	}
	if err := db.SQL.QueryRow(ctx, `INSERT INTO matrix_users (user_id) VALUES ('@p:localhost') RETURNING id`).Scan(&person); err != nil {
		t.Fatal(err)
	}
	p := &Presenter{t: &Transport{db: sqlDB}}
	read := func(room int64) (string, int64) {
		t.Helper()
		s, err := p.meet(ctx, person, room)
		if err != nil {
			t.Fatal(err)
		}
		answerIn, err := p.roomOf(ctx, person)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := s.read("1")
		return data, answerIn
	}
	if data, in := read(old); data != "" || in != old {
		t.Fatalf("first message: « 1 » read as %q, answered in %d; want nothing shown yet, answered in %d", data, in, old)
	}
	if err := p.keep(ctx, person, 7, chat.Message{Text: "Sexe ?", Buttons: [][]chat.Button{{{Text: "Femme", Data: "s:f"}}}}); err != nil {
		t.Fatal(err)
	}
	if data, in := read(old); data != "s:f" || in != old {
		t.Fatalf("in the same room: « 1 » read as %q, answered in %d; want s:f, in %d", data, in, old)
	}
	for _, said := range []string{"first", "second"} {
		if data, in := read(fresh); data != "" || in != fresh {
			t.Fatalf("%s message from a new direct chat: « 1 » read as %q, answered in %d; want nothing, in %d", said, data, in, fresh)
		}
	}
	if data, in := read(old); data != "" || in != old {
		t.Fatalf("back in the old room: « 1 » read as %q, answered in %d; want nothing, in %d", data, in, old)
	}
}
