package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// A write's last statements, its change log rows and count deltas, return
// nothing the run needs. They wait in the transaction's pipeline and go
// out with the COMMIT, in one round trip instead of three; a statement
// the run sends before that takes them along first, so that its reads see
// them and every statement runs in the order the run made it.

// deferred is a statement waiting in the pipeline; op names it in errors.
type deferred struct {
	op, sql string
	args    []any
}

// pipeline is the querier of a transaction: pgx's, after the deferred
// statements.
type pipeline struct {
	tx pgx.Tx
	st *txState
}

var _ querier = pipeline{}

// later queues a statement whose result is not needed before the commit.
func (t *tx) later(op, sql string, args ...any) {
	t.tx.deferred = append(t.tx.deferred, deferred{op: op, sql: sql, args: args})
}

func (p pipeline) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if err := p.flush(ctx); err != nil {
		return pgconn.CommandTag{}, err
	}
	return p.tx.Exec(ctx, sql, args...)
}

func (p pipeline) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if err := p.flush(ctx); err != nil {
		return nil, err
	}
	return p.tx.Query(ctx, sql, args...)
}

func (p pipeline) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if err := p.flush(ctx); err != nil {
		return errRow{err}
	}
	return p.tx.QueryRow(ctx, sql, args...)
}

// flush sends the deferred statements. A failure is the run's (fail) and
// is returned as the statement that failed reports it.
func (p pipeline) flush(ctx context.Context) error {
	if len(p.st.deferred) == 0 {
		return nil
	}
	_, err := p.send(ctx, false)
	return err
}

// commit sends the deferred statements and COMMIT in one batch. aborted
// says the server refused a deferred statement: err is then its mapped
// error, and the transaction is still open, and aborted. Otherwise err is
// COMMIT's, unmapped, as pgx.Tx.Commit reports it, or the connection's.
func (p pipeline) commit(ctx context.Context) (aborted bool, err error) {
	if len(p.st.deferred) == 0 {
		return false, p.tx.Commit(ctx)
	}
	return p.send(ctx, true)
}

func (p pipeline) send(ctx context.Context, commit bool) (aborted bool, err error) {
	stmts := p.st.deferred
	p.st.deferred = nil
	b := &pgx.Batch{}
	for _, d := range stmts {
		b.Queue(d.sql, d.args...)
	}
	if commit {
		b.Queue("COMMIT")
	}
	br := p.tx.SendBatch(ctx, b)
	r := reader{tx: p.st}
	for _, d := range stmts {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			var pgErr *pgconn.PgError
			if commit && !errors.As(err, &pgErr) {
				// The connection failed after the batch went out: the
				// COMMIT may have run, so the outcome is unknown.
				return false, err
			}
			// The server skips the rest of the batch, COMMIT too.
			return true, r.fail(d.op, err)
		}
	}
	if !commit {
		if err := br.Close(); err != nil {
			return true, r.fail(stmts[len(stmts)-1].op, err)
		}
		return false, nil
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	// As pgx.Tx.Commit: the server answers ROLLBACK to the COMMIT of a
	// transaction that failed before.
	if err == nil && tag.String() == "ROLLBACK" {
		err = pgx.ErrTxCommitRollback
	}
	return false, err
}
