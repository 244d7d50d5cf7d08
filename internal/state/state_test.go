package state

import (
	"context"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/dialog"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func newStore(t testing.TB) (*Drafts, *testenv.Redis) {
	t.Helper()
	r := testenv.NewRedis(t)
	return New(r.Client, r.Prefix).Drafts(), r
}

func newKeyspace(t testing.TB) (Keyspace, *testenv.Redis) {
	t.Helper()
	r := testenv.NewRedis(t)
	return New(r.Client, r.Prefix), r
}

var t0 = time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)

func draft(form string, at time.Time) Draft {
	return Draft{Shown: Shown{Transcript: []string{"Sexe : Femme"}, QuestionMessageID: 812}, LastUpdate: 4242, State: dialog.State{
		FormID: form, FormVersion: 3, RecordID: "s-1", Phase: dialog.PhaseAsk,
		Pos:       dialog.Pos{Step: "requests", Item: 1, Sub: "status"},
		Answers:   dialog.Answers{"sex": {Code: "F"}, "beneficiary": {Code: "K7M2QX", New: true}, "requests": {Items: []dialog.Answers{{"kind": {Code: "droits"}}}}},
		Person:    &dialog.Person{Code: "K7M2QX", Age: 30, AgeOn: t0},
		UpdatedAt: at,
	}}
}

func TestDraftRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, r := newStore(t)
	if _, ok, err := s.Load(ctx, 1, 2); err != nil || ok {
		t.Fatalf("empty store: %v %v", ok, err)
	}
	st := draft("fiche", t0)
	if err := s.Save(ctx, 1, 2, st); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.Load(ctx, 1, 2)
	if err != nil || !ok {
		t.Fatalf("load: %v %v", ok, err)
	}
	if got.FormID != "fiche" || got.FormVersion != 3 || got.Pos != st.Pos || got.QuestionMessageID != 812 ||
		got.Answers.String("sex") != "F" || !got.Answers["beneficiary"].New || got.Answers.Items("requests")[0].String("kind") != "droits" ||
		got.Person.AgeOn != t0 || !got.UpdatedAt.Equal(t0) || len(got.Transcript) != 1 || got.Transcript[0] != "Sexe : Femme" || got.LastUpdate != 4242 {
		t.Fatalf("round trip = %+v", got)
	}

	// TTL is 72 h and every save restarts it.
	key := r.Prefix + "draft:1:2"
	if ttl := r.Client.TTL(ctx, key).Val(); ttl <= 71*time.Hour || ttl > DraftTTL {
		t.Fatalf("ttl = %v", ttl)
	}
	r.Client.Expire(ctx, key, time.Hour)
	if err := s.Save(ctx, 1, 2, st); err != nil {
		t.Fatal(err)
	}
	if ttl := r.Client.TTL(ctx, key).Val(); ttl <= 71*time.Hour {
		t.Fatalf("ttl not refreshed: %v", ttl)
	}

	if err := s.Delete(ctx, 1, 2); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.Load(ctx, 1, 2); err != nil || ok {
		t.Fatalf("draft still there after delete (err %v)", err)
	}
}

func TestUsersAreIsolated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newStore(t)
	a, b := draft("fiche", t0), draft("action", t0)
	a.Answers["sex"] = dialog.Value{Code: "M"}
	if err := s.Save(ctx, 10, 1, a); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, 10, 2, b); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.Load(ctx, 11, 1); err != nil || ok {
		t.Fatalf("draft visible in another chat (err %v)", err)
	}
	got1, _, err := s.Load(ctx, 10, 1)
	if err != nil {
		t.Fatal(err)
	}
	got2, _, err := s.Load(ctx, 10, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got1.FormID != "fiche" || got1.Answers.String("sex") != "M" || got2.FormID != "action" || got2.Answers.String("sex") != "F" {
		t.Fatalf("mixed drafts: %+v / %+v", got1, got2)
	}
	if err := s.Delete(ctx, 10, 1); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.Load(ctx, 10, 2); err != nil || !ok {
		t.Fatalf("deleting one user's draft deleted another's (err %v)", err)
	}
	// Another prefix is another store.
	other, _ := newStore(t)
	if _, ok, err := other.Load(ctx, 10, 2); err != nil || ok {
		t.Fatalf("draft visible under another prefix (err %v)", err)
	}
}

