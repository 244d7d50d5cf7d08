//go:build crashloop

package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// buildRelais builds the relais binary for tests that run `relais serve`
// as a real process (a SIGKILL is a real one). It is built with the test
// binary's race detector and the goolm tag (Matrix encryption), so the
// packages already compiled for the test serve again: only the link is
// left.
func buildRelais(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "relais")
	args := []string{"build", "-tags=goolm", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	if out, err := exec.Command("go", append(args, ".")...).CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// relaisProcess runs `relais serve` as a child process that can be killed.
type relaisProcess struct {
	bin string
	env []string
	log *os.File
	mu  sync.Mutex
	cmd *exec.Cmd
}

func (p *relaisProcess) start(t *testing.T) {
	p.mu.Lock()
	defer p.mu.Unlock()
	cmd := exec.Command(p.bin, "serve")
	cmd.Env = p.env
	cmd.Stdout, cmd.Stderr = p.log, p.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.cmd = cmd
}

func (p *relaisProcess) kill(t *testing.T) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return
	}
	// SIGKILL; a child that already died has nothing left to kill
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("kill relais: %v", err)
	}
	// a killed child exits with a signal status, an *exec.ExitError: expected
	var exit *exec.ExitError
	if err := p.cmd.Wait(); err != nil && !errors.As(err, &exit) {
		t.Errorf("wait for relais: %v", err)
	}
	p.cmd = nil
}
