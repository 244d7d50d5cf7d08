package reminders_test

import (
	"context"
	"testing"

	"github.com/relais-sante/relais/internal/dialog"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/state"
)

// A disabled mediator's idle draft earns no nudge.
func TestNoNudgeForADisabledUser(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	_, kept := w.mediator(101, 9)
	gone, tg := w.mediator(102, 9)
	ctx := context.Background()
	if err := w.db.Store.SetUserDisabled(ctx, gone.TelegramID, true, nil); err != nil {
		t.Fatal(err)
	}
	drafts := state.New(w.rd.Client, w.rd.Prefix).Drafts()
	for _, id := range []int64{101, 102} {
		if err := drafts.Save(ctx, ids.ChatID(id), ids.TelegramID(id), state.Draft{State: dialog.State{FormID: "fiche", RecordID: "x", UpdatedAt: at(9, 12)}}); err != nil {
			t.Fatal(err)
		}
	}
	r := run(t, w.replica(), at(13, 13))
	if r.Nudges != 1 || len(botMessages(kept)) != 1 {
		t.Fatalf("report %+v, enabled mediator got %v", r, botMessages(kept))
	}
	if m := botMessages(tg); len(m) != 0 {
		t.Fatalf("nudged a disabled mediator: %v", m)
	}
}
