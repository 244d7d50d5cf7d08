// Package metrics exposes what operators watch on /metrics (Prometheus
// text format): updates by outcome and their handling time, the sender's
// queue, waits, 429s and sends, scheduled messages by kind and outcome,
// users who blocked the bot, job executions, and Redis/PostgreSQL errors.
// Labels never carry a user, a chat or a text.
package metrics

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"

	"github.com/relais-sante/relais/internal/matrix"
	"github.com/relais-sante/relais/internal/telegram"
)

// Metrics is one registry of Relais's metrics; it implements the small
// observer interfaces of the poller, the webhook, jobs.Sends and jobs.Runner.
type Metrics struct {
	reg        *prometheus.Registry
	updates    *prometheus.CounterVec
	handling   prometheus.Histogram
	scheduled  *prometheus.CounterVec
	remaining  *prometheus.GaugeVec
	blocked    prometheus.Counter
	executions *prometheus.CounterVec
	jobTime    *prometheus.HistogramVec
	backend    *prometheus.CounterVec
	senderWait *prometheus.HistogramVec
}

// New returns the metrics with Go and process collectors registered.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "relais_updates_total",
			Help: "Telegram updates handled, by outcome (handled, retry: delivered again later, panic, cut: stopped by shutdown)."}, []string{"outcome"}),
		handling: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "relais_update_handling_seconds",
			Help: "Time to handle one update.", Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}}),
		scheduled: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "relais_scheduled_messages_total",
			Help: "Scheduled messages by kind (reminder, nudge, review, digest) and outcome (sent, skipped, failed, blocked, unknown)."}, []string{"kind", "outcome"}),
		remaining: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "relais_scheduled_messages_remaining",
			Help: "Scheduled messages of the current pass not handled yet, by kind (a digest to 500 recipients counts down from 500)."}, []string{"kind"}),
		blocked: prometheus.NewCounter(prometheus.CounterOpts{Name: "relais_users_blocked_total",
			Help: "Users found to have blocked the bot (403) by a scheduled message."}),
		executions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "relais_job_executions_total",
			Help: "Scheduled job executions by job and outcome (ok, failed, panic, skipped)."}, []string{"job", "outcome"}),
		jobTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "relais_job_duration_seconds",
			Help: "Duration of job executions.", Buckets: prometheus.ExponentialBuckets(0.01, 4, 10)}, []string{"job"}),
		backend: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "relais_backend_errors_total",
			Help: "Errors talking to Redis or PostgreSQL."}, []string{"backend"}),
		senderWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "relais_sender_wait_seconds",
			Help:    "Time a Telegram call waited its turn (chat order, rate limits) before its first attempt.",
			Buckets: []float64{.001, .01, .1, .5, 1, 2, 5, 10, 30, 60}}, []string{"method"}),
	}
	m.reg.MustRegister(m.updates, m.handling, m.scheduled, m.remaining, m.blocked, m.executions, m.jobTime, m.backend, m.senderWait,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, b := range []string{"redis", "postgres"} {
		m.backend.WithLabelValues(b)
	}
	return m
}

// Handler serves the metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Update implements telegram.Observer.
func (m *Metrics) Update(outcome string, d time.Duration) {
	m.updates.WithLabelValues(outcome).Inc()
	m.handling.Observe(d.Seconds())
}

// Scheduled implements jobs.SendMetrics.
func (m *Metrics) Scheduled(kind, outcome string) { m.scheduled.WithLabelValues(kind, outcome).Inc() }

// Remaining implements jobs.SendMetrics.
func (m *Metrics) Remaining(kind string, n int) { m.remaining.WithLabelValues(kind).Set(float64(n)) }

// Blocked implements jobs.SendMetrics.
func (m *Metrics) Blocked() { m.blocked.Inc() }

