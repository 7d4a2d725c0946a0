package main

import (
	"context"
	"flag"
	"log/slog"
	"strings"
	"time"

	"groupd/internal/server"
	"groupd/internal/store"
)

func serveCmd(fs *flag.FlagSet) action {
	var cfg server.Config
	fs.StringVar(&cfg.Listen, "listen", server.DefaultListen, "`ADDR` to listen on, host:port")
	storeCfg := storeFlags(fs)
	fs.BoolVar(&cfg.InsecureHTTP, "insecure-http", false, "serve plain HTTP instead of HTTPS")
	fs.StringVar(&cfg.TLSCert, "tls-cert", "", "PEM certificate `FILE` (default: a self-signed one in --data-dir)")
	fs.StringVar(&cfg.TLSKey, "tls-key", "", "PEM private key `FILE` for --tls-cert")
	fs.StringVar(&cfg.Domain, "domain", "", "verified `DOMAIN` of the default tenant, on the first start (default "+server.DefaultDomain+")")
	fs.Var((*stringList)(&cfg.PublicURLs), "public-url", "`URL` clients reach groupd by, scheme://host[:port] (repeatable)")
	trackingFlags(fs, &cfg.Tracking)
	fs.DurationVar(&cfg.AuditRetention, "audit-retention", server.DefaultAuditRetention, "how long audit entries are kept (`DURATION`, e.g. 720h)")
	fs.BoolVar(&cfg.WebhookAllowHTTP, "webhook-allow-http", false, "accept http:// notification URLs for subscriptions (default: https only)")
	fs.BoolVar(&cfg.WebhookAllowPrivate, "webhook-allow-private", false, "let subscriptions send to loopback, private and link-local addresses (default: public addresses only)")
	fs.Func("webhook-allow-hosts", "`HOSTS` subscriptions may send to whatever they resolve to: host names, IP addresses or CIDR prefixes, comma-separated (repeatable)", func(v string) error {
		cfg.WebhookAllowHosts = append(cfg.WebhookAllowHosts, strings.Split(v, ",")...)
		return nil
	})
	return func(ctx context.Context, env cmdEnv) error {
		cfg.DataDir, cfg.DatabaseURL = storeCfg()
		server.TuneGC()
		_, sqlite := store.SQLiteFile(cfg.DataDir, cfg.DatabaseURL)
		server.TuneProcs(sqlite)
		// The access log writes a line per request; batching the writes
		// keeps it from costing a system call each.
		lw := server.NewLogWriter(env.stderr, 100*time.Millisecond)
		defer lw.Close()
		cfg.Logger = slog.New(slog.NewJSONHandler(lw, nil))
		return server.Run(ctx, cfg, env.stdout)
	}
}
