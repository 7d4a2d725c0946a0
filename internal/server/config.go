package server

import (
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"groupd/internal/webhook"
)

// Defaults of the command line contract (DESIGN.md).
const (
	DefaultListen  = ":9200"
	DefaultDataDir = "./groupd-data"
	DefaultDomain  = "example.org"

	// shutdownDrain is how long in-flight requests may finish after a
	// shutdown signal before their connections are closed.
	shutdownDrain = 10 * time.Second
)

// AdminPasswordEnv names the variable read on the first start only.
const AdminPasswordEnv = "GROUPD_ADMIN_PASSWORD"

// Config is what `groupd serve` was asked to do. Zero values take the
// defaults above.
type Config struct {
	Listen      string
	DataDir     string
	DatabaseURL string // "" or "sqlite": SQLite in DataDir; else as store.Open reads it

	// InsecureHTTP serves plain HTTP. Otherwise TLSCert/TLSKey are used when
	// given, else a self-signed certificate kept in DataDir.
	InsecureHTTP    bool
	TLSCert, TLSKey string

	// Domain is the verified domain of the default tenant, used on the first
	// start only.
	Domain string

	// PublicURLs are the origins clients may reach this server by
	// (scheme://host[:port]); a request whose Host names one of them gets
	// that origin in Location headers and token issuers.
	PublicURLs []string

	// Tracking: deleted items and change log retention (tracking.go).
	Tracking Tracking
	// AuditRetention is how long audit entries are kept (default
	// DefaultAuditRetention); the change log keeps its own.
	AuditRetention time.Duration

	// Webhooks tunes change notification delivery. WebhookAllowHTTP
	// accepts http:// notification URLs; without it only https is
	// accepted, so that a subscriber cannot make groupd send plain-text
	// requests into the network it runs in.
	Webhooks         webhook.Config
	WebhookAllowHTTP bool
	// WebhookAllowPrivate lets the handshake and the notifications
	// connect to loopback, private, link-local and other non-public
	// addresses, and WebhookAllowHosts to the hosts, IP addresses and
	// CIDR prefixes listed; without them groupd connects to public
	// addresses only, checked on the address dialled, so that a
	// subscriber cannot reach the network it runs in (webhook.Policy).
	// They apply unless Webhooks.Client is set.
	WebhookAllowPrivate bool
	WebhookAllowHosts   []string

	Logger *slog.Logger

	// OnListening, when set, is called with the bound address once the
	// start-up lines are printed and just before requests are served; it
	// lets tests listen on port 0.
	OnListening func(addr string)
}

func (c Config) withDefaults() Config {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.DataDir == "" {
		c.DataDir = DefaultDataDir
	}
	if c.Domain == "" {
		c.Domain = DefaultDomain
	}
	if c.AuditRetention <= 0 {
		c.AuditRetention = DefaultAuditRetention
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	return c
}

func (c Config) validate() error {
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("--tls-cert and --tls-key go together")
	}
	if c.InsecureHTTP && c.TLSCert != "" {
		return fmt.Errorf("--insecure-http and --tls-cert exclude each other")
	}
	for _, u := range c.PublicURLs {
		if _, err := parseOrigin(u); err != nil {
			return err
		}
	}
	if err := webhook.CheckPolicy(c.webhookPolicy()); err != nil {
		return fmt.Errorf("--webhook-allow-hosts: %v", err)
	}
	return c.Tracking.validate()
}

// parseOrigin checks that raw is an http(s) origin, optionally with a
// trailing slash, and returns it as scheme://host[:port]. A path is
// refused because the dialects build URLs from the origin alone.
func parseOrigin(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--public-url %q: want http(s)://host[:port]", raw)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("--public-url %q: only scheme://host[:port], no path", raw)
	}
	return &url.URL{Scheme: u.Scheme, Host: strings.ToLower(u.Host)}, nil
}
