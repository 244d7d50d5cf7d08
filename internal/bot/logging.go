package bot

import (
	"context"
	"log/slog"
)

// logAttrsKey holds, in a handler's context, what identifies the update it
// handles: every line a handler logs with that context (ErrorContext…)
// carries the update id and the user's role, so an operator can follow one
// update without the bot ever logging what the user wrote.
type logAttrsKey struct{}

func withLogAttrs(ctx context.Context, attrs ...slog.Attr) context.Context {
	prev, _ := ctx.Value(logAttrsKey{}).([]slog.Attr)
	return context.WithValue(ctx, logAttrsKey{}, append(append([]slog.Attr{}, prev...), attrs...))
}

// updateLogHandler adds the context's update attributes to each record.
type updateLogHandler struct{ slog.Handler }

func (h updateLogHandler) Handle(ctx context.Context, r slog.Record) error {
	if attrs, ok := ctx.Value(logAttrsKey{}).([]slog.Attr); ok {
		r.AddAttrs(attrs...)
	}
	return h.Handler.Handle(ctx, r)
}

func (h updateLogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return updateLogHandler{h.Handler.WithAttrs(attrs)}
}

func (h updateLogHandler) WithGroup(name string) slog.Handler {
	return updateLogHandler{h.Handler.WithGroup(name)}
}
