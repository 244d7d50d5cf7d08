package state

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
)

// Locks are taken by the scheduled jobs, so that one replica runs each tick.
type Locks struct {
	rdb    *redis.Client
	prefix string
	bot    string
}

// releaseScript deletes the lock only if it still holds our token: a holder
// whose lock expired must not release the next holder's lock.
var releaseScript = redis.NewScript(`
if redis.call("get", KEYS[1]) == ARGV[1] then
	return redis.call("del", KEYS[1])
end
return 0`)

// TryLock takes the lock key for ttl, if free. release gives it back; it is
// safe to call after the lock expired.
func (s *Locks) TryLock(ctx context.Context, key string, ttl time.Duration) (release func(), ok bool, err error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return nil, false, fmt.Errorf("lock token: %w", err)
	}
	token := hex.EncodeToString(b)
	k := s.prefix + "lock:" + s.bot + key
	ok, err = s.rdb.SetNX(ctx, k, token, ttl).Result()
	if err != nil {
		return nil, false, fmt.Errorf("take lock %s: %w", key, err)
	}
	if !ok {
		return func() {}, false, nil
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := releaseScript.Run(ctx, s.rdb, []string{k}, token).Err(); err != nil {
			slog.Warn("release lock", "key", key, "err", err)
		}
	}, true, nil
}
