package telegram_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/redis/go-redis/v9"

	"github.com/relais-sante/relais/internal/state"
	"github.com/relais-sante/relais/internal/telegram"
	"github.com/relais-sante/relais/internal/telegramtest"
	"github.com/relais-sante/relais/internal/testenv"
)

// replica is one `relais serve` as far as Telegram's rate goes: a Sender
// whose share follows the live replicas in Redis, as serve wires it.
type replica struct {
	sender  *telegram.Sender
	members *state.Replicas
	stop    context.CancelFunc
	done    chan struct{}
	mu      sync.Mutex
	seen    int // live replicas at its last beat that changed the count
}

func startReplica(t *testing.T, api *tgbotapi.BotAPI, keys state.Keyspace, opts state.ReplicaOptions) *replica {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, stop := context.WithCancel(context.Background())
	r := &replica{sender: telegram.NewSender(api, telegram.SenderOptions{}), members: keys.Replicas(opts), stop: stop, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		r.members.Run(ctx, func(live int) {
			r.sender.Share(live)
			r.mu.Lock()
			r.seen = live
			r.mu.Unlock()
		})
	}()
	t.Cleanup(r.kill)
	return r
}

// kill stops the heartbeats only, as SIGKILL does: the replica stays in
// Redis until it expires.
func (r *replica) kill() {
	r.stop()
	<-r.done
}

// leave is a clean shutdown: heartbeats stop, then the replica removes itself.
func (r *replica) leave(t *testing.T) {
	t.Helper()
	r.kill()
	if err := r.members.Leave(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (r *replica) live() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen
}

// eventually waits for cond until shortly before the test's deadline.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	if d, ok := t.Deadline(); ok {
		deadline = d.Add(-10 * time.Second)
	}
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited in vain for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitRate waits until r paces at perSecond with burst.
func waitRate(t *testing.T, r *replica, perSecond float64, burst int) {
	t.Helper()
	eventually(t, fmt.Sprintf("%v/s, burst %d", perSecond, burst), func() bool {
		p, b := r.sender.Rate()
		return p == perSecond && b == burst
	})
}

func replicaKeys(t *testing.T) (state.Keyspace, *testenv.Redis) {
	r := testenv.NewRedis(t)
	return state.New(r.Client, r.Prefix).ForBot(42), r
}

// Two replicas send half of the bot's rate each; the one left after a clean
// shutdown gets the whole rate back. A replica joining or leaving tells the
// others at once: their next beat (an hour away here) is not awaited.
func TestReplicasShareTheRateAndTakeItBackWhenOneLeaves(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t)
	api := connect(t, srv)
	keys, _ := replicaKeys(t)
	opts := state.ReplicaOptions{Beat: time.Hour, Expiry: 2 * time.Hour}

	a := startReplica(t, api, keys, opts)
	waitRate(t, a, 30, 27) // alone: the whole rate, as before replicas shared it
	b := startReplica(t, api, keys, opts)
	waitRate(t, a, 15, 13)
	waitRate(t, b, 15, 13)
	c := startReplica(t, api, keys, opts)
	for _, r := range []*replica{a, b, c} {
		waitRate(t, r, 10, 9)
	}

	c.leave(t)
	b.leave(t)
	waitRate(t, a, 30, 27)
}

// A replica killed without leaving counts until its last beat is older
// than the expiry; then the survivor gets the whole rate back.
func TestReplicasTakeBackTheShareOfAKilledOne(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t)
	api := connect(t, srv)
	keys, _ := replicaKeys(t)
	opts := state.ReplicaOptions{Beat: 20 * time.Millisecond, Expiry: 300 * time.Millisecond}

	a, b := startReplica(t, api, keys, opts), startReplica(t, api, keys, opts)
	waitRate(t, a, 15, 13)
	waitRate(t, b, 15, 13)
	b.kill()
	waitRate(t, a, 30, 27)
}

