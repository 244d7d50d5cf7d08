package state

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/relais-sante/relais/internal/ids"
)

// PromptTTL is how long a question of the bot waits for its typed answer
// (« Écrivez la période », « Écrivez le nom de la structure »): past it,
// a typed text is read afresh.
const PromptTTL = 10 * time.Minute

// Prompt is a question of the bot waiting for a typed answer in one chat.
// It names what the answer is for, never anything about a person.
type Prompt struct {
	Kind string   `json:"kind"`
	Args []string `json:"args,omitempty"`
	// At is when the bot asked (the bot's clock): the answer is taken
	// until At+PromptTTL even if Redis keeps the key a little longer.
	At time.Time `json:"at"`
}

func (s *Drafts) promptKey(chatID ids.ChatID, userID ids.TelegramID) string {
	return promptKey(s.prefix, chatID, userID)
}

func promptKey(prefix string, chatID ids.ChatID, userID ids.TelegramID) string {
	return prefix + "prompt:" + member(chatID, userID)
}

// SetPrompt records the question waiting for its typed answer (one per
// chat: a new question replaces the one before).
func (s *Drafts) SetPrompt(ctx context.Context, chatID ids.ChatID, userID ids.TelegramID, p Prompt) error {
	data, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode prompt: %w", err)
	}
	forgetPart(ctx, chatID, userID, promptPart)
	if err := s.rdb.Set(ctx, s.promptKey(chatID, userID), data, PromptTTL).Err(); err != nil {
		return fmt.Errorf("save prompt: %w", err)
	}
	return nil
}

// Prompt returns the question waiting in the chat; false when none. The
// update's Snapshot answers it when it knows the prompt.
func (s *Drafts) Prompt(ctx context.Context, chatID ids.ChatID, userID ids.TelegramID) (Prompt, bool, error) {
	data, found, err := readThrough(ctx, s.rdb, s.promptKey(chatID, userID), chatID, userID, promptPart)
	if err != nil {
		return Prompt{}, false, fmt.Errorf("load prompt: %w", err)
	}
	if !found {
		return Prompt{}, false, nil
	}
	var p Prompt
	if err := json.Unmarshal(data, &p); err != nil {
		return Prompt{}, false, fmt.Errorf("decode prompt: %w", err)
	}
	return p, true, nil
}

// ClearPrompt forgets the question (answered, or another command came).
func (s *Drafts) ClearPrompt(ctx context.Context, chatID ids.ChatID, userID ids.TelegramID) error {
	forgetPart(ctx, chatID, userID, promptPart)
	if err := s.rdb.Del(ctx, s.promptKey(chatID, userID)).Err(); err != nil {
		return fmt.Errorf("clear prompt: %w", err)
	}
	return nil
}
