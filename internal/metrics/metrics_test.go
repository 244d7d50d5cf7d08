package metrics_test

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/relais-sante/relais/internal/matrix"
	"github.com/relais-sante/relais/internal/metrics"
)

type counters matrix.Stats

func (c counters) Stats() matrix.Stats { return matrix.Stats(c) }

// /metrics shows the Matrix transport's counters, each under its own name:
// a homeserver's rate limit shows as 429s and retries.
func TestMatrixCountersAreExposed(t *testing.T) {
	m := metrics.New()
	m.WatchMatrix(counters{Sent: 120, Retries: 3, TooManyRequests: 2, Failed: 1})
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, err := io.ReadAll(rec.Result().Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\nrelais_matrix_calls_sent_total 120\n", "\nrelais_matrix_retries_total 3\n",
		"\nrelais_matrix_too_many_requests_total 2\n", "\nrelais_matrix_calls_failed_total 1\n"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", strings.TrimSpace(want))
		}
	}
}
