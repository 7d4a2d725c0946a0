package sqlite

import (
	"context"
	"math/bits"
	"strings"

	"groupd/internal/directory"
)

const (
	qChanges = `SELECT cursor, tenant_id, object_id, object_kind, op, related_id, related_kind,
	properties, actor_kind, actor_id, actor_name, request_id, client_addr, at
FROM changes WHERE cursor > ?1 ORDER BY cursor LIMIT ?2`
	// OR FAIL spares SQLite a statement journal for the multi-row insert
	// (see deferfk.go): a failure part-way fails the caller's update,
	// which undoes the rows made before it. Placeholders are anonymous:
	// the driver looks up the name of each numbered one (?NNN) in a list
	// as long as the statement's, for 832 of them per statement.
	qAppendChangesHead = `INSERT OR FAIL INTO changes (tenant_id, object_id, object_kind, op, related_id,
	related_kind, properties, actor_kind, actor_id, actor_name, request_id, client_addr, at)
VALUES `
)

// Changes reads in cursor order. With one writer at a time a cursor is
// assigned inside the write lock and committed before the next one is
// assigned, so cursor order is commit order and no row appears late.
func (r reader) Changes(ctx context.Context, after int64, limit int) ([]directory.Change, error) {
	if limit <= 0 {
		limit = defaultTop
	}
	rows, err := r.changeRows(ctx, "read changes", qChanges, after, limit)
	return r.whenDurable(ctx, rows, err)
}

// whenDurable returns rows once they are durable (see durable.go).
func (r reader) whenDurable(ctx context.Context, rows []directory.Change, err error) ([]directory.Change, error) {
	if err != nil || len(rows) == 0 || r.durable == nil {
		return rows, err
	}
	if err := r.durable(ctx, rows[len(rows)-1].Cursor); err != nil {
		return nil, err
	}
	return rows, nil
}

// changeRows runs a change log query whose columns are those of qChanges.
func (r reader) changeRows(ctx context.Context, what, query string, args ...any) ([]directory.Change, error) {
	rows, err := r.query(ctx, query, args...)
	if err != nil {
		return nil, mapErr(what, err)
	}
	defer rows.Close()
	var out []directory.Change
	for rows.Next() {
		var (
			c     directory.Change
			props string
			at    int64
		)
		if err := rows.Scan(&c.Cursor, &c.TenantID, &c.ObjectID, &c.ObjectKind, &c.Op, &c.RelatedID,
			&c.RelatedKind, &props, &c.Actor.Kind, &c.Actor.ID, &c.Actor.Name, &c.RequestID,
			&c.ClientAddr, &at); err != nil {
			return nil, mapErr(what, err)
		}
		if c.Properties, err = parseList(props); err != nil {
			return nil, err
		}
		c.At = fromMicros(nullInt(at))
		out = append(out, c)
	}
	return out, mapErr(what, rows.Err())
}

// AppendChanges inserts the rows in as few statements as it can: chunks of
// appendChunk rows, then the rest in power-of-two chunks, so that a handful
// of prepared statements serve every count. Cursors follow the order of
// changes.
func (t *tx) AppendChanges(ctx context.Context, changes []directory.Change) error {
	for len(changes) > 0 {
		n := appendChunk
		for n > len(changes) {
			n /= 2
		}
		args := make([]any, 0, n*changeArgs)
		for _, c := range changes[:n] {
			args = append(args, string(c.TenantID), string(c.ObjectID), string(c.ObjectKind),
				string(c.Op), string(c.RelatedID), string(c.RelatedKind), jsonList(c.Properties),
				string(c.Actor.Kind), c.Actor.ID, c.Actor.Name, c.RequestID, c.ClientAddr, micros(c.At))
		}
		if _, err := t.exec(ctx, appendChangesSQL(n), args...); err != nil {
			return mapErr("append changes", err)
		}
		changes = changes[n:]
	}
	return nil
}

const (
	appendChunk = 64 // a power of two
	changeArgs  = 13 // values per row
)

// appendChanges holds the insert of 2^i rows at index i.
var appendChanges = func() []string {
	var out []string
	for n := 1; n <= appendChunk; n *= 2 {
		var b strings.Builder
		b.WriteString(qAppendChangesHead)
		for i := range n {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(")
			for j := range changeArgs {
				if j > 0 {
					b.WriteString(", ")
				}
				b.WriteString("?")
			}
			b.WriteString(")")
		}
		out = append(out, b.String())
	}
	return out
}()

// appendChangesSQL is the insert of n rows, n a power of two up to
// appendChunk.
func appendChangesSQL(n int) string { return appendChanges[bits.Len(uint(n))-1] }
