package testenv

import (
	"context"
	"sync"

	"github.com/relais-sante/relais/internal/chat"
)

// Poster sends a chat message: the Out of the bot, the reminders and the
// digest.
type Poster interface {
	Post(ctx context.Context, m chat.Message) (int, error)
}

// HeldUntil returns p holding each message until open is closed (or its
// context ends): a replica test makes one replica's pass wait for the
// other's.
func HeldUntil(p Poster, open <-chan struct{}) Poster { return heldUntil{p, open} }

type heldUntil struct {
	Poster
	open <-chan struct{}
}

func (h heldUntil) Post(ctx context.Context, m chat.Message) (int, error) {
	select {
	case <-h.open:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	return h.Poster.Post(ctx, m)
}

// Opening returns p closing open once it has sent its first message.
func Opening(p Poster, open chan struct{}) Poster {
	return &opening{Poster: p, open: open}
}

type opening struct {
	Poster
	once sync.Once
	open chan struct{}
}

func (o *opening) Post(ctx context.Context, m chat.Message) (int, error) {
	id, err := o.Poster.Post(ctx, m)
	o.once.Do(func() { close(o.open) })
	return id, err
}
