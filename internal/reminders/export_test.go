package reminders

import (
	"context"
	"time"
)

// RunDue runs one pass at now, as Job does each minute, and says what it
// sent: the tests choose the time and count the messages.
func (s *Scheduler) RunDue(ctx context.Context, now time.Time) (Report, error) {
	return s.runDue(ctx, now)
}