func TestIdle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, r := newStore(t)
	now := t0.Add(48 * time.Hour)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.Save(ctx, 1, 1, draft("fiche", now.Add(-3*time.Hour))))
	must(s.Save(ctx, 2, 2, draft("action", now.Add(-5*time.Hour))))
	must(s.Save(ctx, 3, 3, draft("fiche", now.Add(-10*time.Minute))))
	must(s.Save(ctx, 4, 4, draft("fiche", now.Add(-6*time.Hour))))
	must(s.Delete(ctx, 4, 4))
	must(s.Save(ctx, 5, 5, draft("fiche", now.Add(-7*time.Hour))))
	r.Client.Del(ctx, r.Prefix+"draft:5:5") // expired meanwhile

	got, err := s.Idle(ctx, time.Hour, now)
	must(err)
	if len(got) != 2 || got[0].ChatID != 2 || got[0].FormID != "action" || got[1].UserID != 1 || !got[1].UpdatedAt.Equal(now.Add(-3*time.Hour)) {
		t.Fatalf("idle = %+v", got)
	}
	if n := r.Client.ZCard(ctx, r.Prefix+"drafts").Val(); n != 3 {
		t.Fatalf("index holds %d drafts, want 3 (expired one forgotten)", n)
	}
	// Answering moves a draft out of the idle list.
	must(s.Save(ctx, 2, 2, draft("action", now)))
	got, err = s.Idle(ctx, time.Hour, now)
	must(err)
	if len(got) != 1 || got[0].ChatID != 1 {
		t.Fatalf("idle after answer = %+v", got)
	}
	// A stored record opened and left untouched is not "in progress".
	look := draft("bilan", now.Add(-8*time.Hour))
	look.Untouched = true
	must(s.Save(ctx, 6, 6, look))
	got, err = s.Idle(ctx, time.Hour, now)
	must(err)
	if len(got) != 1 || got[0].ChatID != 1 {
		t.Fatalf("idle with an untouched review = %+v", got)
	}
}

func TestUpdateDedup(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ks, r := newKeyspace(t)
	s := ks.Updates()
	st, err := begin(ctx, s, 10, 7001)
	if err != nil || st != UpdateNew {
		t.Fatalf("first delivery: %v %v", st, err)
	}
	if st, err := begin(ctx, s, 10, 7001); err != nil || st != UpdateBusy {
		t.Fatalf("update in progress delivered again = %v, want busy (err %v)", st, err)
	}
	// The chat's next update waits for the first: updates of a chat are
	// handled in order, across replicas.
	if st, err := begin(ctx, s, 10, 7003); err != nil || st != UpdateBusy {
		t.Fatalf("second update of a busy chat = %v, want busy (err %v)", st, err)
	}
	// Another chat is not blocked.
	if st, err := begin(ctx, s, 11, 7004); err != nil || st != UpdateNew {
		t.Fatalf("other chat = %v, want new (err %v)", st, err)
	}
	if ttl := r.Client.PTTL(ctx, r.Prefix+"chat:10").Val(); ttl <= 0 || ttl > ProcessingTTL {
		t.Fatalf("processing ttl = %v", ttl)
	}
	if err := s.FinishUpdate(ctx, 10, 7001); err != nil {
		t.Fatal(err)
	}
	if st, err := begin(ctx, s, 10, 7001); err != nil || st != UpdateDone {
		t.Fatalf("handled update delivered again = %v, want done (err %v)", st, err)
	}
	if ttl := r.Client.TTL(ctx, r.Prefix+"update:7001").Val(); ttl <= 47*time.Hour {
		t.Fatalf("done ttl = %v", ttl)
	}

	// A failed handling lets the redelivery through.
	if st, err := begin(ctx, s, 10, 7002); err != nil || st != UpdateNew {
		t.Fatalf("7002 = %v, want new (err %v)", st, err)
	}
	if err := s.AbandonUpdate(ctx, 10, 7002); err != nil {
		t.Fatal(err)
	}
	if st, err := begin(ctx, s, 10, 7002); err != nil || st != UpdateNew {
		t.Fatalf("abandoned update = %v, want new (err %v)", st, err)
	}
	// A stale finish (its lease expired and another update took the chat)
	// does not free the other's lease.
	if err := s.FinishUpdate(ctx, 10, 7001); err != nil {
		t.Fatal(err)
	}
	if st, err := begin(ctx, s, 10, 7005); err != nil || st != UpdateBusy {
		t.Fatalf("chat freed by a stale finish: %v (err %v)", st, err)
	}
	if err := s.RenewUpdate(ctx, 10, 7002); err != nil {
		t.Fatal(err)
	}
}

// Two bots sharing a Redis and a prefix number their updates alike: the
// second bot's update 1 is not the first bot's.
func TestUpdateKeysPerBot(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ks, _ := newKeyspace(t)
	prod, staging := ks.ForBot(111), ks.ForBot(222)
	if st, err := begin(ctx, prod.Updates(), 5, 1); err != nil || st != UpdateNew {
		t.Fatalf("prod update 1 not new (err %v)", err)
	}
	if err := prod.Updates().FinishUpdate(ctx, 5, 1); err != nil {
		t.Fatal(err)
	}
	if st, err := begin(ctx, staging.Updates(), 5, 1); err != nil || st != UpdateNew {
		t.Fatalf("staging update 1 = %v, want new (err %v)", st, err)
	}
	if _, ok, err := prod.Locks().TryLock(ctx, "reminders:tick", time.Minute); err != nil || !ok {
		t.Fatalf("prod lock (err %v)", err)
	}
	if _, ok, err := staging.Locks().TryLock(ctx, "reminders:tick", time.Minute); err != nil || !ok {
		t.Fatalf("staging lock blocked by prod's (err %v)", err)
	}
}

