package telegramtest

import (
	"math"
	"time"
)

// Limits are the flood limits the fake enforces, per bot. Telegram documents
// about 30 messages per second overall and about one per second in a chat,
// with short bursts tolerated; exceeding them gets 429 with retry_after.
type Limits struct {
	GlobalPerSecond float64 // sustained messages per second for the whole bot
	GlobalBurst     int     // messages allowed at once before the global rate applies
	ChatPerSecond   float64 // sustained messages per second in one chat
	ChatBurst       int     // messages allowed at once in one chat
}

// TelegramLimits are Telegram's limits as documented for bots.
var TelegramLimits = Limits{GlobalPerSecond: 30, GlobalBurst: 30, ChatPerSecond: 1, ChatBurst: 5}

// bucket is a token bucket: it holds up to burst tokens and refills at rate
// per second; each counted message takes one.
type bucket struct {
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newBucket(rate float64, burst int, now time.Time) *bucket {
	return &bucket{rate: rate, burst: float64(burst), tokens: float64(burst), last: now}
}

func (b *bucket) refill(now time.Time) {
	if now.After(b.last) {
		b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
		b.last = now
	}
}

// wait is how long until one token is available (0 if one is).
func (b *bucket) wait(now time.Time) time.Duration {
	b.refill(now)
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}

func (b *bucket) take() { b.tokens-- }

// full reports whether the bucket has refilled completely, so it can be forgotten.
func (b *bucket) full(now time.Time) bool {
	b.refill(now)
	return b.tokens >= b.burst
}
