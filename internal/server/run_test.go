package server

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// started is a Run in the background.
type started struct {
	addr  string
	lines []string
	stop  func() error
}

// startRun runs Run on 127.0.0.1:0 until the test ends or stop is called,
// and returns the printed start-up lines.
func startRun(t *testing.T, cfg Config) started {
	t.Helper()
	cfg.Listen = "127.0.0.1:0"
	cfg.Logger = testLogger(t)
	addrc := make(chan string, 1)
	cfg.OnListening = func(addr string) { addrc <- addr }
	var out bytes.Buffer // written before OnListening, read after: no race
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg, &out) }()
	stop := sync.OnceValue(func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(15 * time.Second):
			t.Error("Run did not return after cancel")
			return nil
		}
	})
	select {
	case addr := <-addrc:
		t.Cleanup(func() { _ = stop() })
		return started{addr: addr, lines: strings.Split(strings.TrimSpace(out.String()), "\n"), stop: stop}
	case err := <-done:
		cancel()
		t.Fatalf("Run returned before listening: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("Run did not start")
	}
	return started{}
}

var curlLine = regexp.MustCompile(`^try: curl (-k )?-u (\S+) (https?://\S+)$`)

// curl performs the printed curl command: Basic credentials (after the
// shell would have expanded $GROUPD_ADMIN_PASSWORD) against the URL.
func curl(t *testing.T, line string, client *http.Client) *http.Response {
	t.Helper()
	m := curlLine.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("last line %q is not a curl command of the expected form", line)
	}
	creds := strings.ReplaceAll(m[2], `"$`+AdminPasswordEnv+`"`, os.Getenv(AdminPasswordEnv))
	user, pw, _ := strings.Cut(creds, ":")
	req, err := http.NewRequest(http.MethodGet, m[3], nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(user, pw)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("curl %s: %v", m[3], err)
	}
	resp.Body.Close()
	return resp
}

func TestRunGeneratedPassword(t *testing.T) {
	t.Setenv(AdminPasswordEnv, "")
	dir := t.TempDir()
	s := startRun(t, Config{DataDir: dir, InsecureHTTP: true})
	if len(s.lines) != 4 {
		t.Fatalf("start-up lines:\n%s\nwant 4", strings.Join(s.lines, "\n"))
	}
	if want := "groupd listening on http://" + s.addr; s.lines[0] != want {
		t.Errorf("line 1 %q, want %q", s.lines[0], want)
	}
	if !regexp.MustCompile(`^admin login: admin \(admin@example\.org\) in tenant [0-9a-f-]{36}$`).MatchString(s.lines[1]) {
		t.Errorf("line 2 %q does not give the admin login", s.lines[1])
	}
	m := regexp.MustCompile(`^admin password: (\S+)  \(generated on this first start; it will not be shown again\)$`).FindStringSubmatch(s.lines[2])
	if m == nil {
		t.Fatalf("line 3 %q does not give the generated password", s.lines[2])
	}
	if want := "try: curl -u admin:" + m[1] + " http://" + s.addr + "/graph/v1.0/groups"; s.lines[3] != want {
		t.Errorf("line 4 %q, want %q", s.lines[3], want)
	}
	if resp := curl(t, s.lines[3], http.DefaultClient); resp.StatusCode != http.StatusOK {
		t.Errorf("printed curl command: status %d, want 200", resp.StatusCode)
	}
	if err := s.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}

	// The second start reuses the directory and never shows a password.
	s = startRun(t, Config{DataDir: dir, InsecureHTTP: true})
	out := strings.Join(s.lines, "\n")
	if strings.Contains(out, m[1]) {
		t.Errorf("second start shows the password:\n%s", out)
	}
	if s.lines[2] != "admin password: as set on the first start (not shown again; `groupd user password --upn admin` sets a new one)" {
		t.Errorf("second start, line 3 %q", s.lines[2])
	}
	if want := `try: curl -u admin:"$GROUPD_ADMIN_PASSWORD" http://` + s.addr + "/graph/v1.0/groups"; s.lines[3] != want {
		t.Errorf("second start, line 4 %q, want %q", s.lines[3], want)
	}
}

