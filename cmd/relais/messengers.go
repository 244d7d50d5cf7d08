package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/relais-sante/relais/internal/bot"
	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/matrix"
)

// messengers sends each message on the messenger of its chat: a Matrix
// chat's number is matrix.Local, any other is Telegram's. Either may be
// nil when relais serve runs without it.
type messengers struct {
	telegram bot.Messenger
	matrix   bot.Messenger
}

func (m messengers) of(chatID int64) (bot.Messenger, error) {
	if matrix.Local(chatID) {
		if m.matrix == nil {
			return nil, fmt.Errorf("chat %d is a Matrix chat and Matrix is not configured", chatID)
		}
		return m.matrix, nil
	}
	if m.telegram == nil {
		return nil, fmt.Errorf("chat %d is a Telegram chat and TELEGRAM_TOKEN is not set", chatID)
	}
	return m.telegram, nil
}

func (m messengers) Post(ctx context.Context, msg chat.Message) (int, error) {
	out, err := m.of(msg.ChatID)
	if err != nil {
		return 0, err
	}
	return out.Post(ctx, msg)
}

func (m messengers) Answer(ctx context.Context, callbackID, text string) error {
	out := m.telegram
	if strings.HasPrefix(callbackID, matrix.PressPrefix) {
		out = m.matrix
	}
	if out == nil {
		return fmt.Errorf("press %q of a messenger not configured", callbackID)
	}
	return out.Answer(ctx, callbackID, text)
}

// SetCommands with chat 0 sets the default menu: Telegram's (Matrix has none).
func (m messengers) SetCommands(ctx context.Context, chatID int64, cmds []chat.Command) error {
	if chatID == 0 {
		if m.telegram == nil {
			return nil
		}
		return m.telegram.SetCommands(ctx, 0, cmds)
	}
	out, err := m.of(chatID)
	if err != nil {
		return err
	}
	return out.SetCommands(ctx, chatID, cmds)
}

func (m messengers) LeaveChat(ctx context.Context, chatID int64) error {
	out, err := m.of(chatID)
	if err != nil {
		return err
	}
	return out.LeaveChat(ctx, chatID)
}

func (m messengers) Delete(ctx context.Context, chatID int64, messageID int) error {
	out, err := m.of(chatID)
	if err != nil {
		return err
	}
	return out.Delete(ctx, chatID, messageID)
}
