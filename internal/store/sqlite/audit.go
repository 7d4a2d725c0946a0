package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"groupd/internal/directory"
)

// The copier's statements run on its connection to the audit file, where
// the directory's file is attached as dir (auditfile.go).
const (
	// Writing first takes the audit file's write lock before anything is
	// read, so that a copier of another process waits instead of copying
	// the same rows, and no lock is taken on the directory's file.
	qAuditLock     = `UPDATE audit_position SET cursor = cursor WHERE id = 1 RETURNING cursor`
	qAuditPosition = `SELECT cursor FROM audit_position WHERE id = 1`
	qSetAuditPos   = `UPDATE audit_position SET cursor = ?1 WHERE id = 1`
	qAuditBounds   = `SELECT count(*), COALESCE(max(cursor), 0) FROM
	(SELECT cursor FROM dir.changes WHERE cursor > ?1 ORDER BY cursor LIMIT ?2)`
	// OR FAIL spares SQLite a statement journal for the multi-row insert,
	// as for the change log itself (changes.go).
	qCopyAudit = `INSERT OR FAIL INTO main.audit_log (` + auditFields + `)
SELECT ` + auditFields + `
FROM dir.changes WHERE cursor > ?1 AND cursor <= ?2 AND object_kind <> ?3 ORDER BY cursor`
	// qTrimAudit reads the oldest ?2 rows only, and deletes those before
	// the first of them that is not older than ?1, as the change log's
	// trim does (tracking.go). It used to look for the first row to keep
	// across the whole log, which read every old row on each call: after
	// a retention was shortened, a backlog of n rows cost n²/2 rows read
	// in batches of ?2.
	qTrimAudit = `DELETE FROM audit_log WHERE seq IN (
	WITH b AS (SELECT seq, at FROM audit_log ORDER BY seq LIMIT ?2)
	SELECT seq FROM b WHERE seq < COALESCE((SELECT min(seq) FROM b WHERE at >= ?1), 9223372036854775807))`
)

// auditFields are the columns an audit row shares with its change row.
const auditFields = `tenant_id, object_id, object_kind, op, related_id,
	related_kind, properties, actor_kind, actor_id, actor_name, request_id, client_addr, at`

const auditCols = `seq, ` + auditFields

// AuditLog reads the audit file (directory.AuditStore).
func (s *Store) AuditLog(ctx context.Context, tenant directory.TenantID, q directory.AuditQuery) (directory.Page[directory.AuditRecord], error) {
	return s.audit.r.auditLog(ctx, tenant, q)
}

// TrimAudit deletes the oldest rows by seq, up to the first row that is
// not older than before: rows are copied in commit order, so their times
// rise with seq (a clock stepping back only keeps a few rows a little
// longer), and the scan reads no more than it deletes, with no index on
// time for every copy to maintain. It runs on the audit file alone.
func (s *Store) TrimAudit(ctx context.Context, before time.Time, limit int) (int, error) {
	a := s.audit
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return 0, errClosed
	}
	st, err := a.stmt(ctx, qTrimAudit)
	if err != nil {
		return 0, mapErr("trim audit log", err)
	}
	res, err := st.ExecContext(ctx, micros(before), limit)
	if err != nil {
		return 0, mapErr("trim audit log", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("trim audit log: %w", err)
	}
	return int(n), nil
}

// CopyAudit copies in one transaction of the audit file: it takes the
// file's write lock, reads the position, bounds the rows after it in the
// directory's change log (cursor order is commit order, changes.go), waits
// until they are durable, copies them inside the engine and moves the
// position. The directory's writer takes no part.
func (s *Store) CopyAudit(ctx context.Context, batch int) (int, error) {
	a := s.audit
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return 0, errClosed
	}
	n, err := a.copy(ctx, batch, s.sync.waitDurable)
	return n, mapErr("copy audit", err)
}

func (a *auditFile) copy(ctx context.Context, batch int, durable func(context.Context, int64) error) (int, error) {
	if _, err := a.c.ExecContext(ctx, "BEGIN"); err != nil {
		return 0, err
	}
	committed := false
	defer func() {
		if !committed {
			// Fails harmlessly when SQLite has already rolled back.
			_, _ = a.c.ExecContext(context.Background(), "ROLLBACK")
		}
	}()
	run := func(q string, args []any, dest ...any) error {
		st, err := a.stmt(ctx, q)
		if err != nil {
			return err
		}
		if dest == nil {
			_, err = st.ExecContext(ctx, args...)
			return err
		}
		return st.QueryRowContext(ctx, args...).Scan(dest...)
	}
	var (
		pos  sql.NullInt64
		last int64
		n    int
	)
	if err := run(qAuditLock, nil, &pos); err != nil {
		return 0, err
	}
	if err := run(qAuditBounds, []any{pos.Int64, batch}, &n, &last); err != nil || n == 0 {
		return 0, err
	}
	if err := durable(ctx, last); err != nil {
		return 0, err
	}
	if err := run(qCopyAudit, []any{pos.Int64, last, string(directory.KindSigningKey)}); err != nil {
		return 0, err
	}
	if err := run(qSetAuditPos, []any{last}); err != nil {
		return 0, err
	}
	if _, err := a.c.ExecContext(ctx, "COMMIT"); err != nil {
		return 0, err
	}
	committed = true
	return n, nil
}
