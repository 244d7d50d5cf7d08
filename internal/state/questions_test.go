package state

import (
	"context"
	"testing"
	"time"
)

// A chat's last question is kept under the prefix, per bot and chat, for
// ten minutes at most, for follow-up questions.
func TestLastQuestionIsKeptTenMinutesPerChat(t *testing.T) {
	t.Parallel()
	ks, r := newKeyspace(t)
	ctx := context.Background()
	a, b := ks.ForBot(1).Drafts(), ks.ForBot(2).Drafts()
	if _, ok, err := a.LastQuestion(ctx, 42); err != nil || ok {
		t.Fatalf("a last question before any: %v %v", ok, err)
	}
	if err := a.SaveLastQuestion(ctx, 42, []byte(`{"key":"sheets||-"}`)); err != nil {
		t.Fatal(err)
	}
	got, ok, err := a.LastQuestion(ctx, 42)
	if err != nil || !ok || string(got) != `{"key":"sheets||-"}` {
		t.Fatalf("read back %q %v %v", got, ok, err)
	}
	if _, ok, err := a.LastQuestion(ctx, 43); err != nil || ok {
		t.Fatalf("another chat reads the last question: %v %v", ok, err)
	}
	if _, ok, err := b.LastQuestion(ctx, 42); err != nil || ok {
		t.Fatalf("another bot reads the last question: %v %v", ok, err)
	}
	ttl, err := r.Client.PTTL(ctx, r.Prefix+"question:1:42").Result()
	if err != nil || ttl <= 9*time.Minute || ttl > 10*time.Minute {
		t.Fatalf("the last question's key lives %v (%v), want ten minutes", ttl, err)
	}
}
