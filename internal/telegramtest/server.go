// Package telegramtest is a fake Telegram Bot API server that behaves like the
// real one for the methods Relais uses, because Telegram is unreachable from
// the machines where Relais is built and tested.
//
// It is a protocol peer, not a mock: the unmodified tgbotapi client talks HTTP
// to it (tgbotapi.NewBotAPIWithAPIEndpoint(srv.Token(), srv.Endpoint())), and
// it enforces Telegram's limits and errors: text length, callback_data size,
// parse-mode errors, "message is not modified", 429 flood limits, getUpdates
// offsets and long polling, webhook conflicts.
//
// Tests drive it as users would:
//
//	srv := telegramtest.NewServer(t)
//	u := srv.NewUser(1001, "Awa")
//	u.Send("/start CODE")
//	u.Expect("Bienvenue")
//	u.Press("Enregistrer")
//
// Rate limits are on by default, as on Telegram; dialog tests that exchange
// many messages quickly can pass WithoutRateLimits().
package telegramtest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// DefaultToken is the token ListenAndServe accepts when none is given. It is
// a fake token for local tries, not a secret.
const DefaultToken = "1000000001:AAFakeTokenForLocalTriesOnly-relais"

// Server is a running fake Bot API. It hosts one or more bots, each with its
// own token, chats and update queue.
type Server struct {
	opts    options
	t       testing.TB // nil outside tests
	ln      net.Listener
	http    *http.Server
	baseURL string
	ctx     context.Context // cancelled by Close; bounds webhook deliveries
	cancel  context.CancelFunc
	closed  <-chan struct{}
	once    sync.Once

	mu   sync.Mutex
	bots map[string]*Bot
	def  *Bot
}

type options struct {
	addr          string
	token         string
	username      string
	limits        Limits
	limitsOn      bool
	expectTimeout time.Duration
	logger        *slog.Logger
}

// Option configures a Server.
type Option func(*options)

// WithToken sets the default bot's token (default: a random one).
func WithToken(token string) Option { return func(o *options) { o.token = token } }

// WithBotUsername sets the default bot's username (default "relais_test_bot").
func WithBotUsername(name string) Option { return func(o *options) { o.username = name } }

// WithAddr sets the listening address (default "127.0.0.1:0", a free port).
func WithAddr(addr string) Option { return func(o *options) { o.addr = addr } }

// WithoutRateLimits turns the flood limits off, for tests that exchange many
// messages quickly and are not about pacing.
func WithoutRateLimits() Option { return func(o *options) { o.limitsOn = false } }

// WithLimits replaces Telegram's documented limits.
func WithLimits(l Limits) Option { return func(o *options) { o.limits, o.limitsOn = l, true } }

// WithExpectTimeout sets how long User.Expect and User.Press wait (default 20s:
// generous, since a loaded machine running the race detector can stall for
// seconds, and the wait ends as soon as the message is there).
func WithExpectTimeout(d time.Duration) Option { return func(o *options) { o.expectTimeout = d } }

// WithLogger sets where the server logs (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// New starts a fake Bot API outside tests (local demo, manual tries).
// Close it when done.
func New(opts ...Option) (*Server, error) {
	o := options{
		addr:          "127.0.0.1:0",
		username:      "relais_test_bot",
		limits:        TelegramLimits,
		limitsOn:      true,
		expectTimeout: 20 * time.Second,
	}
	for _, opt := range opts {
		opt(&o)
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	if o.token == "" {
		o.token = randomToken()
	}
	id, err := botID(o.token)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return nil, fmt.Errorf("fake telegram: listen on %s: %w", o.addr, err)
	}
	s := &Server{
		opts:    o,
		ln:      ln,
		baseURL: "http://" + ln.Addr().String(),
		bots:    map[string]*Bot{},
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.closed = s.ctx.Done()
	s.def = s.addBot(o.token, id, o.username)
	s.http = &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			o.logger.Error("fake telegram: serve", "err", err)
		}
	}()
	return s, nil
}

// NewServer starts a fake Bot API for a test and closes it at the test's end.
// Failures of User helpers (Expect, Press) are reported to t.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	s.t = t
	t.Cleanup(s.Close)
	return s
}

// ListenAndServe runs a fake Bot API on addr until ctx is done, for
// `relais fakegram`. An empty token means DefaultToken. Users are driven
// through the JSON control API under /fake/ (see control.go).
func ListenAndServe(ctx context.Context, addr, token string) error {
	if token == "" {
		token = DefaultToken
	}
	s, err := New(WithAddr(addr), WithToken(token))
	if err != nil {
		return err
	}
	defer s.Close()
	s.opts.logger.Info("fake Telegram Bot API listening",
		"endpoint", s.Endpoint(), "control", s.URL()+"/fake/")
	<-ctx.Done()
	return nil
}

