package state

import (
	"context"
	"testing"
)

// BenchmarkDraftLoadSave is the Redis part of handling one update: load the
// draft, save it back (with the idle index) on loopback Redis.
func BenchmarkDraftLoadSave(b *testing.B) {
	ctx := context.Background()
	s, _ := newStore(b)
	st := draft("fiche", t0)
	if err := s.Save(ctx, 1, 1, st); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		got, _, err := s.Load(ctx, 1, 1)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Save(ctx, 1, 1, got); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpdateDedup is the de-duplication cost of one update.
func BenchmarkUpdateDedup(b *testing.B) {
	ctx := context.Background()
	ks, _ := newKeyspace(b)
	s := ks.Updates()
	id := 0
	for b.Loop() {
		id++
		if st, err := begin(ctx, s, 1, id); err != nil || st != UpdateNew {
			b.Fatal(st, err)
		}
		if err := s.FinishUpdate(ctx, 1, id); err != nil {
			b.Fatal(err)
		}
	}
}
