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

// maxBucketChunk bounds the buckets one statement of a read by target
// probes (auditSource.byTarget).
const maxBucketChunk = 512

// auditSource is a table audit entries are read from: the directory's
// change log, for the changes after the copy stopped (audit_copied), or
// the audit file's audit_log, for the rows copied before. Entries are
// numbered key + shift, and every change log entry sorts after every
// copied one, so newest first is the change log, then the copied rows.
type auditSource struct {
	r     reader
	table string // changes or audit_log
	key   string // the table's rowid: cursor or seq
	shift int64  // an entry's number is its key plus shift
	floor int64  // the table's entries have keys above floor
	// changeLog: the change log holds signing key rows, which are not
	// audited, and its rows are listed only once durable.
	changeLog bool
	// bits is the shift of a row's bucket, key >> bits, which leads the
	// table's indexes by target (changes: 10, migration 00170; audit_log:
	// 17, audit migration 00002), spelled in SQL as they spell it: SQLite
	// uses an index on an expression only for the same expression.
	bits int
}

// auditSources are the tables to read, newest entries first; the audit
// file is left out while it has nothing copied.
func (s *Store) auditSources() []auditSource {
	srcs := []auditSource{s.changeLogSource()}
	if a := s.audit; a.copied+a.shift > 0 {
		srcs = append(srcs, a.copiedSource())
	}
	return srcs
}

// changeLogSource reads the change log after the copied rows.
func (s *Store) changeLogSource() auditSource {
	a := s.audit
	return auditSource{r: s.reader, table: "changes", key: "cursor", shift: a.shift, floor: a.copied, changeLog: true, bits: 10}
}

// copiedSource reads the rows earlier versions copied.
func (a *auditFile) copiedSource() auditSource {
	return auditSource{r: a.r, table: "audit_log", key: "seq", bits: 17}
}

// AuditLog lists newest first by number (directory.AuditStore). A table's
// keys follow its commit order (one writer, changes.go), so numbers do.
func (s *Store) AuditLog(ctx context.Context, tenant directory.TenantID, q directory.AuditQuery) (directory.Page[directory.AuditRecord], error) {
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
	for _, src := range s.auditSources() {
		if len(out.Items) > top {
			break
		}
		if err := src.read(ctx, &out.Items, tenant, q, before, top+1); err != nil {
			return out, err
		}
	}
	if len(out.Items) > top {
		out.Items = out.Items[:top]
		out.Next = strconv.FormatInt(out.Items[top-1].Seq, 10)
	}
	return out, nil
}

// read appends the source's entries numbered below before, newest first,
// until items holds limit.
func (src auditSource) read(ctx context.Context, items *[]directory.AuditRecord, tenant directory.TenantID,
	q directory.AuditQuery, before int64, limit int) error {
	if before != math.MaxInt64 {
		before -= src.shift
	}
	if before <= src.floor+1 {
		return nil
	}
	from := len(*items)
	var err error
	if q.Target == "" {
		text, args := src.auditSQL(tenant, q, before, limit-from)
		err = src.rows(ctx, items, text, args)
	} else {
		err = src.byTarget(ctx, items, tenant, q, before, limit)
	}
	if err != nil || len(*items) == from {
		return err
	}
	if src.changeLog && src.r.durable != nil {
		// The newest entry read is the first: wait until it is durable.
		if err := src.r.durable(ctx, (*items)[from].Seq); err != nil {
			return err
		}
	}
	for i := range (*items)[from:] {
		(*items)[from+i].Seq += src.shift
	}
	return nil
}

