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
	ctx := context.Background()
	p, room, person := presenterOn(t)
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
	tr, _ := transportOn(t)
	ctx := context.Background()
	old, fresh := number(t, tr.ids.rooms, "!old:localhost"), number(t, tr.ids.rooms, "!new:localhost")
	person := number(t, tr.ids.users, "@p:localhost")
	p := &Presenter{t: tr}
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

// presenterOn is a Presenter on transportOn, and the numbers of one
// person and of their direct room.
func presenterOn(t *testing.T) (p *Presenter, room, person int64) {
	t.Helper()
	tr, _ := transportOn(t)
	return &Presenter{t: tr}, number(t, tr.ids.rooms, "!r:localhost"), number(t, tr.ids.users, "@p:localhost")
}

// transportOn is a Transport on a fresh database and no homeserver: enough
// for what it keeps in its own tables (numbers, choices, the purge).
func transportOn(t *testing.T) (*Transport, *testenv.DB) {
	t.Helper()
	db := testenv.NewDB(t)
	sqlDB := stdlib.OpenDBFromPool(db.SQL)
	t.Cleanup(func() {
		if err := sqlDB.Close(); err != nil {
			t.Error(err)
		}
	})
	return &Transport{db: sqlDB, ids: newIDs(sqlDB)}, db
}

// number is the local number of a Matrix room or user id, given by the
// transport as on first sight.
func number[K ~string](t *testing.T, n *numbering[K], key K) int64 {
	t.Helper()
	local, err := n.number(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return local
}

// At a question answered by a number (« Âge ? » with « Passer », a proposed
// count with « ✅ Confirmer » and « Modifier »), « 1 » is the number typed,
// never the first choice: the choices go by their words there. The next
// question with choices reads numbers again.
func TestANumberTypedAtANumberQuestionIsTheAnswer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p, room, person := presenterOn(t)
	if _, err := p.meet(ctx, person, room); err != nil {
		t.Fatal(err)
	}
	read := func(typed string) (string, bool) {
		t.Helper()
		s, err := p.meet(ctx, person, room)
		if err != nil {
			t.Fatal(err)
		}
		return s.read(typed)
	}
	count := chat.Message{Text: "Partenaires sanitaires : 2\n(valeur proposée)", NumberAnswer: true, Buttons: [][]chat.Button{
		{{Text: "✅ Confirmer", Data: "f:ok"}, {Text: "Modifier", Data: "f:mod"}}}}
	if err := p.keep(ctx, person, 7, count); err != nil {
		t.Fatal(err)
	}
	for _, typed := range []string{"1", "2", "3", "0"} {
		if data, ok := read(typed); ok {
			t.Errorf("« %s » at a number question read as the choice %q, want the number", typed, data)
		}
	}
	if data, ok := read("confirmer"); !ok || data != "f:ok" {
		t.Errorf("« confirmer » at a number question: %q %v, want f:ok", data, ok)
	}
	if got, want := Body(count), "Partenaires sanitaires : 2\n(valeur proposée)\n"+NumberOrWords+"\n– ✅ Confirmer\n– Modifier"; got != want {
		t.Errorf("shown as\n%s\nwant\n%s", got, want)
	}
	sex := chat.Message{Text: "Sexe ?", Buttons: [][]chat.Button{{{Text: "Femme", Data: "s:f"}, {Text: "Homme", Data: "s:h"}}}}
	if err := p.keep(ctx, person, 8, sex); err != nil {
		t.Fatal(err)
	}
	if data, ok := read("2"); !ok || data != "s:h" {
		t.Errorf("« 2 » at the next question: %q %v, want s:h", data, ok)
	}
	if got, want := Body(sex), "Sexe ?\n1. Femme\n2. Homme"; got != want {
		t.Errorf("shown as\n%s\nwant\n%s", got, want)
	}
	// A question without choices: what is typed is the answer, even the
	// words of the choices above it (its message is not edited any more).
	if err := p.keep(ctx, person, 9, chat.Message{Text: "Une remarque ?", Asks: true}); err != nil {
		t.Fatal(err)
	}
	for _, typed := range []string{"1", "Femme"} {
		if data, ok := read(typed); ok {
			t.Errorf("« %s » at a question without choices read as the choice %q of the one before", typed, data)
		}
	}
}
