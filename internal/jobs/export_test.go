package jobs

import (
	"context"
	"fmt"
	"time"
)

// RunNow runs one execution of the named job at now, exactly as a tick
// would (lock, recovery, record), for tests that cannot wait for a tick.
// It returns the execution's outcome.
func (r *Runner) RunNow(ctx context.Context, name string, now time.Time) (string, error) {
	for _, e := range r.jobs {
		if e.Name == name {
			return r.executeAt(ctx, e, now)
		}
	}
	return "", fmt.Errorf("jobs: no job %q", name)
}