// URL is the server's base URL, e.g. "http://127.0.0.1:41234".
func (s *Server) URL() string { return s.baseURL }

// Endpoint is the API endpoint in tgbotapi's format: URL + "/bot%s/%s".
func (s *Server) Endpoint() string { return s.baseURL + "/bot%s/%s" }

// Token is the default bot's token.
func (s *Server) Token() string { return s.def.token }

// Bot is the default bot.
func (s *Server) Bot() *Bot { return s.def }

// AddBot registers another bot on this server; requests with its token
// reach its own chats and updates.
func (s *Server) AddBot(token, username string) (*Bot, error) {
	id, err := botID(token)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	_, exists := s.bots[token]
	s.mu.Unlock()
	if exists {
		return nil, fmt.Errorf("fake telegram: bot %s already exists", username)
	}
	return s.addBot(token, id, username), nil
}

// NewUser creates a Telegram user who has started the default bot; their
// private chat has the user's id.
func (s *Server) NewUser(id int64, firstName string) *User { return s.def.NewUser(id, firstName) }

// Stats are the default bot's request counters.
func (s *Server) Stats() Stats { return s.def.Stats() }

// InjectFault makes the default bot's next calls of a method fail.
func (s *Server) InjectFault(f Fault) { s.def.InjectFault(f) }

// Close stops the server: pending long polls return and webhooks stop.
func (s *Server) Close() {
	s.once.Do(func() {
		s.cancel()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.http.Shutdown(ctx); err != nil {
			if err := s.http.Close(); err != nil {
				s.opts.logger.Warn("fake telegram: close", "err", err)
			}
		}
	})
}

var tokenPattern = regexp.MustCompile(`^[0-9]{1,20}:[A-Za-z0-9_-]{1,100}$`)

// botID checks a token's shape and reads the bot's id, its part before ":"
// (20 digits may not fit an int64).
func botID(token string) (int64, error) {
	if !tokenPattern.MatchString(token) {
		return 0, fmt.Errorf("fake telegram: token must look like 123456:ABC-def")
	}
	idPart, _, _ := strings.Cut(token, ":")
	id, err := strconv.ParseInt(idPart, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("fake telegram: token's bot id: %w", err)
	}
	return id, nil
}

func randomToken() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
	b := make([]byte, 35)
	mustRandom(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	var id [4]byte
	mustRandom(id[:])
	n := 1_000_000_000 + (uint64(id[0])<<24|uint64(id[1])<<16|uint64(id[2])<<8|uint64(id[3]))%8_000_000_000
	return fmt.Sprintf("%d:%s", n, b)
}

func (s *Server) bot(token string) *Bot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bots[token]
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	s.controlRoutes(mux)
	mux.HandleFunc("/file/", s.serveFile)
	mux.HandleFunc("/", s.serveAPI)
	if a, ok := s.ln.Addr().(*net.TCPAddr); !ok || !a.IP.IsLoopback() {
		return mux // reached through a network: its names are the operator's
	}
	// Listening on loopback, a request naming another host is a web site
	// whose name was made to resolve to 127.0.0.1 (DNS rebinding): it
	// would read the chats (GET /fake/chats/…) as its own origin.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !LoopbackHost(r.Host) {
			controlError(w, http.StatusForbidden, "Le faux Telegram écoute sur cette machine seulement : il ne répond qu'aux adresses 127.0.0.1, ::1 ou localhost.")
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// LoopbackHost reports whether a Host header names this machine: localhost,
// an IP of 127.0.0.0/8 or ::1, with or without a port. The fake and the
// demo's page answer only such a Host, so that a web site whose name points
// to 127.0.0.1 (DNS rebinding) cannot read them.
func LoopbackHost(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = strings.TrimSuffix(strings.TrimPrefix(hostport, "["), "]") // no port
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// serveAPI handles /bot<token>/<method>.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	if !ok {
		writeError(w, &apiError{code: http.StatusNotFound, desc: "Not Found"})
		return
	}
	token, method, _ := strings.Cut(rest, "/")
	if !tokenPattern.MatchString(token) || method == "" || strings.Contains(method, "/") {
		writeError(w, &apiError{code: http.StatusNotFound, desc: "Not Found"})
		return
	}
	b := s.bot(token)
	if b == nil {
		writeError(w, &apiError{code: http.StatusUnauthorized, desc: "Unauthorized"})
		return
	}
	p, err := readParams(r)
	if err != nil {
		writeError(w, badRequest(err.Error()))
		return
	}
	result, aerr := b.call(r.Context(), strings.ToLower(method), p)
	if aerr != nil {
		if aerr.code == 0 {
			// Injected network failure: drop the connection without an answer.
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					if err := conn.Close(); err != nil {
						s.opts.logger.Debug("fake telegram: drop connection", "err", err)
					}
					return
				}
			}
			aerr = &apiError{code: http.StatusBadGateway, desc: "Bad Gateway"}
		}
		writeError(w, aerr)
		return
	}
	writeJSON(w, http.StatusOK, wireResponse{OK: true, Result: result})
}

