package postgres

import (
	"context"
	"fmt"
	"net/url"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"groupd/internal/directory"
)

// Store is a directory.Store on one PostgreSQL database. Several Stores,
// in one process or many, may share the database.
type Store struct {
	reader // reads through the pool, each in its own implicit transaction

	pool   *pgxpool.Pool
	conn   *pgx.ConnConfig // for the LISTEN connection
	opts   Options
	where  string // the URL without its password, for messages
	closed atomic.Bool
	notify *notifier
	// writers holds a token per running write transaction (MaxWriters);
	// a channel's blocked senders are served in arrival order.
	writers chan struct{}
}

var _ directory.Store = (*Store)(nil)

// Open connects to the database dsn names (postgres://…), applies pending
// migrations under an advisory lock (so that several instances may start
// at once) and refuses a schema newer than this binary (ErrSchemaTooNew).
// opts override the URL's parameters; see Options.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	cfg, opts, err := poolConfig(dsn, opts)
	if err != nil {
		return nil, err
	}
	where := redact(dsn)
	if err := migrate(ctx, cfg.ConnConfig); err != nil {
		return nil, mapErr("migrate "+where, err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, mapErr("open "+where, err)
	}
	if err := warm(ctx, pool, int(cfg.MinConns)); err != nil {
		pool.Close()
		return nil, mapErr("open "+where, err)
	}
	if err := analyzeStale(ctx, pool); err != nil {
		pool.Close()
		return nil, mapErr("analyze "+where, err)
	}
	s := &Store{pool: pool, conn: cfg.ConnConfig, opts: opts, where: where, notify: newNotifier(pool),
		writers: make(chan struct{}, opts.MaxWriters)}
	s.reader = reader{q: poolQuerier{pool: pool, closed: &s.closed}}
	s.notify.start()
	return s, nil
}

// warm opens n pooled connections now; the pool keeps them (MinConns).
func warm(ctx context.Context, pool *pgxpool.Pool, n int) error {
	held := make([]*pgxpool.Conn, 0, n)
	defer func() {
		for _, c := range held {
			c.Release()
		}
	}()
	for range n {
		c, err := pool.Acquire(ctx)
		if err != nil {
			return err
		}
		held = append(held, c)
	}
	return nil
}

// Options returns the options in force, defaults filled in.
func (s *Store) Options() Options { return s.opts }

// Ping reports whether the database answers (directory.ErrUnavailable if
// not). A dead pooled connection is replaced, so Ping turns healthy again
// as soon as the server is back.
func (s *Store) Ping(ctx context.Context) error {
	if s.closed.Load() {
		return errClosed
	}
	if err := s.pool.Ping(ctx); err != nil {
		return unavailable("ping", err)
	}
	return nil
}

// Close announces the changes committed so far (Listen), then closes
// every pooled connection; later calls fail with
// directory.ErrUnavailable. It is safe to call more than once.
func (s *Store) Close() error {
	if s.closed.CompareAndSwap(false, true) {
		s.notify.close()
		s.pool.Close()
	}
	return nil
}

// String names the database without its password.
func (s *Store) String() string { return "postgres " + s.where }

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// querier is what reads and writes run on: the pool, or a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// poolQuerier answers ErrUnavailable once the store is closed, rather than
// pgxpool's untyped "closed pool".
type poolQuerier struct {
	pool   *pgxpool.Pool
	closed *atomic.Bool
}

func (p poolQuerier) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if p.closed.Load() {
		return pgconn.CommandTag{}, errClosed
	}
	return p.pool.Exec(ctx, sql, args...)
}

func (p poolQuerier) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if p.closed.Load() {
		return nil, errClosed
	}
	return p.pool.Query(ctx, sql, args...)
}

func (p poolQuerier) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if p.closed.Load() {
		return errRow{errClosed}
	}
	return p.pool.QueryRow(ctx, sql, args...)
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

var errClosed = fmt.Errorf("store closed: %w", directory.ErrUnavailable)
