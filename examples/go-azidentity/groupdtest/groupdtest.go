// Package groupdtest runs a real groupd for the client-library examples: it
// builds the binary from this repository, starts `groupd serve` on a free
// loopback port with a fresh data dir, and registers an application with
// `groupd app create`, exactly as a user would from a shell (see DESIGN.md,
// "Command line contract"). Nothing here knows groupd's internals; the
// examples talk to it over HTTPS only.
//
// Every wait is bounded, and the server is stopped when the test ends.
package groupdtest

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Bounds of every wait, generous for a loaded 2-core CI machine.
const (
	buildTimeout   = 8 * time.Minute // a cold build of the main module compiles modernc SQLite
	startTimeout   = 60 * time.Second
	commandTimeout = 60 * time.Second
	stopTimeout    = 15 * time.Second
)

// AdminPassword is the bootstrap administrator's password of every server
// started here (GROUPD_ADMIN_PASSWORD on its first start).
const AdminPassword = "Examples-Admin-Pw-1"

// App is what `groupd app create` prints.
type App struct {
	TenantID     string `json:"tenantId"`
	AppID        string `json:"appId"`
	ClientSecret string `json:"clientSecret"`
}

// Server is a running groupd.
type Server struct {
	URL      string         // https://127.0.0.1:PORT, as groupd printed it
	Host     string         // 127.0.0.1:PORT
	DataDir  string         // --data-dir
	CertFile string         // DataDir/tls.crt, the self-signed certificate
	Roots    *x509.CertPool // trusts CertFile and nothing else
	Binary   string         // the groupd binary that was built

	stderr *lockedBuffer
}

// Build compiles ./cmd/groupd of the repository that holds the current
// directory into t's temporary directory and returns the binary's path.
// Go's build cache makes every build after the first a link step. A failed
// build fails the test: it is never a reason to skip.
func Build(t testing.TB) string {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatalf("building groupd: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "groupd")
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/groupd")
	cmd.Dir = root
	cmd.WaitDelay = 10 * time.Second
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building groupd: go build ./cmd/groupd in %s: %v\n%s", root, err, out)
	}
	return bin
}

// RequireAppCreate skips the test, loudly, when bin has no `app create`
// command (a binary older than the identity platform). With CI=true it
// fails instead: CI never skips.
func RequireAppCreate(t testing.TB, bin string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "help").CombinedOutput()
	if err != nil {
		t.Fatalf("groupd help: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "app create") {
		return
	}
	msg := "groupd has no `app create` command, so no application can get a token; " +
		"this example needs a groupd with the identity platform"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip("\n\n*** SKIPPED: " + msg + " ***\n")
}

// Start builds groupd, starts `groupd serve --listen 127.0.0.1:0` on a new
// data dir and waits for its first line. The server is stopped (SIGTERM,
// then SIGKILL after a bound) when the test ends; if the test failed, the
// server's log is printed.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Build(t)
	RequireAppCreate(t, bin)

	dataDir := t.TempDir()
	s := &Server{DataDir: dataDir, Binary: bin, stderr: &lockedBuffer{}}

	cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir)
	cmd.Env = append(withoutEnv(os.Environ(), "GROUPD_DATABASE", "GROUPD_ADMIN_PASSWORD"),
		"GROUPD_ADMIN_PASSWORD="+AdminPassword)
	firstLine := make(chan string, 1)
	cmd.Stdout = &lineWriter{first: firstLine}
	cmd.Stderr = s.stderr
	cmd.WaitDelay = stopTimeout
	if err := cmd.Start(); err != nil {
		t.Fatalf("start groupd serve: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(stopTimeout):
			t.Errorf("groupd did not stop within %v of SIGTERM; killing it", stopTimeout)
			_ = cmd.Process.Kill()
			<-exited // bounded by WaitDelay
		}
		if t.Failed() {
			t.Logf("groupd log (stderr):\n%s", s.stderr.tail(16<<10))
		}
	})

	select {
	case line := <-firstLine:
		const prefix = "groupd listening on "
		if !strings.HasPrefix(line, prefix) {
			t.Fatalf("groupd's first line is %q, want %q + URL", line, prefix)
		}
		s.URL = strings.TrimSpace(strings.TrimPrefix(line, prefix))
	case err := <-exited:
		t.Fatalf("groupd serve exited before listening: %v\n%s", err, s.stderr.tail(8<<10))
	case <-time.After(startTimeout):
		t.Fatalf("groupd serve printed nothing within %v\n%s", startTimeout, s.stderr.tail(8<<10))
	}
	if !strings.HasPrefix(s.URL, "https://127.0.0.1:") {
		t.Fatalf("groupd listens on %q, want https://127.0.0.1:PORT", s.URL)
	}
	s.Host = strings.TrimPrefix(s.URL, "https://")

	s.CertFile = filepath.Join(dataDir, "tls.crt")
	pemBytes, err := os.ReadFile(s.CertFile)
	if err != nil {
		t.Fatalf("read the self-signed certificate: %v", err)
	}
	s.Roots = x509.NewCertPool()
	if !s.Roots.AppendCertsFromPEM(pemBytes) {
		t.Fatalf("%s holds no PEM certificate", s.CertFile)
	}
	return s
}

