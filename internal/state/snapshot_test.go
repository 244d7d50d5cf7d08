package state

import (
	"context"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/ids"
)

// Claim reads the user's draft and prompt with the chat's lease; the
// update's Drafts calls take them from it until the update writes them.
// Each check changes the keys behind the snapshot's back: a read that
// still sees the old value came from the snapshot, one that sees the new
// value went to Redis.
func TestClaimSnapshotAnswersTheUpdatesFirstReads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ks, r := newKeyspace(t)
	drafts, updates := ks.Drafts(), ks.Updates()
	if err := drafts.Save(ctx, 10, 10, draft("fiche", t0)); err != nil {
		t.Fatal(err)
	}
	if err := drafts.SetPrompt(ctx, 10, 10, Prompt{Kind: "hour", At: t0}); err != nil {
		t.Fatal(err)
	}
	st, snap, err := updates.Claim(ctx, 10, 10, 7001)
	if err != nil || st != UpdateNew || snap == nil {
		t.Fatalf("claim = %v %v %v, want new with a snapshot", st, snap, err)
	}
	uctx := WithSnapshot(ctx, snap)
	// Behind the snapshot: another form's draft, another prompt.
	if err := drafts.Save(ctx, 10, 10, draft("bilan", t0)); err != nil {
		t.Fatal(err)
	}
	if err := drafts.SetPrompt(ctx, 10, 10, Prompt{Kind: "period", At: t0}); err != nil {
		t.Fatal(err)
	}
	if d, ok, err := drafts.Load(uctx, 10, 10); err != nil || !ok || d.FormID != "fiche" || d.Transcript[0] != "Sexe : Femme" {
		t.Fatalf("load in the update = %q %v %v, want the claimed draft of « fiche »", d.FormID, ok, err)
	}
	if p, ok, err := drafts.Prompt(uctx, 10, 10); err != nil || !ok || p.Kind != "hour" {
		t.Fatalf("prompt in the update = %q %v %v, want the claimed « hour »", p.Kind, ok, err)
	}
	// Another chat or user, or a context without the snapshot, reads Redis.
	if _, ok, err := drafts.Load(uctx, 11, 11); err != nil || ok {
		t.Fatalf("another chat's draft = %v %v, want none", ok, err)
	}
	if _, ok, err := drafts.Load(uctx, 10, 12); err != nil || ok {
		t.Fatalf("another user's draft = %v %v, want none", ok, err)
	}
	if d, _, err := drafts.Load(ctx, 10, 10); err != nil || d.FormID != "bilan" {
		t.Fatalf("load outside the update = %q %v, want « bilan »", d.FormID, err)
	}

	// The update's own writes forget what they change.
	if err := drafts.Save(uctx, 10, 10, draft("action", t0)); err != nil {
		t.Fatal(err)
	}
	if d, _, err := drafts.Load(uctx, 10, 10); err != nil || d.FormID != "action" {
		t.Fatalf("load after the update's save = %q %v, want « action »", d.FormID, err)
	}
	if err := drafts.Delete(uctx, 10, 10); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := drafts.Load(uctx, 10, 10); err != nil || ok {
		t.Fatalf("load after the update's delete = %v %v, want none", ok, err)
	}
	if err := drafts.SetPrompt(uctx, 10, 10, Prompt{Kind: "structure", At: t0}); err != nil {
		t.Fatal(err)
	}
	if p, _, err := drafts.Prompt(uctx, 10, 10); err != nil || p.Kind != "structure" {
		t.Fatalf("prompt after the update's SetPrompt = %q %v, want « structure »", p.Kind, err)
	}
	if err := drafts.ClearPrompt(uctx, 10, 10); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := drafts.Prompt(uctx, 10, 10); err != nil || ok {
		t.Fatalf("prompt after the update's ClearPrompt = %v %v, want none", ok, err)
	}
	// The claim is the lease: 7001 holds the chat.
	if ttl := r.Client.PTTL(ctx, r.Prefix+"chat:10").Val(); ttl <= 0 || ttl > ProcessingTTL {
		t.Fatalf("chat lease ttl = %v", ttl)
	}
}

