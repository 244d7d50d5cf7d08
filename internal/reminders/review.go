package reminders

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/relais-sante/relais/internal/callbackdata"
	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/jobs"
	"github.com/relais-sante/relais/internal/store"
)

// The annual review (bilan annuel) of a year is filled in January of the
// next one. On the first weekday from 2 January, at their reminder hour,
// every active mediator with no review for the past year is reminded; a
// second reminder follows two weeks after the first if it is still missing.
// No reminder goes out after the review's deadline. Each is recorded in
// job_runs (store.JobReviewFirst / store.JobReviewSecond, period the year).

// reviewSecondDays is the gap, in days, between the two review reminders.
const reviewSecondDays = 14

// ReviewReminderDay is the day the first reminder of year's review is due:
// the first weekday from 2 January of the next year.
func ReviewReminderDay(year int) time.Time {
	d := time.Date(year+1, time.January, 2, 0, 0, 0, 0, time.UTC)
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// ReviewReminderText is the text of the first (second=false) or second
// review reminder.
func ReviewReminderText(year int, deadline time.Time, second bool) string {
	if second {
		return fmt.Sprintf("Rappel : votre bilan annuel %d n'est pas encore rempli. Il reste jusqu'au %s. "+
			"Touchez le bouton ou tapez /bilan.", year, deadline.Format("02/01/2006"))
	}
	return fmt.Sprintf("Bonne année ! C'est le moment de remplir votre bilan annuel %d, avant le %s. "+
		"Vingt questions, un quart d'heure. Touchez le bouton ou tapez /bilan.", year, deadline.Format("02/01/2006"))
}

// reviewReminderButtons is the reminder's button.
func reviewReminderButtons(year int) [][]chat.Button {
	return [][]chat.Button{{{Text: fmt.Sprintf("Remplir le bilan %d", year), Data: callbackdata.Review(year)}}}
}

// sendReviewReminders sends the review reminders owed at now (local time).
func (s *Scheduler) sendReviewReminders(ctx context.Context, now time.Time) (int, error) {
	year := now.Year() - 1
	today := store.Day(now)
	first := ReviewReminderDay(year)
	if today.Before(first) {
		return 0, nil
	}
	deadline, err := s.o.Store.ReviewDeadline(ctx, year)
	if err != nil {
		return 0, err
	}
	if today.After(deadline) {
		return 0, nil
	}
	sent := 0
	var errs []error
	day := jobs.DayStart(now)
	send := func(q store.ReviewReminderQuery, second bool) {
		q.Now, q.DayStart = now, day
		targets, err := s.o.Store.ReviewReminderTargets(ctx, q)
		if err != nil {
			errs = append(errs, err)
			return
		}
		for _, t := range targets {
			if jobs.Stopping(ctx) {
				return
			}
			msg := jobs.Message{Key: store.SendKey{Job: q.Job, Period: strconv.Itoa(year), MediatorID: t.MediatorID},
				Kind: "review", UserID: t.UserID, Now: now, DayStart: day}
			ok, err := s.sends.Once(ctx, msg, func(ctx context.Context) error {
				if _, filled, err := s.o.Store.Review(ctx, t.MediatorID, year); err != nil || filled {
					if err == nil {
						err = jobs.ErrNothingToSend // filled meanwhile
					}
					return err
				}
				m := chat.Message{ChatID: int64(t.ChatID), Text: ReviewReminderText(year, deadline, second), Buttons: reviewReminderButtons(year)}
				if _, err := s.o.Out.Post(ctx, m); err != nil {
					return fmt.Errorf("send: %w", err)
				}
				return nil
			})
			if err != nil {
				errs = append(errs, fmt.Errorf("review reminder %s %d of mediator %d: %w", q.Job, year, t.MediatorID, err)) // retried next pass
				continue
			}
			if ok {
				sent++
			}
		}
	}
	send(store.ReviewReminderQuery{Job: store.JobReviewFirst, Year: year, Hour: now.Hour(), DefaultHour: s.o.Hour}, false)
	// The second reminder comes two weeks (in local days) after the first
	// one actually went out, so a late first one is not doubled at once.
	secondFrom := time.Date(now.Year(), now.Month(), now.Day()-reviewSecondDays+1, 0, 0, 0, 0, s.o.Location)
	send(store.ReviewReminderQuery{Job: store.JobReviewSecond, Year: year, Hour: now.Hour(), DefaultHour: s.o.Hour,
		After: store.JobReviewFirst, AfterBefore: secondFrom}, true)
	return sent, errors.Join(errs...)
}