// JobExecution implements jobs.RunnerMetrics.
func (m *Metrics) JobExecution(job, outcome string, d time.Duration) {
	m.executions.WithLabelValues(job, outcome).Inc()
	if outcome != "skipped" {
		m.jobTime.WithLabelValues(job).Observe(d.Seconds())
	}
}

// PostgresError counts a failed statement (store.OnQueryError).
func (m *Metrics) PostgresError(error) { m.backend.WithLabelValues("postgres").Inc() }

// SenderWaited records a call's wait (telegram.SenderOptions.Waited).
func (m *Metrics) SenderWaited(method string, d time.Duration) {
	m.senderWait.WithLabelValues(method).Observe(d.Seconds())
}

// WatchSender exposes the sender's queue depth and its counters.
func (m *Metrics) WatchSender(s *telegram.Sender) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "relais_sender_queue_depth",
			Help: "Telegram calls queued or running in chats."}, func() float64 { return float64(s.QueueDepth()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "relais_telegram_rate_per_second",
			Help: "Messages per second this replica may send to Telegram: the bot's 30 shared by its live replicas."},
			func() float64 { r, _ := s.Rate(); return r }),
		counterOf("relais_telegram_too_many_requests_total", "429 answers received from Telegram.",
			func() int64 { return s.Stats().TooManyRequests }),
		counterOf("relais_telegram_calls_sent_total", "Telegram calls that succeeded.",
			func() int64 { return s.Stats().Sent }),
		counterOf("relais_telegram_calls_failed_total", "Telegram calls given up.",
			func() int64 { return s.Stats().Failed }),
		counterOf("relais_telegram_bulk_sent_total",
			"Scheduled (bulk) Telegram calls that succeeded: reminders, nudges, digests, review reminders; they go after conversations.",
			func() int64 { return s.Stats().BulkSent }),
	)
}

// MatrixCounters is what WatchMatrix reads: the Matrix transport's counters
// (*matrix.Transport).
type MatrixCounters interface{ Stats() matrix.Stats }

// WatchMatrix exposes the Matrix transport's counters: a homeserver's
// rate limit (rc_message on Synapse, Tchap) shows as 429s and retries here
// before people notice slow answers.
func (m *Metrics) WatchMatrix(t MatrixCounters) {
	m.reg.MustRegister(
		counterOf("relais_matrix_too_many_requests_total", "429 answers received from the Matrix homeserver.",
			func() int64 { return t.Stats().TooManyRequests }),
		counterOf("relais_matrix_calls_sent_total", "Matrix calls that succeeded (messages, edits, uploads, leaves).",
			func() int64 { return t.Stats().Sent }),
		counterOf("relais_matrix_retries_total", "Matrix calls attempted again after a failure (429, 5xx, network).",
			func() int64 { return t.Stats().Retries }),
		counterOf("relais_matrix_calls_failed_total", "Matrix calls given up.",
			func() int64 { return t.Stats().Failed }),
	)
}

// counterOf is a counter a transport keeps itself, read at each scrape.
func counterOf(name, help string, read func() int64) prometheus.Collector {
	return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return float64(read()) })
}

// WatchRedis counts the client's failed commands (not "key not found").
func (m *Metrics) WatchRedis(rdb *redis.Client) { rdb.AddHook(redisHook{m}) }

type redisHook struct{ m *Metrics }

func (h redisHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h redisHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if cmd.Name() != "client" { // connection set-up (CLIENT SETINFO on an older server)
			h.count(err)
		}
		return err
	}
}

func (h redisHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		for _, c := range cmds {
			if c.Name() != "client" && c.Err() != nil {
				h.count(c.Err())
				break
			}
		}
		return err
	}
}

func (h redisHook) count(err error) {
	// NOSCRIPT is go-redis asking for a script's first load, not a failure.
	if err != nil && !errors.Is(err, redis.Nil) && !errors.Is(err, context.Canceled) && !strings.HasPrefix(err.Error(), "NOSCRIPT") {
		h.m.backend.WithLabelValues("redis").Inc()
	}
}
