package state

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais-sante/relais/internal/ids"
)

// LastQuestionTTL bounds how long a chat's last question is kept for a
// follow-up (« et l'an dernier ? »): a few minutes of conversation.
const LastQuestionTTL = 10 * time.Minute

// lastQuestionKey holds the last question answered in a chat (the query,
// never the text typed, nor any figure).
func (s *Drafts) lastQuestionKey(chatID ids.ChatID) string {
	return s.prefix + "question:" + s.bot + strconv.FormatInt(int64(chatID), 10)
}

// SaveLastQuestion keeps data, the last question answered in chatID, for
// LastQuestionTTL.
func (s *Drafts) SaveLastQuestion(ctx context.Context, chatID ids.ChatID, data []byte) error {
	if err := s.rdb.Set(ctx, s.lastQuestionKey(chatID), data, LastQuestionTTL).Err(); err != nil {
		return fmt.Errorf("save last question: %w", err)
	}
	return nil
}

// LastQuestion returns the last question answered in chatID; false when
// there is none (never asked, or expired).
func (s *Drafts) LastQuestion(ctx context.Context, chatID ids.ChatID) ([]byte, bool, error) {
	data, err := s.rdb.Get(ctx, s.lastQuestionKey(chatID)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("load last question: %w", err)
	}
	return data, true, nil
}
