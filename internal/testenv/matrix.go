package testenv

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// MatrixURL is the test homeserver (Dendrite, started by scripts/services.sh
// matrix); RELAIS_TEST_MATRIX overrides it.
func MatrixURL() string {
	if u := os.Getenv("RELAIS_TEST_MATRIX"); u != "" {
		return strings.TrimRight(u, "/")
	}
	port := os.Getenv("RELAIS_TEST_MATRIX_PORT")
	if port == "" {
		port = "8008"
	}
	return "http://127.0.0.1:" + port
}

// matrixSecretFile holds the homeserver's registration shared secret,
// written by scripts/services.sh next to Dendrite's data.
func matrixSecretFile() string {
	if f := os.Getenv("RELAIS_TEST_MATRIX_SECRET_FILE"); f != "" {
		return f
	}
	dir := os.Getenv("RELAIS_TEST_MATRIX_DIR")
	if dir == "" {
		dir = "/tmp/relais-dendrite"
	}
	return filepath.Join(dir, "registration_secret")
}

// MatrixServer is the test homeserver, shared by every test of a run: tests
// never collide because each one registers users with fresh random names.
type MatrixServer struct {
	URL    string
	secret string
}

// MatrixUser is an account registered on the test homeserver, logged in on
// one device.
type MatrixUser struct {
	UserID      string // @name:localhost
	Password    string
	AccessToken string
	DeviceID    string
}

var (
	matrixOnce sync.Once
	matrixSrv  *MatrixServer
	matrixErr  error
)

// Matrix is the test homeserver. When it does not answer, the test skips,
// except under RELAIS_CI (where .ci/run's `make test` started it), where it
// fails.
func Matrix(t testing.TB) *MatrixServer {
	t.Helper()
	matrixOnce.Do(func() { matrixSrv, matrixErr = findMatrix() })
	if matrixErr != nil {
		if os.Getenv("RELAIS_CI") != "" {
			t.Fatalf("the test homeserver is unavailable and RELAIS_CI is set: make test should have started it (scripts/services.sh matrix): %v", matrixErr)
		}
		t.Skipf("no test homeserver (run `bash scripts/services.sh matrix`): %v", matrixErr)
	}
	return matrixSrv
}

func findMatrix() (*MatrixServer, error) {
	url := MatrixURL()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/_matrix/client/versions", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", url, err)
	}
	if err := resp.Body.Close(); err != nil {
		return nil, fmt.Errorf("%s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: versions answered %s", url, resp.Status)
	}
	secret, err := os.ReadFile(matrixSecretFile())
	if err != nil {
		return nil, fmt.Errorf("registration secret: %w", err)
	}
	return &MatrixServer{URL: url, secret: strings.TrimSpace(string(secret))}, nil
}

// NewUser registers a user named prefix plus random characters, with the
// homeserver's shared-secret registration (the Synapse admin API, which
// Dendrite implements), and returns it logged in on a new device.
func (m *MatrixServer) NewUser(t testing.TB, prefix string) MatrixUser {
	t.Helper()
	u, err := m.register(context.Background(), RandomName(prefix), RandomName("pw"))
	if err != nil {
		t.Fatalf("register a test Matrix user: %v", err)
	}
	return u
}

func (m *MatrixServer) register(ctx context.Context, name, password string) (MatrixUser, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	endpoint := m.URL + "/_synapse/admin/v1/register"
	var nonce struct {
		Nonce string `json:"nonce"`
	}
	if err := m.call(ctx, http.MethodGet, endpoint, nil, &nonce); err != nil {
		return MatrixUser{}, fmt.Errorf("registration nonce: %w", err)
	}
	mac := hmac.New(sha1.New, []byte(m.secret))
	for i, part := range []string{nonce.Nonce, name, password, "notadmin"} {
		if i > 0 {
			mac.Write([]byte{0})
		}
		mac.Write([]byte(part))
	}
	body := map[string]any{
		"nonce":    nonce.Nonce,
		"username": name,
		"password": password,
		"admin":    false,
		"mac":      hex.EncodeToString(mac.Sum(nil)),
	}
	var out struct {
		UserID      string `json:"user_id"`
		AccessToken string `json:"access_token"`
		DeviceID    string `json:"device_id"`
	}
	if err := m.call(ctx, http.MethodPost, endpoint, body, &out); err != nil {
		return MatrixUser{}, fmt.Errorf("register %s: %w", name, err)
	}
	return MatrixUser{UserID: out.UserID, Password: password, AccessToken: out.AccessToken, DeviceID: out.DeviceID}, nil
}

func (m *MatrixServer) call(ctx context.Context, method, url string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %s: %s", method, url, resp.Status, b)
	}
	return json.Unmarshal(b, out)
}
