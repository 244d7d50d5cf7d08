package main

import (
	"context"
	"slices"
	"testing"

	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/matrix"
)

// recorder is a messenger that notes the chats it was asked to reach.
type recorder struct{ got []string }

func (r *recorder) Post(_ context.Context, m chat.Message) (int, error) {
	r.got = append(r.got, "post "+m.Text)
	return 1, nil
}
func (r *recorder) Answer(_ context.Context, id, _ string) error {
	r.got = append(r.got, "answer "+id)
	return nil
}
func (r *recorder) SetCommands(context.Context, int64, []chat.Command) error {
	r.got = append(r.got, "commands")
	return nil
}
func (r *recorder) LeaveChat(context.Context, int64) error {
	r.got = append(r.got, "leave")
	return nil
}
func (r *recorder) Delete(context.Context, int64, int) error {
	r.got = append(r.got, "delete")
	return nil
}

func TestEachChatOnItsMessenger(t *testing.T) {
	ctx := context.Background()
	tg, mx := &recorder{}, &recorder{}
	out := messengers{telegram: tg, matrix: mx}
	const telegramChat, matrixChat = int64(123456789), matrix.FirstLocal + 41
	for _, m := range []chat.Message{{ChatID: telegramChat, Text: "à Telegram"}, {ChatID: matrixChat, Text: "à Matrix"}, {ChatID: matrix.FirstLocal - 1, Text: "à Telegram aussi"}} {
		if _, err := out.Post(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if err := out.Answer(ctx, "tg-callback", ""); err != nil {
		t.Fatal(err)
	}
	if err := out.Answer(ctx, matrix.PressPrefix+"8000000000000000042", ""); err != nil {
		t.Fatal(err)
	}
	if err := out.SetCommands(ctx, 0, nil); err != nil {
		t.Fatal(err)
	}
	if err := out.LeaveChat(ctx, matrixChat); err != nil {
		t.Fatal(err)
	}
	if got, want := tg.got, []string{"post à Telegram", "post à Telegram aussi", "answer tg-callback", "commands"}; !slices.Equal(got, want) {
		t.Errorf("Telegram got %q, want %q", got, want)
	}
	if got, want := mx.got, []string{"post à Matrix", "answer matrix:8000000000000000042", "leave"}; !slices.Equal(got, want) {
		t.Errorf("Matrix got %q, want %q", got, want)
	}

	// One messenger alone: the other's chats are refused, the default menu
	// is skipped without Telegram.
	only := messengers{matrix: mx}
	if _, err := only.Post(ctx, chat.Message{ChatID: telegramChat}); err == nil {
		t.Error("a Telegram chat reached without Telegram")
	}
	if err := only.SetCommands(ctx, 0, nil); err != nil {
		t.Errorf("Matrix alone: the default menu must be skipped, got %v", err)
	}
	if _, err := (messengers{telegram: tg}).Post(ctx, chat.Message{ChatID: matrixChat}); err == nil {
		t.Error("a Matrix chat reached without Matrix")
	}
}