// byTarget reads q's target's entries with keys below before, newest
// first, a run of buckets at a time, until items holds limit or it has
// read the oldest bucket. In each run, the rows that name the target as
// object and those that name it as related are two index reads, a seek
// per bucket, each sorted and cut at the page, then merged; a row that
// names it as both is read once, by the first. The first run is one
// bucket, and each run that leaves the page short doubles the next (up to
// maxBucketChunk): a busy target fills its page from the newest buckets,
// and a rare one costs a few statements, not one per bucket.
func (src auditSource) byTarget(ctx context.Context, items *[]directory.AuditRecord, tenant directory.TenantID,
	q directory.AuditQuery, before int64, limit int) error {
	var first, last sql.NullInt64
	span := "SELECT (SELECT min(" + src.key + ") FROM " + src.table + "), (SELECT max(" + src.key + ") FROM " + src.table + ")"
	if err := src.r.scanRow(ctx, span, nil, &first, &last); err != nil {
		return mapErr("read audit log", err)
	}
	if !last.Valid {
		return nil
	}
	oldest := max(first.Int64, src.floor+1)
	text, args := src.auditSQL(tenant, q, before, limit)
	lo := oldest >> src.bits
	for hi, n := min(last.Int64, before-1)>>src.bits, int64(1); hi >= lo && len(*items) < limit; hi, n = hi-n, min(2*n, maxBucketChunk) {
		args[2], args[3], args[4] = limit-len(*items), hi, max(hi-n+1, lo)
		if err := src.rows(ctx, items, text, args); err != nil {
			return err
		}
	}
	return nil
}

// auditSQL is the statement for up to limit rows (?3) of q with keys
// below before (?2), newest first, and its arguments. With a target, the
// statement reads the buckets ?4 down to ?5.
func (src auditSource) auditSQL(tenant directory.TenantID, q directory.AuditQuery, before int64, limit int) (string, []any) {
	args := []any{string(tenant), before, limit}
	target := q.Target
	if target != "" {
		args = append(args, nil, nil) // the buckets
	}
	arg := func(v any) string {
		args = append(args, v)
		return "?" + strconv.Itoa(len(args))
	}
	q.Target = "" // read by the bucket's indexes below
	where := []string{"tenant_id = ?1", src.key + " < ?2"}
	if src.floor > 0 {
		where = append(where, src.key+" > "+arg(src.floor))
	}
	if src.changeLog {
		where = append(where, "object_kind <> "+arg(string(directory.KindSigningKey)))
	}
	where = append(where, listsql.AuditWhere(q, arg, func(t time.Time) any { return micros(t) })...)
	cond := strings.Join(where, " AND ")
	cols := src.key + ", " + auditFields
	if target == "" {
		return "SELECT " + cols + " FROM " + src.table + " WHERE " + cond + " ORDER BY " + src.key + " DESC LIMIT ?3", args
	}
	t := arg(string(target))
	// INDEXED BY: without statistics (a new change log has none, and
	// small ones are dropped, smallstats.go) the planner may read the
	// tenant's whole range of the log instead, to find one id's entries.
	// CROSS JOIN: SQLite keeps the left table outside, so each bucket is
	// one seek of the index, in the order the list gives them.
	arm := func(col, by string) string {
		return "SELECT * FROM (WITH RECURSIVE b(k) AS (SELECT ?4 UNION ALL SELECT k - 1 FROM b WHERE k > ?5) SELECT " + cols +
			" FROM b CROSS JOIN " + src.table + " INDEXED BY " + src.table + "_" + col + " WHERE " + src.key + " >> " +
			strconv.Itoa(src.bits) + " = b.k AND " + by + " AND " + cond + " ORDER BY " + src.key + " DESC LIMIT ?3)"
	}
	return arm("object", "object_id = "+t) + " UNION ALL " +
		arm("related", "related_id = "+t+" AND related_id <> '' AND object_id <> "+t) +
		" ORDER BY " + src.key + " DESC LIMIT ?3", args
}

// rows appends the rows of an audit statement to items, numbered by key.
func (src auditSource) rows(ctx context.Context, items *[]directory.AuditRecord, text string, args []any) error {
	rows, err := src.r.queryShape(ctx, text, args)
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