// While Redis does not answer, a replica keeps the share it had (the bot
// never exceeds Telegram's rate because Redis is away) and says so once;
// once Redis answers, it takes the share of the replicas alive then.
func TestReplicasKeepTheirShareWhileRedisIsAway(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t)
	api := connect(t, srv)
	keys, r := replicaKeys(t)
	proxy := testenv.NewProxy(t, r.Client.Options().Addr)
	viaOpts := *r.Client.Options() // the same database, through the proxy
	viaOpts.Addr, viaOpts.MaxRetries = proxy.Addr(), -1
	viaProxy := redis.NewClient(&viaOpts)
	t.Cleanup(func() {
		if err := viaProxy.Close(); err != nil {
			t.Log(err)
		}
	})
	var logs logBuffer
	opts := state.ReplicaOptions{Beat: 20 * time.Millisecond, Expiry: time.Hour}
	a := startReplica(t, api, state.New(viaProxy, r.Prefix).ForBot(42), state.ReplicaOptions{Beat: opts.Beat, Expiry: opts.Expiry, Logger: logs.logger()})
	b := startReplica(t, api, keys, opts)
	waitRate(t, a, 15, 13)

	proxy.Set(false)
	eventually(t, "the replica to say Redis is away", func() bool { return strings.Contains(logs.String(), "Redis unreachable") })
	b.leave(t)
	// Nothing to wait for: the share must not change. Ten beats' time
	// finds no Redis.
	time.Sleep(10 * opts.Beat)
	if p, burst := a.sender.Rate(); p != 15 || burst != 13 {
		t.Fatalf("without Redis the replica paces at %v/s, burst %d; want its last share, 15/s, burst 13", p, burst)
	}
	proxy.Set(true)
	waitRate(t, a, 30, 27)
	if n := strings.Count(logs.String(), "Redis unreachable"); n != 1 {
		t.Errorf("Redis away said %d times, want once:\n%s", n, logs.String())
	}
	if n := strings.Count(logs.String(), "Redis answers again"); n != 1 {
		t.Errorf("Redis back said %d times, want once:\n%s", n, logs.String())
	}
}

// Two replicas sending at once to many chats stay under the bot's
// Telegram limit together: no 429, every message delivered once.
func TestTwoReplicasStayUnderTelegramsRate(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t) // Telegram's limits: 30/s for the bot, bursts of 30
	keys, _ := replicaKeys(t)
	opts := state.ReplicaOptions{Beat: 20 * time.Millisecond, Expiry: time.Hour}
	a := startReplica(t, connect(t, srv), keys, opts)
	b := startReplica(t, connect(t, srv), keys, opts)
	eventually(t, "both replicas to see two live", func() bool { return a.live() == 2 && b.live() == 2 })

	const each = 90
	var (
		wg    sync.WaitGroup
		users []*telegramtest.User
	)
	for i, r := range []*replica{a, b} {
		for j := range each {
			u := srv.NewUser(int64(1000*(i+1)+j), "U")
			users = append(users, u)
			wg.Go(func() {
				if _, err := r.sender.Send(context.Background(), tgbotapi.NewMessage(u.ID(), "Rappel")); err != nil {
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
	if st := srv.Stats(); st.TooManyRequests != 0 || st.Messages != 2*each {
		t.Fatalf("the fake Bot API saw %d messages and answered %d with 429; want 180 and 0", st.Messages, st.TooManyRequests)
	}
	for _, u := range users {
		if got := texts(u.Messages()); len(got) != 1 || got[0] != "Rappel" {
			t.Fatalf("chat %d received %q, want one « Rappel »", u.ID(), got)
		}
	}
}

// A chat's updates may go to either replica: two replicas answering one
// chat at the same moment share its burst, and Telegram's limit for one
// chat (1 a second, bursts of 5 in the fake) is not passed either.
func TestTwoReplicasShareAChatsBurst(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t)
	keys, _ := replicaKeys(t)
	opts := state.ReplicaOptions{Beat: 20 * time.Millisecond, Expiry: time.Hour}
	a := startReplica(t, connect(t, srv), keys, opts)
	b := startReplica(t, connect(t, srv), keys, opts)
	eventually(t, "both replicas to see two live", func() bool { return a.live() == 2 && b.live() == 2 })

	u := srv.NewUser(7, "U")
	var wg sync.WaitGroup
	for i, r := range []*replica{a, b} {
		wg.Go(func() {
			// One replica's messages to a chat leave in order.
			for j := range 3 {
				if _, err := r.sender.Send(context.Background(), tgbotapi.NewMessage(u.ID(), fmt.Sprintf("%c%d", 'A'+i, j+1))); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if st := srv.Stats(); st.TooManyRequests != 0 || st.Messages != 6 {
		t.Fatalf("the fake Bot API saw %d messages and answered %d with 429; want 6 and 0", st.Messages, st.TooManyRequests)
	}
	if got := len(u.Messages()); got != 6 {
		t.Fatalf("the chat received %d messages, want 6", got)
	}
}
