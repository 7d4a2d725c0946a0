package postgres

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"groupd/internal/directory"
	"groupd/internal/store/listsql"
)

// The audit log is the change log as kept (migration 00170): a write
// pays two index entries per change row (object and related id, for the
// filter by target) instead of a copy of the row and four entries made
// after it. The rows copied by earlier versions stay in audit_log, below
// audit_copied's cursor, until the retention trims them.
//
// An entry's number is its change log cursor, or the copy's identity for
// a copied one. The copy numbered its rows from 1 in the order it read
// them (a copy retried after a conflict skipped a batch's worth), so a
// copied row's number stays near the count of rows copied, far below
// audit_copied's cursor (a cursor is the writing transaction's id times
// 2^20): all copied entries sort below the first one read from the change
// log, and newest first is one order.
//
// A change is listed once its transaction commits, and numbers follow
// transaction ids, not commit order: a reader paging back while an older
// transaction commits may miss it on the page it already passed; the entry
// is there for the next reader. An audit trail is read after the fact, so
// this engine does not pay for commit-ordered numbers.
const (
	auditChangeCols = auditNumber + `, tenant_id, object_id, object_kind, op, related_id, related_kind,
	properties, actor_kind, actor_id, actor_name, request_id, client_addr, at`
	auditCopiedCols = `seq, tenant_id, object_id, object_kind, op, related_id, related_kind, properties,
	actor_kind, actor_id, actor_name, request_id, client_addr, at`
	// auditNumber is a change's entry number, its cursor.
	auditNumber = `((xid << 20) | ord)`
	// auditBucket is an entry's bucket of 4,096 transaction ids, the
	// second key of the indexes by target (migration 00180), spelled as
	// they spell it; auditBucketBits is its shift.
	auditBucket     = `(xid >> 12)`
	auditBucketBits = 12
	// auditCopied is the key of the last change copied to audit_log.
	auditCopied = `(SELECT cursor >> 20 FROM audit_copied WHERE id = 1), (SELECT (cursor & 1048575)::integer FROM audit_copied WHERE id = 1)`
)

// AuditLog lists newest first: the change log's rows after audit_copied's
// cursor, then the copied ones, each part read by its own index and
// bounded by the page size.
func (r reader) AuditLog(ctx context.Context, tenant directory.TenantID, q directory.AuditQuery) (directory.Page[directory.AuditRecord], error) {
	var out directory.Page[directory.AuditRecord]
	if q.Activities != nil && len(q.Activities) == 0 {
		return out, nil
	}
	sql, args, err := auditSQL(tenant, q)
	if err != nil {
		return out, err
	}
	top := q.Page.Top
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

// auditSQL is AuditLog's statement for q: top+1 rows, so that a next page
// shows.
//
// A target's change log entries are read by two walks down the buckets of
// the indexes by target (migration 00180), the object one and the related
// one, each cut at the page size, then merged: under one condition "object
// or related", PostgreSQL collects all of the target's entries to sort
// them, or walks the whole log back to them. The related walk skips the
// entries whose object is the target too, which the object walk lists.
// The copied rows keep that condition: they only age out.
func auditSQL(tenant directory.TenantID, q directory.AuditQuery) (string, []any, error) {
	args := []any{string(tenant)}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	var after int64
	if q.Page.After != "" {
		var err error
		if after, err = strconv.ParseInt(q.Page.After, 10, 64); err != nil || after <= 0 {
			return "", nil, directory.ErrBadCursor
		}
	}
	target := q.Target
	q.Target = "" // not AuditWhere's "object or related": see above
	// conditions on columns both tables have
	where := listsql.AuditWhere(q, arg, func(t time.Time) any { return t })
	changes := append([]string{"tenant_id = $1", "object_kind <> " + arg(string(directory.KindSigningKey))}, where...)
	copied := append([]string{"tenant_id = $1"}, where...)
	var t, a string
	if target != "" {
		t = arg(string(target))
		copied = append(copied, "(object_id = "+t+" OR related_id = "+t+")")
	}
	if after > 0 {
		a = arg(after)
		copied = append(copied, "seq < "+a)
	}
	limit := arg(q.Page.Top + 1)
	part := func(cols, from string, where []string, order string) string {
		return "(SELECT " + cols + " FROM " + from + " WHERE " + strings.Join(where, " AND ") +
			" ORDER BY " + order + " LIMIT " + limit + ")"
	}
	union := func(parts ...string) (string, []any, error) {
		return strings.Join(parts, " UNION ALL ") + " ORDER BY 1 DESC LIMIT " + limit, args, nil
	}
	fromCopied := part(auditCopiedCols, "audit_log", copied, "seq DESC")
	if target == "" {
		changes = append(changes, "(xid, ord) > ("+auditCopied+")")
		if after > 0 {
			changes = append(changes, "(xid, ord) < ("+arg(after>>ordBits)+", "+arg(int32(after&maxOrd))+")")
		}
		return union(part(auditChangeCols, "changes", changes, "xid DESC, ord DESC"), fromCopied)
	}
	changes = append(changes, auditNumber+" > (SELECT cursor FROM audit_copied WHERE id = 1)")
	newest := "9223372036854775807" // the newest bucket to read
	if after > 0 {
		newest = arg(after >> (ordBits + auditBucketBits))
		changes = append(changes, auditNumber+" < "+a)
	}
	// walk reads the entries whose column col is the target: the newest
	// bucket that has one, then the next older, and so on (each a seek to
	// the index's last key below the previous), with a bucket's entries
	// sorted by cursor, until the page is full. Every step is an index
	// lookup by equality, so no plan, custom or generic, reads more than a
	// page and one bucket's entries of the target; under one ordered scan
	// with a sort per bucket, the planner often chose to sort them all.
	// The walk has no ORDER BY of its own: the nested loop yields the
	// buckets as the recursion finds them, newest first, each sorted
	// (TestAuditTargetPageIsOrdered compares its pages with a plain sort).
	walk := func(name, col string, more ...string) string {
		key := col + " = " + t + " AND " + col + " <> ''" // <> '': the partial index's condition
		next := func(below string) string {
			return "(SELECT " + auditBucket + " FROM changes WHERE " + key + " AND " + auditBucket + " " + below +
				" ORDER BY " + auditBucket + " DESC LIMIT 1)"
		}
		return "(WITH RECURSIVE " + name + "(k) AS (SELECT " + next("<= "+newest) +
			" UNION ALL SELECT " + next("< "+name+".k") + " FROM " + name + " WHERE " + name + ".k IS NOT NULL)" +
			" SELECT e.* FROM " + name + ", LATERAL (SELECT " + auditChangeCols + " FROM changes WHERE " + key +
			" AND " + auditBucket + " = " + name + ".k AND " + strings.Join(append(more, changes...), " AND ") +
			" ORDER BY xid DESC, ord DESC LIMIT " + limit + ") e LIMIT " + limit + ")"
	}
	return union(walk("ob", "object_id"), walk("rb", "related_id", "object_id <> "+t), fromCopied)
}

// qTrimAudit trims the copied rows (the change log's rows go with its own
// trim): it reads the oldest $2 rows by seq and deletes those before the
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
