package telegram_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/relais-sante/relais/internal/telegram"
	"github.com/relais-sante/relais/internal/telegramtest"
)

// BenchmarkSender2000Messages500Chats sends 2 000 messages to 500 chats (4
// each, as a morning of reminders would) through the fake Bot API with
// Telegram's limits on, and reports the achieved rate as a fraction of
// Telegram's 30 messages/s and the number of 429s received. Goal: ≥ 0.95
// and 0. One iteration takes about 70 s:
//
//	go test -run '^$' -bench Sender2000 -benchtime 1x ./internal/telegram/
func BenchmarkSender2000Messages500Chats(b *testing.B) {
	const chats, perChat = 500, 4
	for b.Loop() {
		b.StopTimer()
		srv := telegramtest.NewServer(b)
		api, err := telegram.Connect(context.Background(), srv.Token(), srv.Endpoint())
		if err != nil {
			b.Fatal(err)
		}
		users := make([]*telegramtest.User, chats)
		for i := range users {
			users[i] = srv.NewUser(int64(10_000+i), fmt.Sprint("M", i))
		}
		s := telegram.NewSender(api, telegram.SenderOptions{})
		b.StartTimer()

		start := time.Now()
		var wg sync.WaitGroup
		for _, u := range users {
			wg.Go(func() {
				for j := range perChat {
					msg := tgbotapi.NewMessage(u.ID(), fmt.Sprintf("Rappel %d : 2 demandes à suivre", j+1))
					if _, err := s.Send(context.Background(), msg); err != nil {
						b.Error(err)
					}
				}
			})
		}
		wg.Wait()
		elapsed := time.Since(start)

		b.StopTimer()
		st := srv.Stats()
		if st.Messages != chats*perChat {
			b.Fatalf("fake stored %d messages, want %d", st.Messages, chats*perChat)
		}
		rate := float64(chats*perChat) / elapsed.Seconds()
		b.ReportMetric(rate, "msgs/s")
		b.ReportMetric(rate/30, "fraction_of_30/s")
		b.ReportMetric(float64(st.TooManyRequests), "429s")
		b.Logf("%d messages to %d chats in %v: %.2f msgs/s = %.3f of 30/s, %d 429s from the fake, sender stats %+v",
			chats*perChat, chats, elapsed.Round(time.Millisecond), rate, rate/30, st.TooManyRequests, s.Stats())
		srv.Close()
		b.StartTimer()
	}
}
