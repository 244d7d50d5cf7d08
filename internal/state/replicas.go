package state

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Heartbeat timing of Replicas: a replica announces itself every
// ReplicaBeat and is counted until ReplicaExpiry after its last beat, so a
// replica killed without leaving stops counting within ReplicaExpiry (the
// survivors notice at their next beat), and two missed beats in a row (a
// slow Redis, a paused process) do not yet halve anyone's share.
const (
	ReplicaBeat   = 2 * time.Second
	ReplicaExpiry = 6 * time.Second
)

// Replicas is the set of `relais serve` processes of one bot that are
// alive, kept in Redis so they can share Telegram's rate of the bot between
// them: a sorted set replicas:<bot id> of replica ids scored by their last
// beat, in Redis's clock (the hosts' clocks may disagree, Redis has one),
// and a channel of the same name telling the others it changed. One Redis
// call per beat, none per message.
type Replicas struct {
	rdb    *redis.Client
	key    string
	id     string
	beat   time.Duration
	expiry time.Duration
	log    *slog.Logger
}

// ReplicaOptions tune Replicas; the zero value gives ReplicaBeat,
// ReplicaExpiry and slog's default logger.
type ReplicaOptions struct {
	Beat   time.Duration // between two announcements
	Expiry time.Duration // a replica not heard from for longer is dead
	Logger *slog.Logger
}

// Replicas returns this process's membership of the bot's live replicas
// (its id: host, pid and a random part, so a restarted process is new).
func (k Keyspace) Replicas(opts ReplicaOptions) *Replicas {
	if opts.Beat <= 0 {
		opts.Beat = ReplicaBeat
	}
	if opts.Expiry <= 0 {
		opts.Expiry = ReplicaExpiry
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails
	}
	key := k.prefix + "replicas"
	if k.bot != "" {
		key += ":" + strings.TrimSuffix(k.bot, ":")
	}
	return &Replicas{rdb: k.rdb, key: key, id: host + ":" + strconv.Itoa(os.Getpid()) + ":" + hex.EncodeToString(b),
		beat: opts.Beat, expiry: opts.Expiry, log: opts.Logger}
}

// beatScript records ARGV[1] alive now (Redis's time, in ms), forgets the
// members not heard from for more than ARGV[2] ms, and counts the rest. The
// set expires with its last member. A change (this replica new, others
// dead) is published on the set's name, so the others count again at once.
// (Reading TIME before writing needs Redis ≥ 5, which replicates a
// script's effects; the image is 7.)
var beatScript = redis.NewScript(`
local t = redis.call("time")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expiry = tonumber(ARGV[2])
local joined = redis.call("zadd", KEYS[1], now, ARGV[1])
local dead = redis.call("zremrangebyscore", KEYS[1], "-inf", now - expiry - 1)
redis.call("pexpire", KEYS[1], expiry)
if joined + dead > 0 then redis.call("publish", KEYS[1], ARGV[1]) end
return redis.call("zcard", KEYS[1])`)

// leaveScript removes ARGV[1] and says so to the others.
var leaveScript = redis.NewScript(`
if redis.call("zrem", KEYS[1], ARGV[1]) == 1 then redis.call("publish", KEYS[1], ARGV[1]) end
return 0`)

// Beat announces the replica and returns how many replicas are alive,
// itself included.
func (r *Replicas) Beat(ctx context.Context) (int, error) {
	n, err := beatScript.Run(ctx, r.rdb, []string{r.key}, r.id, r.expiry.Milliseconds()).Int()
	if err != nil {
		return 0, fmt.Errorf("announce replica: %w", err)
	}
	return n, nil
}

// Leave removes the replica at once, so the others take its share at once
// instead of after the expiry. Call it once the replica sends nothing
// more, after Run returned.
func (r *Replicas) Leave(ctx context.Context) error {
	if err := leaveScript.Run(ctx, r.rdb, []string{r.key}, r.id).Err(); err != nil {
		return fmt.Errorf("remove replica: %w", err)
	}
	return nil
}

// Run beats until ctx ends, and at once when another replica joins, leaves
// or is found dead, and calls share with the number of live replicas at the
// first beat and whenever it changes. While Redis does not answer, share is
// not called: the replica keeps the share it had (the bot never goes over
// Telegram's rate because Redis is away; a replica that stopped meanwhile
// leaves its part unused until Redis is back). The failure is logged once,
// and its end once.
func (r *Replicas) Run(ctx context.Context, share func(live int)) {
	// go-redis subscribes again by itself after a cut; meanwhile the
	// beats still count the replicas.
	sub := r.rdb.Subscribe(ctx, r.key)
	defer func() {
		if err := sub.Close(); err != nil {
			r.log.Warn("replicas: close the subscription", "err", err)
		}
	}()
	changes := sub.Channel()
	last, failing := 0, false
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-changes:
		}
		n, err := r.Beat(ctx)
		switch {
		case err != nil && ctx.Err() != nil:
			return
		case err != nil:
			if !failing {
				r.log.Warn("replicas: Redis unreachable, keeping this replica's share of Telegram's rate", "replicas", max(last, 1), "err", err)
				failing = true
			}
		default:
			if failing {
				r.log.Info("replicas: Redis answers again", "replicas", n)
				failing = false
			}
			if n != last {
				r.log.Info("replicas: live replicas of the bot", "replicas", n)
				share(n)
				last = n
			}
		}
		timer.Reset(r.beat)
	}
}