// serveFile handles /file/bot<token>/<file_path>, where getFile points.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	rest, _ := strings.CutPrefix(r.URL.Path, "/file/bot")
	token, path, _ := strings.Cut(rest, "/")
	b := s.bot(token)
	if b == nil {
		http.NotFound(w, r)
		return
	}
	f := b.fileByPath(path)
	if f == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	if _, err := w.Write(f.data); err != nil {
		s.opts.logger.Debug("fake telegram: file download cut", "err", err)
	}
}

// apiError is an unsuccessful Bot API answer.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func badRequest(desc string) *apiError {
	return &apiError{code: http.StatusBadRequest, desc: "Bad Request: " + desc}
}

func writeError(w http.ResponseWriter, e *apiError) {
	resp := wireResponse{OK: false, ErrorCode: e.code, Description: e.desc}
	if e.retryAfter > 0 {
		resp.Parameters = &wireParameters{RetryAfter: e.retryAfter}
	}
	writeJSON(w, e.code, resp)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// The client went away: nothing to answer to (Telegram would not retry either).
	if err := json.NewEncoder(w).Encode(v); err != nil {
		return
	}
}

// mustRandom fills b from crypto/rand, which never fails.
func mustRandom(b []byte) {
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
}

// params are a request's parameters, whatever the encoding: query string,
// urlencoded form, multipart form (with files) or JSON body.
type params struct {
	values map[string]string
	files  map[string]upload
}

type upload struct {
	name string
	mime string
	data []byte
}

func (p params) get(key string) string { return p.values[key] }

func (p params) has(key string) bool { _, ok := p.values[key]; return ok }

// file returns the uploaded file for field, following "attach://name".
func (p params) file(field string) (upload, bool) {
	if f, ok := p.files[field]; ok {
		return f, true
	}
	if name, ok := strings.CutPrefix(p.values[field], "attach://"); ok {
		f, ok := p.files[name]
		return f, ok
	}
	return upload{}, false
}

const maxUpload = 50 << 20 // Telegram's limit for bots' uploads

func readParams(r *http.Request) (params, error) {
	p := params{values: map[string]string{}, files: map[string]upload{}}
	for k, v := range r.URL.Query() {
		p.values[k] = v[0]
	}
	if r.Body == nil {
		return p, nil
	}
	ct := ""
	if h := r.Header.Get("Content-Type"); h != "" {
		var err error
		// a bad parameter still gives the media type: the body's parser judges
		if ct, _, err = mime.ParseMediaType(h); err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter) {
			return p, fmt.Errorf("can't parse Content-Type")
		}
	}
	switch ct {
	case "application/json":
		var obj map[string]json.RawMessage
		body, err := io.ReadAll(io.LimitReader(r.Body, maxUpload))
		if err != nil {
			return p, fmt.Errorf("can't read request body")
		}
		if len(strings.TrimSpace(string(body))) == 0 {
			return p, nil
		}
		if err := json.Unmarshal(body, &obj); err != nil {
			return p, fmt.Errorf("can't parse JSON request body")
		}
		for k, raw := range obj {
			var s string
			if err := json.Unmarshal(raw, &s); err == nil {
				p.values[k] = s
			} else if string(raw) != "null" {
				p.values[k] = string(raw)
			}
		}
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return p, fmt.Errorf("can't parse request body")
		}
		for k, v := range r.PostForm {
			p.values[k] = v[0]
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(maxUpload); err != nil {
			return p, fmt.Errorf("can't parse multipart request body")
		}
		for k, v := range r.MultipartForm.Value {
			p.values[k] = v[0]
		}
		for k, hs := range r.MultipartForm.File {
			u, err := readUpload(hs[0])
			if err != nil {
				return p, err
			}
			p.files[k] = u
		}
	}
	return p, nil
}

func readUpload(h *multipart.FileHeader) (upload, error) {
	f, err := h.Open()
	if err != nil {
		return upload{}, fmt.Errorf("can't read uploaded file")
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return upload{}, fmt.Errorf("can't read uploaded file")
	}
	return upload{name: h.Filename, mime: h.Header.Get("Content-Type"), data: data}, nil
}
