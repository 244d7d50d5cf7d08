package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/relais-sante/relais/internal/telegramtest"
)

// The fake Telegram lives in memory; its chats are kept in the demo's
// database (demo_state) so that a restart shows them again, like a Telegram
// app does. Update and message ids continue after the saved ones, so the
// bot's de-duplication keys and drafts in Redis stay valid and are kept.

// stateChats is the demo_state key of the fake Telegram's snapshot.
const stateChats = "telegram_chats"

// saveDelay groups the changes of one exchange into one write.
const saveDelay = 300 * time.Millisecond

// crashGap is added to update and message ids when the last snapshot was
// not written at a clean stop: ids given after it may have reached the bot.
const crashGap = 1000

// savedChats is the value stored under stateChats.
type savedChats struct {
	// Clean is set by the write made after the bot stopped: nothing
	// happened after it.
	Clean    bool            `json:"clean"`
	Telegram json.RawMessage `json:"telegram"`
}

// ChatKeeper is where the chats are kept.
type ChatKeeper interface {
	DemoState(ctx context.Context, key string) ([]byte, bool, error)
	SaveDemoState(ctx context.Context, key string, value []byte) error
}

// restoreChats puts the saved chats back into fake; false when there were
// none (or they could not be read: the demo then starts with empty chats).
func restoreChats(ctx context.Context, st ChatKeeper, fake *telegramtest.Bot, log *slog.Logger) (bool, error) {
	raw, ok, err := st.DemoState(ctx, stateChats)
	if err != nil || !ok {
		return false, err
	}
	var saved savedChats
	if err := json.Unmarshal(raw, &saved); err != nil {
		log.Warn("demo: saved chats unreadable, starting with empty chats", "err", err)
		return false, nil
	}
	gap := 0
	if !saved.Clean {
		gap = crashGap
	}
	if err := fake.Restore(saved.Telegram, gap); err != nil {
		log.Warn("demo: saved chats unreadable, starting with empty chats", "err", err)
		return false, nil
	}
	return true, nil
}

// saveChats writes the fake's chats now.
func saveChats(ctx context.Context, st ChatKeeper, fake *telegramtest.Bot, clean bool) error {
	snap, err := fake.Snapshot()
	if err != nil {
		return fmt.Errorf("demo: save chats: %w", err)
	}
	value, err := json.Marshal(savedChats{Clean: clean, Telegram: snap})
	if err != nil {
		return fmt.Errorf("demo: save chats: %w", err)
	}
	if err := st.SaveDemoState(ctx, stateChats, value); err != nil {
		return fmt.Errorf("demo: save chats: %w", err)
	}
	return nil
}

// keepChats saves the chats shortly after each change until ctx is done.
func keepChats(ctx context.Context, st ChatKeeper, fake *telegramtest.Bot, log *slog.Logger) {
	version := fake.Version()
	for {
		v, err := fake.WaitChange(ctx, version)
		if err != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(saveDelay):
		}
		version = max(v, fake.Version())
		if err := saveChats(ctx, st, fake, false); err != nil && ctx.Err() == nil {
			log.Error("demo: keep chats", "err", err)
		}
	}
}
