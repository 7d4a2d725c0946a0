package postgres

import (
	"context"
	"errors"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// A transaction's statements that return nothing the run needs wait in
// its pipeline and go out in one batch with the next statement: BEGIN
// with the run's first statement; an object's search tokens with the
// statement after its write; the change log rows and count deltas, its
// last ones, with the COMMIT. A write thus takes up to four round trips
// fewer than one statement each, and every statement still runs in the
// order the run made it, so its reads see its writes.

// deferred is a statement waiting in the pipeline; op names it in errors.
type deferred struct {
	op, sql string
	args    []any
	into    *int64 // the one value the statement returns, if it is read
}

const (
	qBegin  = "BEGIN ISOLATION LEVEL SERIALIZABLE"
	qCommit = "COMMIT"
)

// qXid gives the transaction its id at once and reads it, with BEGIN, so
// that a run that will append change rows can say where they land
// (tx.WantCursors, tx.AppendedCursors) without a round trip of its own.
// Only such runs ask: an id makes COMMIT write and flush a commit record,
// which a run that writes nothing (a webhook worker's empty claim) would
// otherwise not.
const qXid = "SELECT pg_current_xact_id()::text::bigint"

// pipeline is the querier of a transaction on conn.
type pipeline struct {
	conn *pgxpool.Conn
	st   *txState
}

var _ querier = pipeline{}

// begin opens a transaction on conn: BEGIN waits for the first statement.
func begin(conn *pgxpool.Conn, st *txState) pipeline {
	st.deferred = []deferred{{op: opBegin, sql: qBegin}}
	return pipeline{conn: conn, st: st}
}

// opBegin names the statements that open a transaction: BEGIN, and qXid
// when the run asked for it.
const opBegin = "begin"

// WantCursors implements directory.CursorsWanted: the transaction's id is
// read with BEGIN.
func (t *tx) WantCursors() {
	if !t.tx.begun && len(t.tx.deferred) == 1 {
		t.tx.deferred = append(t.tx.deferred, deferred{op: opBegin, sql: qXid, into: &t.tx.xid})
	}
}

// later queues a statement whose result is not needed before the commit.
func (t *tx) later(op, sql string, args ...any) {
	t.tx.deferred = append(t.tx.deferred, deferred{op: op, sql: sql, args: args})
}

func (p pipeline) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if len(p.st.deferred) == 0 {
		return p.conn.Exec(ctx, sql, args...)
	}
	br, err := p.send(ctx, sql, args)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, err
}

func (p pipeline) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if len(p.st.deferred) == 0 {
		return p.conn.Query(ctx, sql, args...)
	}
	br, err := p.send(ctx, sql, args)
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		_ = br.Close()
		return nil, err
	}
	return &batchRows{Rows: rows, br: br}, nil
}

func (p pipeline) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if len(p.st.deferred) == 0 {
		return p.conn.QueryRow(ctx, sql, args...)
	}
	br, err := p.send(ctx, sql, args)
	if err != nil {
		return errRow{err}
	}
	return batchRow{br: br, row: br.QueryRow()}
}

// send sends the deferred statements and then sql, and reads the deferred
// statements' results; the caller reads sql's and closes the batch. A
// deferred statement's failure is the run's (fail), returned as its
// statement reports it; the batch is then closed.
func (p pipeline) send(ctx context.Context, sql string, args []any) (pgx.BatchResults, error) {
	stmts := p.st.deferred
	p.st.deferred = nil
	fresh := !p.st.begun
	p.st.begun = true
	b := &pgx.Batch{}
	for _, d := range stmts {
		b.Queue(d.sql, d.args...)
	}
	b.Queue(sql, args...)
	br := p.conn.SendBatch(ctx, b)
	for _, d := range stmts {
		var err error
		if d.into != nil {
			err = br.QueryRow().Scan(d.into)
		} else {
			_, err = br.Exec()
		}
		if err != nil {
			_ = br.Close()
			if fresh && pgconn.SafeToRetry(err) {
				// Nothing reached the server, BEGIN included (a dead pooled
				// connection, which the pool drops): the run may start over.
				p.st.retry = true
			}
			return nil, reader{tx: p.st}.fail(d.op, err)
		}
	}
	return br, nil
}

// commit ends the transaction with the deferred statements and COMMIT in
// one batch. aborted says nothing was committed because the server
// refused a deferred statement (err is then its mapped error, and the
// transaction is open, and aborted) or nothing reached it. Otherwise err
// is COMMIT's, or the connection's, after which the outcome is unknown.
// A run that sent no statement has nothing to commit and sends nothing.
func (p pipeline) commit(ctx context.Context) (aborted bool, err error) {
	switch {
	case !p.st.begun && !slices.ContainsFunc(p.st.deferred, func(d deferred) bool { return d.op != opBegin }):
		p.st.deferred = nil
		return false, nil
	case len(p.st.deferred) == 0:
		return false, commitTag(p.conn.Exec(ctx, qCommit))
	}
	br, err := p.send(ctx, qCommit, nil)
	if err != nil {
		// The server skips the rest of a batch after a failed statement,
		// COMMIT too; a connection that failed after the batch went out
		// may have run it.
		var pgErr *pgconn.PgError
		return errors.As(err, &pgErr) || p.st.retry, err
	}
	err = commitTag(br.Exec())
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return false, err
}

// commitTag is COMMIT's outcome as pgx.Tx.Commit reports it: the server
// answers ROLLBACK to the COMMIT of a transaction that failed before.
func commitTag(tag pgconn.CommandTag, err error) error {
	if err == nil && tag.String() == "ROLLBACK" {
		return pgx.ErrTxCommitRollback
	}
	return err
}

// rollback ends a transaction that is not committed, if BEGIN was sent.
func (p pipeline) rollback(ctx context.Context) {
	p.st.deferred = nil
	if p.st.begun {
		_, _ = p.conn.Exec(ctx, "ROLLBACK")
	}
}

// batchRows are the rows of a statement sent in a batch, which is closed
// with them, so that the connection is free for the next statement once
// the rows are read.
type batchRows struct {
	pgx.Rows
	br     pgx.BatchResults
	closed bool
	err    error
}

func (r *batchRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.Close()
	return false
}

func (r *batchRows) Close() {
	if r.closed {
		return
	}
	r.closed = true
	r.Rows.Close()
	r.err = r.br.Close()
}

func (r *batchRows) Err() error {
	if err := r.Rows.Err(); err != nil {
		return err
	}
	return r.err
}

// batchRow is the row of a statement sent in a batch, closed once read.
type batchRow struct {
	br  pgx.BatchResults
	row pgx.Row
}

func (r batchRow) Scan(dest ...any) error {
	err := r.row.Scan(dest...)
	if cerr := r.br.Close(); err == nil {
		err = cerr
	}
	return err
}