// A claim that finds nothing stored knows there is nothing: the update's
// reads say so without asking, and a draft saved meanwhile by someone else
// is not seen (the chat's lease is the update's).
func TestClaimSnapshotOfNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ks, _ := newKeyspace(t)
	drafts, updates := ks.Drafts(), ks.Updates()
	st, snap, err := updates.Claim(ctx, 20, 20, 1)
	if err != nil || st != UpdateNew {
		t.Fatalf("claim = %v %v", st, err)
	}
	uctx := WithSnapshot(ctx, snap)
	if err := drafts.Save(ctx, 20, 20, draft("fiche", t0)); err != nil {
		t.Fatal(err)
	}
	if err := drafts.SetPrompt(ctx, 20, 20, Prompt{Kind: "hour", At: t0.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := drafts.Load(uctx, 20, 20); err != nil || ok {
		t.Fatalf("load = %v %v, want none, as claimed", ok, err)
	}
	if _, ok, err := drafts.Prompt(uctx, 20, 20); err != nil || ok {
		t.Fatalf("prompt = %v %v, want none, as claimed", ok, err)
	}
	// Busy and done claims read nothing.
	if st, snap, err := updates.Claim(ctx, 20, 20, 2); err != nil || st != UpdateBusy || snap != nil {
		t.Fatalf("busy claim = %v %v %v, want busy without snapshot", st, snap, err)
	}
	if err := updates.FinishUpdate(ctx, 20, 1); err != nil {
		t.Fatal(err)
	}
	if st, snap, err := updates.Claim(ctx, 20, 20, 1); err != nil || st != UpdateDone || snap != nil {
		t.Fatalf("done claim = %v %v %v, want done without snapshot", st, snap, err)
	}
}

// Each write of the update forgets what it changes, and only that: after
// it, the update reads what Redis holds of the part written, and still the
// claimed value of the other part. Each case starts from a fresh claim,
// so that no earlier write has already forgotten the part (deleting any
// one forget fails its case).
func TestEachWriteOfTheUpdateForgetsWhatItChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ks, _ := newKeyspace(t)
	drafts, updates := ks.Drafts(), ks.Updates()
	for i, c := range []struct {
		name   string
		write  func(uctx context.Context, chat ids.ChatID) error
		form   string // the draft the update then reads; "": none
		prompt string // the prompt's kind it then reads; "": none
	}{
		{"Save", func(uctx context.Context, chat ids.ChatID) error {
			return drafts.Save(uctx, chat, 10, draft("action", t0))
		}, "action", "hour"},
		{"Delete", func(uctx context.Context, chat ids.ChatID) error {
			return drafts.Delete(uctx, chat, 10)
		}, "", "hour"},
		{"SetPrompt", func(uctx context.Context, chat ids.ChatID) error {
			return drafts.SetPrompt(uctx, chat, 10, Prompt{Kind: "structure", At: t0})
		}, "fiche", "structure"},
		{"ClearPrompt", func(uctx context.Context, chat ids.ChatID) error {
			return drafts.ClearPrompt(uctx, chat, 10)
		}, "fiche", ""},
		// An erasure may touch any key: the update then reads both from
		// Redis (its draft named the code and is gone; the prompt
		// written behind the snapshot is seen).
		{"EraseCode", func(uctx context.Context, _ ids.ChatID) error {
			_, err := ks.EraseCode(uctx, "K7M2QX")
			return err
		}, "", "period"},
	} {
		t.Run(c.name, func(t *testing.T) {
			chat := ids.ChatID(100 + i)
			if err := drafts.Save(ctx, chat, 10, draft("fiche", t0)); err != nil {
				t.Fatal(err)
			}
			if err := drafts.SetPrompt(ctx, chat, 10, Prompt{Kind: "hour", At: t0}); err != nil {
				t.Fatal(err)
			}
			st, snap, err := updates.Claim(ctx, chat, 10, 8000+i)
			if err != nil || st != UpdateNew {
				t.Fatalf("claim = %v %v", st, err)
			}
			uctx := WithSnapshot(ctx, snap)
			// Behind the snapshot: another draft (naming the same
			// code), another prompt.
			if err := drafts.Save(ctx, chat, 10, draft("bilan", t0)); err != nil {
				t.Fatal(err)
			}
			if err := drafts.SetPrompt(ctx, chat, 10, Prompt{Kind: "period", At: t0}); err != nil {
				t.Fatal(err)
			}
			if err := c.write(uctx, chat); err != nil {
				t.Fatal(err)
			}
			d, ok, err := drafts.Load(uctx, chat, 10)
			if err != nil || ok != (c.form != "") || d.FormID != c.form {
				t.Errorf("draft after %s = %q %v %v, want %q", c.name, d.FormID, ok, err, c.form)
			}
			p, ok, err := drafts.Prompt(uctx, chat, 10)
			if err != nil || ok != (c.prompt != "") || p.Kind != c.prompt {
				t.Errorf("prompt after %s = %q %v %v, want %q", c.name, p.Kind, ok, err, c.prompt)
			}
		})
	}
}
