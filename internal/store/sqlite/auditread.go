package sqlite

import (
	"context"
	"database/sql"
	"math"
	"strconv"
	"strings"
	"time"

	"groupd/internal/directory"
	"groupd/internal/store/listsql"
)

// auditBucket is an entry's bucket, seq >> 17, which leads the audit
// file's indexes by target (audit migration 00002), spelled as they spell
// it: SQLite uses an index on an expression only for the same expression.
// auditBucketBits is its shift.
const (
	auditBucket     = "seq >> 17"
	auditBucketBits = 17
)

// qAuditSpan: the first and last seq, each read at an end of the table.
const qAuditSpan = `SELECT (SELECT min(seq) FROM audit_log), (SELECT max(seq) FROM audit_log)`

// auditLog lists newest first by seq. The rows are copied from the change
// log in cursor order, so seq order is commit order here.
func (r reader) auditLog(ctx context.Context, tenant directory.TenantID, q directory.AuditQuery) (directory.Page[directory.AuditRecord], error) {
	var out directory.Page[directory.AuditRecord]
	if q.Activities != nil && len(q.Activities) == 0 {
		return out, nil
	}
	before := int64(math.MaxInt64)
	if q.Page.After != "" {
		after, err := strconv.ParseInt(q.Page.After, 10, 64)
		if err != nil || after <= 0 {
			return out, directory.ErrBadCursor
		}
		before = after
	}
	top := q.Page.Top
	var err error
	if q.Target == "" {
		text, args := auditSQL(tenant, q, before, top+1)
		err = r.auditRows(ctx, &out.Items, text, args)
	} else {
		err = r.auditByTarget(ctx, &out.Items, tenant, q, before, top+1)
	}
	if err != nil {
		return out, err
	}
	if len(out.Items) > top {
		out.Items = out.Items[:top]
		out.Next = strconv.FormatInt(out.Items[top-1].Seq, 10)
	}
	return out, nil
}

// auditByTarget reads up to limit rows of q's target before seq before, a
// bucket at a time, newest first, until it has them all or has read the
// oldest bucket. In each, the rows that name the target as object and those
// that name it as related are two ordered index scans, merged; a row that
// names it as both is read once, by the first.
func (r reader) auditByTarget(ctx context.Context, items *[]directory.AuditRecord, tenant directory.TenantID,
	q directory.AuditQuery, before int64, limit int) error {
	var first, last sql.NullInt64
	if err := r.scanRow(ctx, qAuditSpan, nil, &first, &last); err != nil {
		return mapErr("read audit log", err)
	}
	if !last.Valid {
		return nil
	}
	text, args := auditSQL(tenant, q, before, limit)
	newest := min(last.Int64, before-1)
	for b := newest >> auditBucketBits; b >= first.Int64>>auditBucketBits && len(*items) < limit; b-- {
		args[2], args[3] = limit-len(*items), b
		if err := r.auditRows(ctx, items, text, args); err != nil {
			return err
		}
	}
	return nil
}

// auditSQL is the statement for up to limit rows (?3) of q before seq
// before (?2), newest first, and its arguments. With a target, the
// statement reads one bucket, ?4.
func auditSQL(tenant directory.TenantID, q directory.AuditQuery, before int64, limit int) (string, []any) {
	args := []any{string(tenant), before, limit}
	target := q.Target
	if target != "" {
		args = append(args, nil) // the bucket
	}
	arg := func(v any) string {
		args = append(args, v)
		return "?" + strconv.Itoa(len(args))
	}
	q.Target = "" // read by the bucket's indexes below
	where := append([]string{"tenant_id = ?1", "seq < ?2"},
		listsql.AuditWhere(q, arg, func(t time.Time) any { return micros(t) })...)
	cond := strings.Join(where, " AND ")
	if target == "" {
		return "SELECT " + auditCols + " FROM audit_log WHERE " + cond + " ORDER BY seq DESC LIMIT ?3", args
	}
	t := arg(string(target))
	arm := func(by string) string {
		return "SELECT * FROM (SELECT " + auditCols + " FROM audit_log WHERE " + auditBucket + " = ?4 AND " + by +
			" AND " + cond + " ORDER BY seq DESC LIMIT ?3)"
	}
	return arm("object_id = "+t) + " UNION ALL " +
		arm("related_id = "+t+" AND related_id <> '' AND object_id <> "+t) + " ORDER BY seq DESC LIMIT ?3", args
}

// auditRows appends the rows of an audit statement to items.
func (r reader) auditRows(ctx context.Context, items *[]directory.AuditRecord, text string, args []any) error {
	rows, err := r.queryShape(ctx, text, args)
	if err != nil {
		return mapErr("read audit log", err)
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
			return mapErr("read audit log", err)
		}
		if a.Properties, err = parseList(props); err != nil {
			return err
		}
		a.At = fromMicros(nullInt(at))
		*items = append(*items, a)
	}
	return mapErr("read audit log", rows.Err())
}
