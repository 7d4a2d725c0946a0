package postgres

import (
	"fmt"
	"net/url"
	"runtime"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Options tune the engine. Zero fields take the value from the database
// URL's query, else the default; the URL parameters are:
//
//	pool_max_conns=N          connections in the pool (pgxpool's own parameter)
//	max_writers=N             write transactions at once; the others wait their turn
//	statement_timeout=30s     a Go duration or milliseconds; 0 turns it off
//	serialization_retries=10  extra runs of an Update after a serialization failure
//
// Every other parameter means what it means to pgx and libpq (sslmode,
// application_name, search_path via options, ...).
type Options struct {
	// MaxConns bounds the pool. Default: max(8, 4 × GOMAXPROCS), so that
	// concurrent writers can share PostgreSQL's WAL flushes.
	MaxConns int32
	// StatementTimeout makes the server cancel a statement that runs
	// longer (the caller then gets directory.ErrUnavailable). It also
	// bounds how long a transaction of ours may sit idle, because an open
	// writing transaction holds back the change log (README.md). Default
	// 30 s; negative turns both off.
	StatementTimeout time.Duration
	// SerializationRetries is how many more times Update runs its function
	// after SQLSTATE 40001 or 40P01. Default 10; negative means none.
	SerializationRetries int
	// MaxWriters bounds the write transactions (Update runs) of this
	// instance that hold a connection at once; the others wait in turn,
	// while reads keep the rest of the pool. Writers beyond what the
	// server's cores run at once only queue inside PostgreSQL, on its WAL
	// insertion and buffer locks and on more serialization failures, and
	// the queue there has no order: with 8 provisioning calls at once on 2
	// shared cores, p99 was 64–87 ms with 8 writers and 39–62 ms with 2
	// (README.md). One writer more than cores keeps them busy while a
	// writer is between statements (a round trip, groupd's own work, the
	// commit's WAL flush): 3 writers on 2 cores gave 10–20 % more
	// provisioning calls a second than 2, and a p99 as low or lower.
	// Default GOMAXPROCS + 1.
	MaxWriters int
}

const (
	defaultStatementTimeout = 30 * time.Second
	defaultRetries          = 10
	// warmConns connections are opened by Open and kept open: a new
	// connection costs the server a process start, which the first
	// requests after a start or an idle spell should not wait for.
	warmConns = 2
)

// ourParams are read by groupd and must not reach the server, which would
// refuse them as unknown settings.
var ourParams = []string{"statement_timeout", "serialization_retries", "max_writers"}

// poolConfig builds the pgxpool configuration from dsn and opts.
func poolConfig(dsn string, opts Options) (*pgxpool.Config, Options, error) {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, opts, fmt.Errorf("database URL: want postgres://…")
	}
	q := u.Query()
	fromURL := Options{}
	if v := q.Get("statement_timeout"); v != "" {
		if fromURL.StatementTimeout, err = parseTimeout(v); err != nil {
			return nil, opts, err
		}
	}
	if v := q.Get("serialization_retries"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, opts, fmt.Errorf("serialization_retries %q: want a number", v)
		}
		fromURL.SerializationRetries = n
		if n == 0 {
			fromURL.SerializationRetries = -1
		}
	}
	if v := q.Get("max_writers"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, opts, fmt.Errorf("max_writers %q: want a number of at least 1", v)
		}
		fromURL.MaxWriters = n
	}
	for _, p := range ourParams {
		q.Del(p)
	}
	u.RawQuery = q.Encode()
	cfg, err := pgxpool.ParseConfig(u.String())
	if err != nil {
		// pgx's message may quote the URL, password included.
		return nil, opts, fmt.Errorf("database URL %s: invalid", u.Redacted())
	}
	_, maxGiven := q["pool_max_conns"]

	o := opts
	if o.StatementTimeout == 0 {
		o.StatementTimeout = fromURL.StatementTimeout
	}
	if o.StatementTimeout == 0 {
		o.StatementTimeout = defaultStatementTimeout
	}
	if o.SerializationRetries == 0 {
		o.SerializationRetries = fromURL.SerializationRetries
	}
	if o.SerializationRetries == 0 {
		o.SerializationRetries = defaultRetries
	}
	if o.MaxWriters <= 0 {
		o.MaxWriters = fromURL.MaxWriters
	}
	if o.MaxWriters <= 0 {
		o.MaxWriters = runtime.GOMAXPROCS(0) + 1
	}
	switch {
	case o.MaxConns > 0:
		cfg.MaxConns = o.MaxConns
	case !maxGiven:
		cfg.MaxConns = int32(max(8, 4*runtime.GOMAXPROCS(0)))
	}
	o.MaxConns = cfg.MaxConns
	if _, given := q["pool_min_conns"]; !given {
		cfg.MinConns = min(warmConns, cfg.MaxConns)
	}

	rp := cfg.ConnConfig.RuntimeParams
	if rp["application_name"] == "" {
		rp["application_name"] = "groupd"
	}
	// JIT compiles a statement the planner costs high, for 20 ms and more
	// on every execution; groupd's statements read tens of rows by index,
	// but a recursive walk's guessed thousands of rows cost it high. A jit
	// parameter of the URL wins.
	if rp["jit"] == "" {
		rp["jit"] = "off"
	}
	if o.StatementTimeout > 0 {
		ms := strconv.FormatInt(o.StatementTimeout.Milliseconds(), 10)
		rp["statement_timeout"] = ms
		rp["idle_in_transaction_session_timeout"] = ms
	}
	return cfg, o, nil
}

// parseTimeout reads "30s", "1m" or plain milliseconds as PostgreSQL does.
// An explicit 0 turns the timeout off.
func parseTimeout(v string) (time.Duration, error) {
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
		if ms == 0 {
			return -1, nil
		}
		return time.Duration(ms) * time.Millisecond, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("statement_timeout %q: want a duration like 30s", v)
	}
	if d == 0 {
		return -1, nil
	}
	return d, nil
}
