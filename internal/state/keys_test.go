package state

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

// The stores write the keys a running deployment already holds: an
// upgrade keeps its drafts, chat leases, handled updates and job locks.
func TestStoresWriteTheDeployedKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ks, r := newKeyspace(t)
	ks = ks.ForBot(111)
	drafts, updates, locks := ks.Drafts(), ks.Updates(), ks.Locks()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(drafts.Save(ctx, 5, 7, draft("fiche", t0)))
	must(drafts.SetPrompt(ctx, 5, 7, Prompt{Kind: "period", At: t0}))
	must(drafts.SaveLastQuestion(ctx, 5, []byte(`{}`)))
	must(drafts.AddFailure(ctx, "start:5", t0, time.Hour))
	if st, err := begin(ctx, updates, 5, 1); err != nil || st != UpdateNew {
		t.Fatalf("begin update 1: %v %v", st, err)
	}
	if st, err := begin(ctx, updates, 6, 2); err != nil || st != UpdateNew {
		t.Fatalf("begin update 2: %v %v", st, err)
	}
	must(updates.FinishUpdate(ctx, 6, 2))
	if _, ok, err := locks.TryLock(ctx, "reminders:tick", time.Minute); err != nil || !ok {
		t.Fatalf("lock: %v %v", ok, err)
	}
	if n, err := ks.Replicas(ReplicaOptions{}).Beat(ctx); err != nil || n != 1 {
		t.Fatalf("replicas: %d %v", n, err)
	}

	keys, err := r.Client.Keys(ctx, PrefixPattern(r.Prefix)).Result()
	must(err)
	for i, k := range keys {
		keys[i] = strings.TrimPrefix(k, r.Prefix)
	}
	slices.Sort(keys)
	want := []string{
		"chat:111:5",
		"draft:5:7",
		"drafts",
		"failures:111:start:5",
		"lock:111:reminders:tick",
		"prompt:5:7",
		"question:111:5",
		"replicas:111",
		"update:111:2",
	}
	if !slices.Equal(keys, want) {
		t.Fatalf("keys = %q, want %q", keys, want)
	}
}
