package bot

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

// Every line a handler logs with its context names the update and the
// role, and nothing else is added to lines logged outside an update.
func TestHandlerLogsCarryTheUpdateAndTheRole(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	b := New(Options{Log: slog.New(slog.NewTextHandler(&buf, nil))})
	ctx := withLogAttrs(context.Background(), slog.Int("update_id", 7001))
	ctx = withLogAttrs(ctx, slog.String("role", "mediator"))
	b.log.ErrorContext(ctx, "open requests", "err", "boom")
	b.log.With("job", "x").WarnContext(ctx, "later")
	b.log.ErrorContext(context.Background(), "outside")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines: %q", len(lines), buf.String())
	}
	for i, want := range []string{"msg=\"open requests\" err=boom update_id=7001 role=mediator", "msg=later job=x update_id=7001 role=mediator"} {
		if !strings.HasSuffix(lines[i], want) {
			t.Errorf("line %d = %q, want suffix %q", i, lines[i], want)
		}
	}
	if strings.Contains(lines[2], "update_id") || strings.Contains(lines[2], "role") {
		t.Errorf("a line outside an update has its attributes: %q", lines[2])
	}
}