func TestLock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ks, r := newKeyspace(t)
	s := ks.Locks()
	release, ok, err := s.TryLock(ctx, "reminders:2026-03-12", time.Minute)
	if err != nil || !ok {
		t.Fatalf("first lock: %v %v", ok, err)
	}
	other := New(r.Client, r.Prefix).Locks() // another replica
	if _, ok, err := other.TryLock(ctx, "reminders:2026-03-12", time.Minute); err != nil || ok {
		t.Fatalf("lock taken twice (err %v)", err)
	}
	if _, ok, err := other.TryLock(ctx, "digest:2026-W11", time.Minute); err != nil || !ok {
		t.Fatalf("another key is blocked (err %v)", err)
	}
	release()
	release2, ok, err := other.TryLock(ctx, "reminders:2026-03-12", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		t.Fatal("lock not released")
	}
	// The first holder releasing again (e.g. after its lock expired) must
	// not free the second holder's lock.
	release()
	if _, ok, err := s.TryLock(ctx, "reminders:2026-03-12", time.Minute); err != nil || ok {
		t.Fatalf("stale release freed another holder's lock (err %v)", err)
	}
	release2()
	if _, ok, err := s.TryLock(ctx, "reminders:2026-03-12", time.Minute); err != nil || !ok {
		t.Fatalf("lock not free after its holder released it (err %v)", err)
	}
}

// A running handler keeps its chat by renewing the lease (15 s, shorter
// than a long handling): the renewal restores the whole lease, and an
// update that no longer holds the chat cannot take it back by renewing.
func TestRenewKeepsTheChatLease(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ks, r := newKeyspace(t)
	s := ks.Updates()
	key := r.Prefix + "chat:10"
	if st, err := begin(ctx, s, 10, 8001); err != nil || st != UpdateNew {
		t.Fatalf("begin: %v %v", st, err)
	}
	r.Client.PExpire(ctx, key, 50*time.Millisecond) // the lease is about to run out
	if err := s.RenewUpdate(ctx, 10, 8001); err != nil {
		t.Fatal(err)
	}
	if ttl := r.Client.PTTL(ctx, key).Val(); ttl <= 10*time.Second {
		t.Fatalf("lease after renewal = %v, want about %v", ttl, ProcessingTTL)
	}
	if st, err := begin(ctx, s, 10, 8002); err != nil || st != UpdateBusy {
		t.Fatalf("the chat's next update while the first renews = %v, want busy (err %v)", st, err)
	}
	// The lease runs out (a crash); the next update takes the chat; the old
	// handler's renewal must not take it back.
	r.Client.Del(ctx, key)
	if st, err := begin(ctx, s, 10, 8002); err != nil || st != UpdateNew {
		t.Fatalf("after the lease ran out = %v, want new (err %v)", st, err)
	}
	if err := s.RenewUpdate(ctx, 10, 8001); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishUpdate(ctx, 10, 8002); err != nil {
		t.Fatal(err)
	}
	if st, err := begin(ctx, s, 10, 8003); err != nil || st != UpdateNew {
		t.Fatalf("a stale renewal kept the chat: %v (err %v)", st, err)
	}
}

// A draft stored before the transport's fields left dialog.State (one flat
// JSON object) reads the same.
func TestDraftStoredByThePreviousVersionLoads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, r := newStore(t)
	old := `{"form":"fiche","version":3,"sheet":"s-9","phase":"ask","pos":{"step":"qpv"},"answers":{},"updated_at":"2026-03-12T10:00:00Z","question_message_id":5,"transcript":["Âge : 34 ans"],"last_update":77}`
	if err := r.Client.Set(ctx, r.Prefix+"draft:1:2", old, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.Load(ctx, 1, 2)
	if err != nil || !ok {
		t.Fatalf("load: %v %v", ok, err)
	}
	if got.RecordID != "s-9" || got.Pos.Step != "qpv" || got.QuestionMessageID != 5 || len(got.Transcript) != 1 || got.Transcript[0] != "Âge : 34 ans" || got.LastUpdate != 77 {
		t.Fatalf("old draft = %+v", got)
	}
}

// begin claims an update of a private chat (its user is the chat), as the
// bot does, for the tests of the leases.
func begin(ctx context.Context, s *Updates, chat ids.ChatID, updateID int) (UpdateStatus, error) {
	st, _, err := s.Claim(ctx, chat, ids.TelegramID(chat), updateID)
	return st, err
}
