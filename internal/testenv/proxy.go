package testenv

import (
	"io"
	"net"
	"sync"
	"testing"
)

// Proxy forwards TCP connections to a server while up; set down, it cuts
// every connection and refuses new ones, as a stopped server does. Tests
// point Relais at it to take PostgreSQL or Redis away and bring them back.
type Proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	up     bool
	conns  []net.Conn
}

// NewProxy listens on a loopback port and forwards to target; it is up.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{ln: ln, target: target, up: true}
	t.Cleanup(func() { ln.Close(); p.Set(false) })
	go p.serve()
	return p
}

// Addr is where to connect instead of the target.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

func (p *Proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		up := p.up
		p.mu.Unlock()
		if !up {
			c.Close()
			continue
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		go pipe(s, c)
		go pipe(c, s)
	}
}

// pipe copies src to dst until either side ends (Set(false) ends them on
// purpose, so the copy's error says nothing new).
func pipe(dst, src net.Conn) {
	defer dst.Close()
	if _, err := io.Copy(dst, src); err != nil {
		return
	}
}

// Set brings the proxy up or down (down: every connection is cut).
func (p *Proxy) Set(up bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.up = up
	if !up {
		for _, c := range p.conns {
			c.Close()
		}
		p.conns = nil
	}
}
