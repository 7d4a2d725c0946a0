package postgres

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"groupd/internal/directory"
)

// qCopyAudit: identity values follow the ORDER BY of the inserting SELECT.
// The rows are read once, by the primary key's range, and the insert takes
// them from the CTE. It used to join the CTE's keys back to changes, and
// the planner, expecting a few rows, hashed them and scanned the whole
// change log for each copy: a cost growing with the log's retention (20 ms
// a copy at 20,000 rows), paid five times a second.
const qCopyAudit = `WITH src AS (
	SELECT xid, ord, tenant_id, object_id, object_kind, op, related_id, related_kind,
		properties, actor_kind, actor_id, actor_name, request_id, client_addr, at
	FROM changes
	WHERE (xid, ord) > ($1, $2) AND xid < ` + visibleXmin + `
	ORDER BY xid, ord LIMIT $3
), ins AS (
	INSERT INTO audit_log (tenant_id, object_id, object_kind, op, related_id, related_kind,
		properties, actor_kind, actor_id, actor_name, request_id, client_addr, at)
	SELECT tenant_id, object_id, object_kind, op, related_id, related_kind,
		properties, actor_kind, actor_id, actor_name, request_id, client_addr, at
	FROM src
	WHERE object_kind <> $4
	ORDER BY xid, ord
	RETURNING 1
)
SELECT count(*)::int, COALESCE(max((xid << 20) | ord), 0) FROM src`

const auditCols = `seq, tenant_id, object_id, object_kind, op, related_id, related_kind, properties,
	actor_kind, actor_id, actor_name, request_id, client_addr, at`

// AuditLog lists newest first by seq. seq comes from an identity sequence,
// so two transactions committing at once may show in either order, and a
// reader paging back while one commits may miss it on the page it already
// passed; the entry is there for the next reader. An audit trail is read
// after the fact, so this engine does not pay for commit-ordered numbers.
func (r reader) AuditLog(ctx context.Context, tenant directory.TenantID, q directory.AuditQuery) (directory.Page[directory.AuditRecord], error) {
	var out directory.Page[directory.AuditRecord]
	if q.Activities != nil && len(q.Activities) == 0 {
		return out, nil
	}
	args := []any{string(tenant)}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	where := []string{"tenant_id = $1"}
	if q.Page.After != "" {
		after, err := strconv.ParseInt(q.Page.After, 10, 64)
		if err != nil || after <= 0 {
			return out, directory.ErrBadCursor
		}
		where = append(where, "seq < "+arg(after))
	}
	if !q.Since.IsZero() {
		where = append(where, "at >= "+arg(q.Since))
	}
	if !q.Until.IsZero() {
		where = append(where, "at <= "+arg(q.Until))
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
	sql := "SELECT " + auditCols + " FROM audit_log WHERE " + strings.Join(where, " AND ") +
		" ORDER BY seq DESC LIMIT " + arg(top+1)
	rows, err := r.q.Query(ctx, sql, args...)
	if err != nil {
		return out, r.fail("read audit log", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			a     directory.AuditRecord
			props []string
			at    pgtype.Timestamptz
		)
		if err := rows.Scan(&a.Seq, &a.TenantID, &a.ObjectID, &a.ObjectKind, &a.Op, &a.RelatedID,
			&a.RelatedKind, &props, &a.Actor.Kind, &a.Actor.ID, &a.Actor.Name, &a.RequestID,
			&a.ClientAddr, &at); err != nil {
			return out, r.fail("read audit log", err)
		}
		a.Properties = unlist(props)
		a.At = fromTS(at)
		out.Items = append(out.Items, a)
	}
	if err := rows.Err(); err != nil {
		return out, r.fail("read audit log", err)
	}
	if len(out.Items) > top {
		out.Items = out.Items[:top]
		out.Next = strconv.FormatInt(out.Items[top-1].Seq, 10)
	}
	return out, nil
}

// qTrimAudit reads the oldest $2 rows by seq and deletes those before the
// first of them that is not older than $1, as the change log's trim does.
// Rows are copied in commit order, so their times rise with seq (a clock
// stepping back only keeps a few rows a little longer), and the trim
// needs no index on time, which every copied row would pay for
// (migration 00160). It reads no more rows than it may delete; a row it
// keeps ends the trim (directory.Service.TrimAudit stops at a short
// batch).
const qTrimAudit = `WITH b AS (SELECT seq, at FROM audit_log ORDER BY seq LIMIT $2)
DELETE FROM audit_log a USING b
WHERE a.seq = b.seq AND b.seq < COALESCE((SELECT min(seq) FROM b WHERE at >= $1), 9223372036854775807)`

// TrimAudit deletes the oldest rows first (qTrimAudit).
func (t *tx) TrimAudit(ctx context.Context, before time.Time, limit int) (int, error) {
	tag, err := t.q.Exec(ctx, qTrimAudit, before, limit)
	if err != nil {
		return 0, t.fail("trim audit log", err)
	}
	return int(tag.RowsAffected()), nil
}

// CopyAudit reads the rows as Changes does (visibility order, no row that
// commits late skipped) and copies them inside the server: one round trip.
func (t *tx) CopyAudit(ctx context.Context, after int64, limit int) (int64, int, error) {
	if after < 0 {
		after = 0
	}
	var (
		n    int
		last int64
	)
	err := t.q.QueryRow(ctx, qCopyAudit, after>>ordBits, after&maxOrd, limit, string(directory.KindSigningKey)).Scan(&n, &last)
	if err != nil {
		return after, 0, t.fail("copy audit", err)
	}
	if n == 0 {
		return after, 0, nil
	}
	return last, n, nil
}