// CreateApp runs `groupd app create --data-dir DIR --name NAME --role ...`
// against the running server's data dir and returns what it printed.
func (s *Server) CreateApp(t testing.TB, name string, roles ...string) App {
	t.Helper()
	args := []string{"app", "create", "--data-dir", s.DataDir, "--name", name}
	for _, r := range roles {
		args = append(args, "--role", r)
	}
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.Binary, args...)
	cmd.Env = withoutEnv(os.Environ(), "GROUPD_DATABASE")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		t.Fatalf("groupd %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, stdout.Bytes(), stderr.Bytes())
	}
	var app App
	dec := json.NewDecoder(&stdout)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&app); err != nil {
		t.Fatalf("groupd app create printed %q, want one JSON object {tenantId, appId, clientSecret}: %v", stdout.String(), err)
	}
	if app.TenantID == "" || app.AppID == "" || app.ClientSecret == "" {
		t.Fatalf("groupd app create printed %q: a field is empty", stdout.String())
	}
	return app
}

// TLSConfig trusts the server's self-signed certificate.
func (s *Server) TLSConfig() *tls.Config {
	return &tls.Config{RootCAs: s.Roots, MinVersion: tls.VersionTLS12}
}

// HTTPClient is a plain client that trusts the server's certificate and
// never follows redirects (groupd must not redirect API paths).
func (s *Server) HTTPClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{TLSClientConfig: s.TLSConfig(), ForceAttemptHTTP2: true},
		Timeout:   30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// repoRoot finds the directory holding cmd/groupd, from the current
// directory (a test's package directory) upwards.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "cmd", "groupd", "main.go")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no cmd/groupd in any parent of the current directory")
		}
		dir = parent
	}
}

func withoutEnv(env []string, names ...string) []string {
	out := env[:0:0]
next:
	for _, kv := range env {
		for _, n := range names {
			if strings.HasPrefix(kv, n+"=") {
				continue next
			}
		}
		out = append(out, kv)
	}
	return out
}

// lineWriter hands the first complete line written to it to first and
// discards the rest (the banner, which holds the admin password).
type lineWriter struct {
	first chan<- string
	buf   []byte
	sent  bool
}

func (w *lineWriter) Write(p []byte) (int, error) {
	if !w.sent {
		w.buf = append(w.buf, p...)
		if i := bytes.IndexByte(w.buf, '\n'); i >= 0 {
			w.first <- string(w.buf[:i])
			w.sent, w.buf = true, nil
		}
	}
	return len(p), nil
}

// lockedBuffer keeps the server's log for a failure report.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.Bytes()
	if len(s) > n {
		s = s[len(s)-n:]
	}
	return string(s)
}
