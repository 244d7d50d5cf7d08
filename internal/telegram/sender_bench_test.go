package telegram_test

import (
	"context"
	"fmt"
	"slices"
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
		api := connect(b, srv)
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

// BenchmarkSenderRemindersDuringConversations sends 1 000 reminders (one
// after the other, as the 09:00 job does, marked Bulk) while 20 mediators
// each get an answer 3 s after their previous one, through the fake Bot
// API with Telegram's limits on. It reports the conversation answers' wait
// (p50, p99), when the last reminder left, and the 429s. Goal: p99 ≤ 1.5 s,
// all reminders within 60 s, 0 × 429. About 45 s:
//
//	go test -run '^$' -bench RemindersDuring -benchtime 1x ./internal/telegram/
func BenchmarkSenderRemindersDuringConversations(b *testing.B) {
	const reminders, mediators, think = 1000, 20, 3 * time.Second
	for b.Loop() {
		b.StopTimer()
		srv := telegramtest.NewServer(b)
		api := connect(b, srv)
		recipients := make([]*telegramtest.User, reminders)
		for i := range recipients {
			recipients[i] = srv.NewUser(int64(20_000+i), fmt.Sprint("R", i))
		}
		talkers := make([]*telegramtest.User, mediators)
		for i := range talkers {
			talkers[i] = srv.NewUser(int64(10_000+i), fmt.Sprint("M", i))
		}
		s := telegram.NewSender(api, telegram.SenderOptions{})
		b.StartTimer()

		start := time.Now()
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			waits    []time.Duration
			lastBulk time.Duration
		)
		wg.Go(func() {
			ctx := telegram.Bulk(context.Background())
			for _, u := range recipients {
				if _, err := s.Send(ctx, tgbotapi.NewMessage(u.ID(), "Rappel : 2 demandes à suivre aujourd'hui")); err != nil {
					b.Error(err)
				}
			}
			lastBulk = time.Since(start)
		})
		stop := make(chan struct{})
		for i, u := range talkers {
			wg.Go(func() {
				time.Sleep(time.Duration(i) * think / mediators) // not all at once
				for n := 0; ; n++ {
					select {
					case <-stop:
						return
					case <-time.After(think):
					}
					t0 := time.Now()
					if _, err := s.Send(context.Background(), tgbotapi.NewMessage(u.ID(), fmt.Sprint("Question ", n))); err != nil {
						b.Error(err)
					}
					mu.Lock()
					waits = append(waits, time.Since(t0))
					mu.Unlock()
				}
			})
		}
		for s.Stats().BulkSent < reminders && time.Since(start) < 3*time.Minute {
			time.Sleep(100 * time.Millisecond)
		}
		close(stop)
		wg.Wait()

		b.StopTimer()
		st := srv.Stats()
		slices.Sort(waits)
		p := func(q float64) time.Duration { return waits[int(q*float64(len(waits)-1))] }
		b.ReportMetric(float64(p(0.5).Milliseconds()), "conv_p50_ms")
		b.ReportMetric(float64(p(0.99).Milliseconds()), "conv_p99_ms")
		b.ReportMetric(lastBulk.Seconds(), "reminders_done_s")
		b.ReportMetric(float64(st.TooManyRequests), "429s")
		b.Logf("%d reminders done in %v while %d mediators talked: %d answers, wait p50 %v p99 %v max %v; %d 429s",
			reminders, lastBulk.Round(time.Millisecond), mediators, len(waits), p(0.5).Round(time.Millisecond),
			p(0.99).Round(time.Millisecond), waits[len(waits)-1].Round(time.Millisecond), st.TooManyRequests)
		srv.Close()
		b.StartTimer()
	}
}
