package config

import (
	"strings"
	"testing"
)

// RELAIS_CHAT_FILES: figures only by default, lines when asked, anything
// else refused at start naming the variable.
func TestChatFiles(t *testing.T) {
	for v, want := range map[string]ChatFiles{"": ChatFilesAggregates, "aggregates": ChatFilesAggregates, " lines ": ChatFilesLines} {
		c, err := FromEnv(env(map[string]string{"RELAIS_CHAT_FILES": v}))
		if err != nil || c.ChatFiles != want {
			t.Errorf("RELAIS_CHAT_FILES=%q: %v %v, want %q", v, c, err, want)
		}
	}
	for _, v := range []string{"line", "aggregate", "LINES", "oui", "all"} {
		_, err := FromEnv(env(map[string]string{"RELAIS_CHAT_FILES": v}))
		if err == nil || !strings.HasPrefix(err.Error(), "RELAIS_CHAT_FILES : ") || !strings.Contains(err.Error(), "aggregates") {
			t.Errorf("RELAIS_CHAT_FILES=%q: got %v, want a French error naming the variable", v, err)
		}
	}
}

// /metrics has its own listener, loopback unless told otherwise.
func TestMetricsAddr(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil || c.MetricsAddr != "127.0.0.1:9090" {
		t.Fatalf("default RELAIS_METRICS_ADDR = %q, %v; want 127.0.0.1:9090", c.MetricsAddr, err)
	}
	c, err = FromEnv(env(map[string]string{"RELAIS_METRICS_ADDR": "0.0.0.0:9100"}))
	if err != nil || c.MetricsAddr != "0.0.0.0:9100" {
		t.Fatalf("RELAIS_METRICS_ADDR=0.0.0.0:9100: %q, %v", c.MetricsAddr, err)
	}
	for _, v := range []string{"9090", "127.0.0.1:99999", "127.0.0.1:8080"} {
		_, err := FromEnv(env(map[string]string{"RELAIS_METRICS_ADDR": v}))
		if err == nil || !strings.HasPrefix(err.Error(), "RELAIS_METRICS_ADDR : ") {
			t.Errorf("RELAIS_METRICS_ADDR=%q: got %v, want an error naming the variable", v, err)
		}
	}
	// Port 0 (any free port, as tests use) on both is no clash.
	if _, err := FromEnv(env(map[string]string{"RELAIS_METRICS_ADDR": "127.0.0.1:0", "RELAIS_HTTP_ADDR": "127.0.0.1:0"})); err != nil {
		t.Errorf("port 0 on both listeners refused: %v", err)
	}
}
