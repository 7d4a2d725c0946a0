package postgres

import (
	"runtime"
	"testing"
	"time"
)

func TestOptionsFromURL(t *testing.T) {
	defMax := int32(max(8, 4*runtime.GOMAXPROCS(0)))
	defW := runtime.GOMAXPROCS(0) + 1
	for _, tc := range []struct {
		dsn     string
		opts    Options
		want    Options
		timeout string // statement_timeout sent to the server, "" for none
	}{
		{"postgres://h/db", Options{}, Options{defMax, 30 * time.Second, 10, defW}, "30000"},
		{"postgres://h/db?pool_max_conns=3&statement_timeout=5s&serialization_retries=2&max_writers=5", Options{},
			Options{3, 5 * time.Second, 2, 5}, "5000"},
		{"postgresql://h/db?statement_timeout=1500", Options{}, Options{defMax, 1500 * time.Millisecond, 10, defW}, "1500"},
		{"postgres://h/db?statement_timeout=0&serialization_retries=0", Options{}, Options{defMax, -1, -1, defW}, ""},
		// Options win over the URL.
		{"postgres://h/db?pool_max_conns=3&statement_timeout=5s&max_writers=4", Options{MaxConns: 7, StatementTimeout: time.Second, SerializationRetries: -1, MaxWriters: 1},
			Options{7, time.Second, -1, 1}, "1000"},
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
		for _, p := range []string{"serialization_retries", "max_writers"} {
			if _, ok := rp[p]; ok {
				t.Errorf("%s: %s would reach the server", tc.dsn, p)
			}
		}
		if rp["application_name"] != "groupd" {
			t.Errorf("%s: application_name %q", tc.dsn, rp["application_name"])
		}
	}
}

func TestOptionsRefuseBadWriters(t *testing.T) {
	for _, v := range []string{"0", "-1", "two"} {
		_, _, err := poolConfig("postgres://h/db?max_writers="+v, Options{})
		if err == nil || err.Error() != `max_writers "`+v+`": want a number of at least 1` {
			t.Errorf("max_writers=%s: %v", v, err)
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
