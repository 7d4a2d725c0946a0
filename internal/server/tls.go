package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Names of the self-signed certificate files in the data dir.
const (
	selfSignedCert = "tls.crt"
	selfSignedKey  = "tls.key"
	selfSignedLife = 365 * 24 * time.Hour
)

// tlsSetup says which certificate is served and whether it was just made.
type tlsSetup struct {
	config     *tls.Config
	certFile   string
	selfSigned bool
	created    bool
}

// loadTLS loads --tls-cert/--tls-key, or the self-signed certificate in
// dataDir, creating it on first start. An existing self-signed certificate
// is reused until it expires or no longer names every host it must
// (localhost, the loopback addresses and the public URL hosts); then it is
// replaced, so that adding a --public-url needs no manual step.
func loadTLS(cfg Config, log *slog.Logger) (tlsSetup, error) {
	s := tlsSetup{certFile: cfg.TLSCert}
	keyFile := cfg.TLSKey
	if s.certFile == "" {
		s.selfSigned = true
		s.certFile = filepath.Join(cfg.DataDir, selfSignedCert)
		keyFile = filepath.Join(cfg.DataDir, selfSignedKey)
		names := requiredNames(cfg.PublicURLs)
		reason, err := selfSignedStale(s.certFile, keyFile, names)
		if err != nil {
			return tlsSetup{}, err
		}
		if reason != "" {
			if err := writeSelfSigned(s.certFile, keyFile, names); err != nil {
				return tlsSetup{}, err
			}
			s.created = true
			log.Info("created self-signed TLS certificate", "file", s.certFile, "reason", reason, "names", names)
		}
	}
	cert, err := tls.LoadX509KeyPair(s.certFile, keyFile)
	if err != nil {
		return tlsSetup{}, fmt.Errorf("load TLS certificate: %w", err)
	}
	s.config = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	return s, nil
}

// requiredNames are the DNS names and IP addresses the self-signed
// certificate must cover.
func requiredNames(publicURLs []string) []string {
	names := []string{"localhost", "127.0.0.1", "::1"}
	for _, raw := range publicURLs {
		if u, err := parseOrigin(raw); err == nil && !slices.Contains(names, u.Hostname()) {
			names = append(names, u.Hostname())
		}
	}
	return names
}

// selfSignedStale returns why the certificate at path must be (re)made, or
// "" when it can be reused.
func selfSignedStale(path, keyFile string, names []string) (string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "first start", nil
	}
	if _, kerr := os.Stat(keyFile); errors.Is(kerr, fs.ErrNotExist) {
		return "key missing", nil
	}
	if err != nil {
		return "", fmt.Errorf("read TLS certificate: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return "unreadable", nil
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return "unreadable", nil
	}
	if time.Now().Add(24 * time.Hour).After(cert.NotAfter) {
		return "expires", nil
	}
	for _, n := range names {
		if cert.VerifyHostname(n) != nil {
			return "does not name " + n, nil
		}
	}
	return "", nil
}

// writeSelfSigned makes an ECDSA P-256 certificate for names plus this
// machine's host name, valid for a year. The key file is 0600. Both files
// are written to temporary names and renamed, so that a crash never leaves
// a certificate without its key.
func writeSelfSigned(certFile, keyFile string, names []string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("generate TLS key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return fmt.Errorf("generate serial: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "groupd self-signed", Organization: []string{"groupd"}},
		NotBefore:             now.Add(-time.Hour), // tolerate clients whose clock is a little behind
		NotAfter:              now.Add(selfSignedLife),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		// Not a CA: browsers refuse a CA certificate as a server's own, and
		// clients can still trust this one directly (curl --cacert).
		IsCA: false,
	}
	if host, err := os.Hostname(); err == nil && host != "" && !slices.Contains(names, host) {
		names = append(slices.Clip(names), host)
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("create TLS certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("encode TLS key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(certFile), 0o700); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	if err := writeFileAtomic(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return err
	}
	return writeFileAtomic(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

func writeFileAtomic(path string, data []byte, perm fs.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(f.Name()) // no-op after the rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
