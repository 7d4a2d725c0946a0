package sqlite

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"groupd/internal/directory"
)

const (
	qAuditBounds = `SELECT count(*), COALESCE(max(cursor), 0) FROM
	(SELECT cursor FROM changes WHERE cursor > ?1 ORDER BY cursor LIMIT ?2)`
	// OR FAIL spares SQLite a statement journal for the multi-row insert,
	// as for the change log itself (changes.go).
	qCopyAudit = `INSERT OR FAIL INTO audit_log (tenant_id, object_id, object_kind, op, related_id,
	related_kind, properties, actor_kind, actor_id, actor_name, request_id, client_addr, at)
SELECT tenant_id, object_id, object_kind, op, related_id, related_kind, properties,
	actor_kind, actor_id, actor_name, request_id, client_addr, at
FROM changes WHERE cursor > ?1 AND cursor <= ?2 AND object_kind <> ?3 ORDER BY cursor`
	qTrimAudit = `DELETE FROM audit_log WHERE seq IN (SELECT seq FROM audit_log
	WHERE seq < COALESCE((SELECT seq FROM audit_log WHERE at >= ?1 ORDER BY seq LIMIT 1), 9223372036854775807)
	ORDER BY seq LIMIT ?2)`
)

const auditCols = `seq, tenant_id, object_id, object_kind, op, related_id, related_kind, properties,
	actor_kind, actor_id, actor_name, request_id, client_addr, at`

// AuditLog lists newest first by seq. The rows are copied from the change
// log in cursor order, so seq order is commit order here.
func (r reader) AuditLog(ctx context.Context, tenant directory.TenantID, q directory.AuditQuery) (directory.Page[directory.AuditRecord], error) {
	var out directory.Page[directory.AuditRecord]
	if q.Activities != nil && len(q.Activities) == 0 {
		return out, nil
	}
	args := []any{string(tenant)}
	arg := func(v any) string {
		args = append(args, v)
		return "?" + strconv.Itoa(len(args))
	}
	where := []string{"tenant_id = ?1"}
	if q.Page.After != "" {
		after, err := strconv.ParseInt(q.Page.After, 10, 64)
		if err != nil || after <= 0 {
			return out, directory.ErrBadCursor
		}
		where = append(where, "seq < "+arg(after))
	}
	if !q.Since.IsZero() {
		where = append(where, "at >= "+arg(micros(q.Since)))
	}
	if !q.Until.IsZero() {
		where = append(where, "at <= "+arg(micros(q.Until)))
	}
	if q.Target != "" {
		p := arg(string(q.Target))
		where = append(where, "(object_id = "+p+" OR related_id = "+p+")")
	}
	if q.ActorID != "" {
		where = append(where, "actor_id = "+arg(q.ActorID))
	}
	if q.RequestID != "" {
		where = append(where, "request_id = "+arg(q.RequestID))
	}
	if len(q.Activities) > 0 {
		var or []string
		for _, a := range q.Activities {
			or = append(or, "(object_kind = "+arg(string(a.Kind))+" AND op = "+arg(string(a.Op))+")")
		}
		where = append(where, "("+strings.Join(or, " OR ")+")")
	}
	top := q.Page.Top
	sqlText := "SELECT " + auditCols + " FROM audit_log WHERE " + strings.Join(where, " AND ") +
		" ORDER BY seq DESC LIMIT " + arg(top+1)
	rows, err := r.queryShape(ctx, sqlText, args)
	if err != nil {
		return out, mapErr("read audit log", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			a     directory.AuditRecord
			props string
			at    int64
		)
		if err := rows.Scan(&a.Seq, &a.TenantID, &a.ObjectID, &a.ObjectKind, &a.Op, &a.RelatedID,
			&a.RelatedKind, &props, &a.Actor.Kind, &a.Actor.ID, &a.Actor.Name, &a.RequestID,
			&a.ClientAddr, &at); err != nil {
			return out, mapErr("read audit log", err)
		}
		if a.Properties, err = parseList(props); err != nil {
			return out, err
		}
		a.At = fromMicros(nullInt(at))
		out.Items = append(out.Items, a)
	}
	if err := rows.Err(); err != nil {
		return out, mapErr("read audit log", err)
	}
	if len(out.Items) > top {
		out.Items = out.Items[:top]
		out.Next = strconv.FormatInt(out.Items[top-1].Seq, 10)
	}
	return out, nil
}

// TrimAudit deletes the oldest rows by seq, up to the first row that is
// not older than before: rows are copied in commit order, so their times
// rise with seq (a clock stepping back only keeps a few rows a little
// longer), and the scan reads no more than it deletes, with no index on
// time for every copy to maintain.
func (t *tx) TrimAudit(ctx context.Context, before time.Time, limit int) (int, error) {
	res, err := t.exec(ctx, qTrimAudit, micros(before), limit)
	if err != nil {
		return 0, mapErr("trim audit log", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("trim audit log: %w", err)
	}
	return int(n), nil
}

// CopyAudit bounds the rows first, then copies them inside the engine.
// Inside the writer the cursor order is commit order (changes.go).
func (t *tx) CopyAudit(ctx context.Context, after int64, limit int) (int64, int, error) {
	var (
		n    int
		last int64
	)
	if err := t.scanRow(ctx, qAuditBounds, []any{after, limit}, &n, &last); err != nil {
		return after, 0, mapErr("copy audit", err)
	}
	if n == 0 {
		return after, 0, nil
	}
	if _, err := t.exec(ctx, qCopyAudit, after, last, string(directory.KindSigningKey)); err != nil {
		return after, 0, mapErr("copy audit", err)
	}
	return last, n, nil
}
