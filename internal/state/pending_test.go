package state

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// A draft saved within an update is written by the update's finish, with
// the release of the chat: until then Redis holds the draft of before (no
// other update of the chat runs meanwhile, the lease is held), the update
// reads its own; after it, Redis holds the new draft in the index, the
// update is done and the chat free.
func TestUpdateSavesItsDraftWhenItFinishes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ks, r := newKeyspace(t)
	drafts, updates := ks.Drafts(), ks.Updates()
	if err := drafts.Save(ctx, 30, 30, draft("fiche", t0)); err != nil {
		t.Fatal(err)
	}
	_, snap, err := updates.Claim(ctx, 30, 30, 9001)
	if err != nil {
		t.Fatal(err)
	}
	uctx := WithSnapshot(ctx, snap)
	if err := drafts.Save(uctx, 30, 30, draft("bilan", t0.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	if d, _, err := drafts.Load(ctx, 30, 30); err != nil || d.FormID != "fiche" {
		t.Fatalf("Redis before the finish = %q %v, want « fiche »", d.FormID, err)
	}
	if d, _, err := drafts.Load(uctx, 30, 30); err != nil || d.FormID != "bilan" {
		t.Fatalf("the update reads %q %v, want its « bilan »", d.FormID, err)
	}
	if err := updates.FinishUpdate(uctx, 30, 9001); err != nil {
		t.Fatal(err)
	}
	if d, _, err := drafts.Load(ctx, 30, 30); err != nil || d.FormID != "bilan" || d.LastUpdate != 4242 {
		t.Fatalf("Redis after the finish = %q (last update %d) %v, want « bilan » of 4242", d.FormID, d.LastUpdate, err)
	}
	idle, err := drafts.Idle(ctx, 0, t0.Add(time.Hour))
	if err != nil || len(idle) != 1 || idle[0].FormID != "bilan" || !idle[0].UpdatedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("index = %+v %v, want « bilan » changed at %v", idle, err, t0.Add(time.Hour))
	}
	if ttl := r.Client.PTTL(ctx, r.Prefix+"draft:30:30").Val(); ttl <= DraftTTL-time.Minute || ttl > DraftTTL {
		t.Fatalf("draft ttl = %v, want %v", ttl, DraftTTL)
	}
	if st, _, err := updates.Claim(ctx, 30, 30, 9001); err != nil || st != UpdateDone {
		t.Fatalf("claim again = %v %v, want done", st, err)
	}
	if st, _, err := updates.Claim(ctx, 30, 30, 9002); err != nil || st != UpdateNew {
		t.Fatalf("next update = %v %v, want new: the chat is free", st, err)
	}
}

// The draft saved then deleted by the same update is not written; an
// abandoned update writes its draft (its LastUpdate tells the redelivery),
// not the done mark.
func TestUpdateDraftDeletedOrAbandoned(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ks, _ := newKeyspace(t)
	drafts, updates := ks.Drafts(), ks.Updates()

	_, snap, err := updates.Claim(ctx, 31, 31, 9101)
	if err != nil {
		t.Fatal(err)
	}
	uctx := WithSnapshot(ctx, snap)
	if err := drafts.Save(uctx, 31, 31, draft("fiche", t0)); err != nil {
		t.Fatal(err)
	}
	if err := drafts.Delete(uctx, 31, 31); err != nil {
		t.Fatal(err)
	}
	if err := updates.FinishUpdate(uctx, 31, 9101); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := drafts.Load(ctx, 31, 31); err != nil || ok {
		t.Fatalf("draft saved then deleted = %v %v, want none", ok, err)
	}

	_, snap, err = updates.Claim(ctx, 31, 31, 9102)
	if err != nil {
		t.Fatal(err)
	}
	uctx = WithSnapshot(ctx, snap)
	if err := drafts.Save(uctx, 31, 31, draft("action", t0)); err != nil {
		t.Fatal(err)
	}
	if err := updates.AbandonUpdate(uctx, 31, 9102); err != nil {
		t.Fatal(err)
	}
	if d, _, err := drafts.Load(ctx, 31, 31); err != nil || d.FormID != "action" {
		t.Fatalf("draft of the abandoned update = %q %v, want « action »", d.FormID, err)
	}
	if st, _, err := updates.Claim(ctx, 31, 31, 9102); err != nil || st != UpdateNew {
		t.Fatalf("abandoned update claimed again = %v %v, want new", st, err)
	}
}

// An erasure within the update erases the draft it saved when that names
// the code.
func TestUpdateDraftErased(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ks, _ := newKeyspace(t)
	drafts, updates := ks.Drafts(), ks.Updates()
	_, snap, err := updates.Claim(ctx, 32, 32, 9201)
	if err != nil {
		t.Fatal(err)
	}
	uctx := WithSnapshot(ctx, snap)
	if err := drafts.Save(uctx, 32, 32, draft("fiche", t0)); err != nil {
		t.Fatal(err)
	}
	if n, err := ks.EraseCode(uctx, "K7M2QX"); err != nil || n != 1 {
		t.Fatalf("erased %d %v, want the update's draft", n, err)
	}
	if err := updates.FinishUpdate(uctx, 32, 9201); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := drafts.Load(ctx, 32, 32); err != nil || ok {
		t.Fatalf("erased draft = %v %v, want none", ok, err)
	}
}

// Redis failing at the finish: the error says the draft was not saved.
func TestUpdateDraftNotSaved(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ks, r := newKeyspace(t)
	_, snap, err := ks.Updates().Claim(ctx, 33, 33, 9301)
	if err != nil {
		t.Fatal(err)
	}
	uctx := WithSnapshot(ctx, snap)
	if err := ks.Drafts().Save(uctx, 33, 33, draft("fiche", t0)); err != nil {
		t.Fatal(err)
	}
	down := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	t.Cleanup(func() {
		if err := down.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	if err := New(down, r.Prefix).Updates().FinishUpdate(uctx, 33, 9301); !errors.Is(err, ErrDraftNotSaved) {
		t.Fatalf("finish with Redis down = %v, want ErrDraftNotSaved", err)
	}
	// Without a draft saved, a failure is only the release's.
	if err := New(down, r.Prefix).Updates().FinishUpdate(ctx, 33, 9301); err == nil || errors.Is(err, ErrDraftNotSaved) {
		t.Fatalf("finish without draft, Redis down = %v, want another error", err)
	}
}