func TestRunPasswordFromEnv(t *testing.T) {
	t.Setenv(AdminPasswordEnv, "From-Env-Passw0rd")
	s := startRun(t, Config{DataDir: t.TempDir(), InsecureHTTP: true, Domain: "corp.example.com"})
	out := strings.Join(s.lines, "\n")
	if !strings.Contains(s.lines[1], "(admin@corp.example.com)") {
		t.Errorf("line 2 %q does not use --domain", s.lines[1])
	}
	if strings.Contains(out, "From-Env-Passw0rd") {
		t.Errorf("start-up lines show the password from the environment:\n%s", out)
	}
	if resp := curl(t, s.lines[len(s.lines)-1], http.DefaultClient); resp.StatusCode != http.StatusOK {
		t.Errorf("printed curl command with $%s: status %d, want 200", AdminPasswordEnv, resp.StatusCode)
	}
}

func TestRunTLSSelfSigned(t *testing.T) {
	t.Setenv(AdminPasswordEnv, "")
	dir := t.TempDir()
	s := startRun(t, Config{DataDir: dir, PublicURLs: []string{"https://dir.example.com"}})
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	if fi, err := os.Stat(keyFile); err != nil {
		t.Fatal(err)
	} else if fi.Mode().Perm() != 0o600 {
		t.Errorf("tls.key mode %v, want 0600", fi.Mode().Perm())
	}
	pemBytes, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(pemBytes)
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"localhost", "127.0.0.1", "::1", "dir.example.com"} {
		if err := cert.VerifyHostname(name); err != nil {
			t.Errorf("certificate does not name %s: %v", name, err)
		}
	}
	if life := cert.NotAfter.Sub(cert.NotBefore); life < 364*24*time.Hour || life > 367*24*time.Hour {
		t.Errorf("certificate valid for %v, want a year", life)
	}

	if want := "groupd listening on https://" + s.addr; s.lines[0] != want {
		t.Errorf("line 1 %q, want %q", s.lines[0], want)
	}
	if want := "  self-signed TLS certificate, created now: " + certFile; s.lines[1] != want {
		t.Errorf("line 2 %q, want %q", s.lines[1], want)
	}
	// Trust exactly this certificate, rather than skipping verification
	// as curl -k does, to prove it is the one served.
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	last := s.lines[len(s.lines)-1]
	if !strings.HasPrefix(last, "try: curl -k -u admin:") {
		t.Errorf("curl line %q lacks -k", last)
	}
	if resp := curl(t, last, client); resp.StatusCode != http.StatusOK {
		t.Errorf("printed curl command over https: status %d, want 200", resp.StatusCode)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}

	// A second start serves the same certificate.
	s = startRun(t, Config{DataDir: dir, PublicURLs: []string{"https://dir.example.com"}})
	if again, _ := os.ReadFile(certFile); !bytes.Equal(again, pemBytes) {
		t.Error("second start replaced the certificate")
	}
	if want := "  self-signed TLS certificate: " + certFile; s.lines[1] != want {
		t.Errorf("second start, line 2 %q, want %q", s.lines[1], want)
	}
	resp, err := client.Get("https://" + s.addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz over https: %d", resp.StatusCode)
	}
}

func TestRunRefusesBadConfig(t *testing.T) {
	for _, cfg := range []Config{
		{TLSCert: "only-cert.pem"},
		{InsecureHTTP: true, TLSCert: "c", TLSKey: "k"},
		{PublicURLs: []string{"dir.example.com"}},
	} {
		cfg.DataDir = t.TempDir()
		cfg.Listen = "127.0.0.1:0"
		cfg.Logger = testLogger(t)
		if err := Run(context.Background(), cfg, &bytes.Buffer{}); err == nil {
			t.Errorf("Run(%+v) = nil, want a configuration error", cfg)
		}
	}
}

func TestSelfSignedReuseAndRenewal(t *testing.T) {
	dir := t.TempDir()
	load := func(publicURLs ...string) tlsSetup {
		t.Helper()
		s, err := loadTLS(Config{DataDir: dir, PublicURLs: publicURLs}, testLogger(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if !load().created {
		t.Fatal("first start made no certificate")
	}
	if load().created {
		t.Error("an unchanged certificate was replaced")
	}
	s := load("https://new.example.com:8443")
	if !s.created {
		t.Error("a certificate lacking a public host was kept")
	}
	if err := s.config.Certificates[0].Leaf.VerifyHostname("new.example.com"); err != nil {
		t.Errorf("renewed certificate: %v", err)
	}
	if err := os.Remove(filepath.Join(dir, "tls.key")); err != nil {
		t.Fatal(err)
	}
	if !load("https://new.example.com:8443").created {
		t.Error("a certificate without its key was kept")
	}
}
