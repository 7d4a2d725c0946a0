package sqlite

import (
	"context"
	"database/sql"
	"math/bits"
	"strings"

	"groupd/internal/directory"
)

// Change rows are inserted with multi-row INSERTs, which bind every value:
// with this driver each bound text is copied into C memory and each
// parameter's name looked up, so binding cost twice what SQLite spent
// inserting the rows. The rows of one request (a provisioning call writes
// a hundred) share seven of their thirteen values (tenant, actor, request,
// client, time): a run of them binds those once, as ?1 to ?7, which every
// row repeats. Other rows (a batch of member adds, one per request) bind
// all thirteen. OR FAIL spares SQLite a statement journal for either
// insert (see deferfk.go): a failure part-way fails the caller's update,
// which undoes the rows made before it. The per-row placeholders are
// anonymous: the driver looks up the name of each numbered one (?NNN) in
// a list as long as the statement's numbered ones.

const (
	appendChunk  = 64 // rows per statement at most; a power of two
	changeArgs   = 13 // values per row
	sharedArgs   = 7  // values a run of one request binds once
	rowArgs      = changeArgs - sharedArgs
	minSharedRun = 4 // shorter runs go with the other rows
)

const (
	qAppendChangesHead = `INSERT OR FAIL INTO changes (tenant_id, object_id, object_kind, op, related_id,
	related_kind, properties, actor_kind, actor_id, actor_name, request_id, client_addr, at)
VALUES `
	// The shared values come first in each row, so that ?1 to ?7 are
	// numbered before the anonymous ones, which take 8 onwards.
	qAppendSharedHead = `INSERT OR FAIL INTO changes (tenant_id, actor_kind, actor_id, actor_name, request_id,
	client_addr, at, object_id, object_kind, op, related_id, related_kind, properties)
VALUES `
	sharedRow = `(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?, ?, ?, ?, ?, ?)`
)

// appendChanges and appendShared hold the inserts of 2^i rows at index i.
var (
	appendChanges = insertsByCount(qAppendChangesHead, "("+strings.Repeat("?, ", changeArgs-1)+"?)")
	appendShared  = insertsByCount(qAppendSharedHead, sharedRow)
)

func insertsByCount(head, row string) []string {
	var out []string
	for n := 1; n <= appendChunk; n *= 2 {
		out = append(out, head+strings.Repeat(row+", ", n-1)+row)
	}
	return out
}

// appendSize is the size of the next statement for rows left: appendChunk, or
// the largest power of two not above it, so that a handful of prepared
// statements serve every count; i indexes the inserts of that size.
func appendSize(left int) (n, i int) {
	n = min(left, appendChunk)
	i = bits.Len(uint(n)) - 1
	return 1 << i, i
}

// span is a run of cursors, first to last; zero when unknown.
type span struct{ first, last int64 }

// AppendedCursors says where the rows of the last AppendChanges landed
// (directory.AppendedCursors). The cursor is the rowid, and the writer
// holds the file's write lock, so the rows of one call take consecutive
// cursors, the last of each statement being its last insert rowid.
func (t *tx) AppendedCursors() (first, last int64, ok bool) {
	return t.appended.first, t.appended.last, t.appended.first > 0
}

// AppendChanges inserts the rows in the order given, which cursors follow.
func (t *tx) AppendChanges(ctx context.Context, changes []directory.Change) error {
	t.appended = span{}
	done := 0 // rows inserted
	for i := 0; i < len(changes); {
		j := i + 1
		for j < len(changes) && changes[j].SameOrigin(changes[i]) {
			j++
		}
		if j-i >= minSharedRun {
			if err := t.appendRows(ctx, changes[done:i]); err != nil {
				return err
			}
			if err := t.appendRun(ctx, changes[i:j]); err != nil {
				return err
			}
			done = j
		}
		i = j
	}
	return t.appendRows(ctx, changes[done:])
}

// appendRows inserts rows binding every value of each.
func (t *tx) appendRows(ctx context.Context, rows []directory.Change) error {
	return t.insertChunks(ctx, rows, appendChanges, func(chunk []directory.Change) []any {
		args := make([]any, 0, len(chunk)*changeArgs)
		for _, c := range chunk {
			args = append(args, string(c.TenantID), string(c.ObjectID), string(c.ObjectKind),
				string(c.Op), string(c.RelatedID), string(c.RelatedKind), jsonList(c.Properties),
				string(c.Actor.Kind), c.Actor.ID, c.Actor.Name, c.RequestID, c.ClientAddr, micros(c.At))
		}
		return args
	})
}

// appendRun inserts rows that share their origin (Change.SameOrigin),
// binding the shared values once per statement.
func (t *tx) appendRun(ctx context.Context, rows []directory.Change) error {
	o := rows[0]
	return t.insertChunks(ctx, rows, appendShared, func(chunk []directory.Change) []any {
		args := make([]any, 0, sharedArgs+len(chunk)*rowArgs)
		args = append(args, string(o.TenantID), string(o.Actor.Kind), o.Actor.ID, o.Actor.Name,
			o.RequestID, o.ClientAddr, micros(o.At))
		for _, c := range chunk {
			args = append(args, string(c.ObjectID), string(c.ObjectKind), string(c.Op),
				string(c.RelatedID), string(c.RelatedKind), jsonList(c.Properties))
		}
		return args
	})
}

// insertChunks inserts rows in statements of appendSize rows each, taken
// from inserts (by size, as insertsByCount makes them), with the values
// values gives for each statement's rows.
func (t *tx) insertChunks(ctx context.Context, rows []directory.Change, inserts []string, values func([]directory.Change) []any) error {
	for len(rows) > 0 {
		n, i := appendSize(len(rows))
		res, err := t.exec(ctx, inserts[i], values(rows[:n])...)
		if err != nil {
			return mapErr("append changes", err)
		}
		t.noteAppended(res, n)
		rows = rows[n:]
	}
	return nil
}

// noteAppended extends t.appended by the n rows an insert made, or makes
// it unknown when they do not follow the rows before.
func (t *tx) noteAppended(res sql.Result, n int) {
	last, err := res.LastInsertId()
	first := last - int64(n) + 1
	switch {
	case err != nil || first <= 0:
		t.appended = span{first: -1}
	case t.appended.first == 0:
		t.appended = span{first, last}
	case t.appended.first > 0 && first == t.appended.last+1:
		t.appended.last = last
	default:
		t.appended = span{first: -1}
	}
}
