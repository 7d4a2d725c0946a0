package sqlite

import (
	"context"
	"fmt"
	"time"
)

// qTrimAudit reads the oldest ?2 copied rows only, and deletes those
// before the first of them that is not older than ?1, as the change log's
// trim does (tracking.go). It used to look for the first row to keep
// across the whole log, which read every old row on each call: after a
// retention was shortened, a backlog of n rows cost n²/2 rows read in
// batches of ?2.
const qTrimAudit = `DELETE FROM audit_log WHERE seq IN (
	WITH b AS (SELECT seq, at FROM audit_log ORDER BY seq LIMIT ?2)
	SELECT seq FROM b WHERE seq < COALESCE((SELECT min(seq) FROM b WHERE at >= ?1), 9223372036854775807))`

// auditFields are the columns an audit row shares with its change row.
const auditFields = `tenant_id, object_id, object_kind, op, related_id,
	related_kind, properties, actor_kind, actor_id, actor_name, request_id, client_addr, at`

// TrimAudit deletes the oldest copied rows by seq, up to the first row
// that is not older than before (the change log's rows go with its own
// trim). Rows were copied in commit order, so their times rise with seq (a
// clock stepping back only keeps a few rows a little longer), and the scan
// reads no more than it deletes, with no index on time. It runs on the
// audit file alone.
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
