package postgres

import (
	"runtime"
	"testing"
	"time"
)

func TestOptionsFromURL(t *testing.T) {
	defMax := int32(max(8, 4*runtime.GOMAXPROCS(0)))
	for _, tc := range []struct {
		dsn     string
		opts    Options
		want    Options
		timeout string // statement_timeout sent to the server, "" for none
	}{
		{"postgres://h/db", Options{}, Options{defMax, 30 * time.Second, 10}, "30000"},
		{"postgres://h/db?pool_max_conns=3&statement_timeout=5s&serialization_retries=2", Options{},
			Options{3, 5 * time.Second, 2}, "5000"},
		{"postgresql://h/db?statement_timeout=1500", Options{}, Options{defMax, 1500 * time.Millisecond, 10}, "1500"},
		{"postgres://h/db?statement_timeout=0&serialization_retries=0", Options{}, Options{defMax, -1, -1}, ""},
		// Options win over the URL.
		{"postgres://h/db?pool_max_conns=3&statement_timeout=5s", Options{MaxConns: 7, StatementTimeout: time.Second, SerializationRetries: -1},
			Options{7, time.Second, -1}, "1000"},
	} {
		cfg, got, err := poolConfig(tc.dsn, tc.opts)
		if err != nil {
			t.Errorf("%s: %v", tc.dsn, err)
			continue
		}
		if got != tc.want || cfg.MaxConns != tc.want.MaxConns {
			t.Errorf("%s: options %+v (pool %d), want %+v", tc.dsn, got, cfg.MaxConns, tc.want)
		}
		rp := cfg.ConnConfig.RuntimeParams
		if rp["statement_timeout"] != tc.timeout {
			t.Errorf("%s: statement_timeout %q, want %q", tc.dsn, rp["statement_timeout"], tc.timeout)
		}
		if _, ok := rp["serialization_retries"]; ok {
			t.Errorf("%s: serialization_retries would reach the server", tc.dsn)
		}
		if rp["application_name"] != "groupd" {
			t.Errorf("%s: application_name %q", tc.dsn, rp["application_name"])
		}
	}
}

// TestJITOffUnlessAsked: connections run without JIT compilation unless
// the URL asks for it.
func TestJITOffUnlessAsked(t *testing.T) {
	for dsn, want := range map[string]string{"postgres://h/db": "off", "postgres://h/db?jit=on": "on"} {
		cfg, _, err := poolConfig(dsn, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.ConnConfig.RuntimeParams["jit"]; got != want {
			t.Errorf("%s: jit %q, want %q", dsn, got, want)
		}
	}
}
