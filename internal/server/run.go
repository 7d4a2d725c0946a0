package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"groupd/internal/directory"
	"groupd/internal/store"
)

// Run serves groupd until ctx is cancelled, then drains in-flight requests
// for up to 10 s and closes the store. Order matters for the operator: the
// port is bound and the certificate loaded before the first start creates
// the admin, so that a start which cannot serve never consumes the one
// showing of a generated password. The start-up lines go to stdout, logs
// to cfg.Logger.
func Run(ctx context.Context, cfg Config, stdout io.Writer) (err error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return err
	}
	log := cfg.Logger

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer ln.Close() // for the early returns; Serve owns it afterwards

	var tlsS tlsSetup
	if !cfg.InsecureHTTP {
		if tlsS, err = loadTLS(cfg, log); err != nil {
			return err
		}
	}

	st, err := store.Open(ctx, cfg.DataDir, cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer func() {
		if cerr := st.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close store: %w", cerr))
		}
	}()
	opts := append(append(readCache(st), cfg.Tracking.options()...), webhooks(cfg),
		directory.WithAuditRetention(cfg.AuditRetention))
	svc := directory.New(st, opts...)
	go cfg.Tracking.run(ctx, svc, log)
	stopWorker := startWebhooks(ctx, svc, cfg)
	defer stopWorker()
	go func() {
		if err := svc.Follow(ctx, cacheFollowInterval); err != nil {
			log.Warn("change follower stopped; cached reads may miss other processes' writes", "err", err)
		}
	}()
	go RetainAudit(ctx, svc, cfg.AuditRetention, log)
	if l, ok := st.(store.ChangeListener); ok {
		// Other instances announce their commits; reading the log at once
		// keeps the application cache behind tokens in step with them.
		go func() {
			if err := l.Listen(ctx, func(directory.TenantID) { svc.Wake() }); err != nil && ctx.Err() == nil {
				log.Warn("change notifications stopped; other instances' changes are seen on the next tick", "err", err)
			}
		}()
	}
	domain := cfg.Domain
	if domain == "" {
		domain = DefaultDomain
	}
	boot, err := bootstrap(ctx, svc, domain, os.Getenv(AdminPasswordEnv))
	if err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	if !boot.Created && cfg.Domain != "" && !boot.Tenant.HasDomain(cfg.Domain) {
		log.Warn("--domain applies to the first start only; the default tenant keeps its domains",
			"domain", cfg.Domain, "tenant_domain", boot.Tenant.DefaultDomain())
	}

	h, err := NewHandler(svc, st, cfg, prometheus.NewRegistry())
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           h,
		TLSConfig:         tlsS.config,
		ReadHeaderTimeout: 10 * time.Second,
		// Long enough for a 4 MiB body on a slow link, short enough that a
		// stalled client does not hold a connection for ever.
		ReadTimeout:    60 * time.Second,
		WriteTimeout:   60 * time.Second,
		IdleTimeout:    120 * time.Second,
		MaxHeaderBytes: 64 << 10, // room for large bearer tokens
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}

	base := localURL(cfg.Listen, ln.Addr(), !cfg.InsecureHTTP)
	if err := printBanner(stdout, banner{URL: base, TLS: tlsS, Boot: boot, PublicURLs: cfg.PublicURLs}); err != nil {
		return fmt.Errorf("print start-up lines: %w", err)
	}
	log.Info("serving", "addr", ln.Addr().String(), "url", base, "tls", !cfg.InsecureHTTP,
		"tenant", boot.Tenant.ID, "first_start", boot.Created)
	if cfg.OnListening != nil {
		cfg.OnListening(ln.Addr().String())
	}

	startPprof(ctx, log)
	errc := make(chan error, 1)
	go func() {
		if cfg.InsecureHTTP {
			errc <- srv.Serve(ln)
		} else {
			errc <- srv.ServeTLS(ln, "", "") // certificates come from TLSConfig
		}
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "drain", shutdownDrain.String())
	drain, cancel := context.WithTimeout(context.Background(), shutdownDrain)
	defer cancel()
	if err := srv.Shutdown(drain); err != nil {
		log.Warn("drain did not finish; closing connections", "err", err)
		_ = srv.Close()
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}

// localURL is the URL a user on this machine reaches the server by: the
// listen host (localhost when listening on every address) and the bound
// port, which differs from the asked one for port 0.
func localURL(listen string, bound net.Addr, https bool) string {
	host, _, err := net.SplitHostPort(listen)
	if err != nil || host == "" {
		host = "localhost"
	} else if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	port := "0"
	if a, ok := bound.(*net.TCPAddr); ok {
		port = fmt.Sprint(a.Port)
	}
	scheme := "http"
	if https {
		scheme = "https"
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// cacheFollowInterval bounds how long a write made by another process (the
// command line on the same SQLite file) may stay unseen by cached reads by
// id; writes through this server are seen at once.
const cacheFollowInterval = 100 * time.Millisecond

// readCache turns on the directory's cache of objects by id for engines
// whose change log this process can follow cheaply (SQLite). On engines
// shared by several servers the caches are checked against the change log
// by each read that uses them (reads by id, nesting questions), so that a
// write acknowledged by one instance is seen by the next read on any
// other; concurrent requests share that check, and the reads of one
// request share one. Other reads go to the database.
func readCache(st directory.Store) []directory.Option {
	if _, shared := st.(store.ChangeListener); shared {
		// PostgreSQL: a follower would learn of another instance's write
		// only after the fact, and the next read must see it.
		return []directory.Option{directory.WithCheckedReadCache(100_000)}
	}
	if _, ok := st.(interface {
		LastChange(context.Context) (int64, error)
	}); ok {
		return []directory.Option{directory.WithReadCache(100_000)}
	}
	return nil
}

// bootstrap is svc.Bootstrap for instances that may start together on one
// database: the one that loses the race to create the default tenant gets
// a conflict, and asking again finds the winner's tenant.
func bootstrap(ctx context.Context, svc *directory.Service, domain, password string) (directory.BootstrapResult, error) {
	boot, err := svc.Bootstrap(ctx, domain, password)
	if errors.Is(err, directory.ErrConflict) {
		return svc.Bootstrap(ctx, domain, password)
	}
	return boot, err
}
