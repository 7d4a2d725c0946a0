package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"groupd/internal/directory"
)

// The change log cursor is xid << ordBits | ord: the writing transaction's
// id (64 bits with its epoch, never reused) and the row's place in it.
// Changes returns only rows of transactions older than the xmin of the
// reading statement's snapshot. Every transaction below xmin has ended, so
// the set of such rows never grows below a cursor once read: a later commit
// always carries a cursor above everything a reader could have seen. Rows
// come in transaction id order, which for SERIALIZABLE writers agrees with
// every dependency between them (a transaction that read or overwrote
// another's rows began after that one committed, so its id is greater);
// independent transactions may appear in another order than they
// committed. A transaction that stays open holds later rows back (never
// loses them) until it ends; Options.StatementTimeout bounds that.
const (
	ordBits = 20
	maxOrd  = 1<<ordBits - 1 // rows per transaction, as the schema's CHECK says
)

const (
	changeCols = `(xid << 20) | ord, tenant_id, object_id, object_kind, op, related_id,
	related_kind, properties, actor_kind, actor_id, actor_name, request_id, client_addr, at`
	visibleXmin  = `pg_snapshot_xmin(pg_current_snapshot())::text::bigint`
	changesAfter = ` FROM changes
WHERE (xid, ord) > ($1, $2) AND xid < ` + visibleXmin + `
ORDER BY xid, ord LIMIT $3`
	// Inside a transaction its own rows count too: its reads see its writes.
	changesAfterInTx = ` FROM changes
WHERE (xid, ord) > ($1, $2)
	AND (xid < ` + visibleXmin + ` OR xid = pg_current_xact_id_if_assigned()::text::bigint)
ORDER BY xid, ord LIMIT $3`
	qChanges     = `SELECT ` + changeCols + changesAfter
	qChangesInTx = `SELECT ` + changeCols + changesAfterInTx
	// The columns of directory.ChangeKeyReader: properties of updates only.
	changeKeyCols = `(xid << 20) | ord, tenant_id, object_id, object_kind, op, related_id,
	related_kind, CASE op WHEN 'updated' THEN properties ELSE '{}' END`
	qChangeKeys     = `SELECT ` + changeKeyCols + changesAfter
	qChangeKeysInTx = `SELECT ` + changeKeyCols + changesAfterInTx
	// qAppChangeKeys reads the partial index changes_apps (migration
	// 00190): its condition on object_kind is the index's, spelled with
	// constants, so that every plan, generic ones included, may use it.
	qAppChangeKeys = `SELECT ` + changeKeyCols + ` FROM changes
WHERE (xid, ord) > ($1, $2) AND xid < ` + visibleXmin + `
	AND object_kind IN ('application', 'signingKey')
ORDER BY xid, ord LIMIT $3`

	// qAppendChanges inserts every row in one statement. Its tenants are
	// announced after the commit (notify.go). Each row's properties come
	// as an array literal (arrayLiteral, search.go), one text of the
	// text[] $8, since PostgreSQL has no arrays of arrays of different
	// lengths; parsing the literal costs a seventh of parsing a JSON array
	// with jsonb_array_elements_text.
	qAppendChanges = `INSERT INTO changes (ord, tenant_id, object_id, object_kind, op, related_id, related_kind,
	properties, actor_kind, actor_id, actor_name, request_id, client_addr, at)
SELECT $1 + c.n - 1, c.tenant_id, c.object_id, c.object_kind, c.op, c.related_id, c.related_kind,
	c.props::text[], c.actor_kind, c.actor_id,
	c.actor_name, c.request_id, c.client_addr, c.at
FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
	$9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::timestamptz[])
	WITH ORDINALITY AS c(tenant_id, object_id, object_kind, op, related_id, related_kind, props,
		actor_kind, actor_id, actor_name, request_id, client_addr, at, n)`
	// qAppendRun is qAppendChanges for rows of one request, which share
	// their tenant, actor, request, client and time ($2 to $8): those
	// travel once instead of as arrays of as many equal elements.
	qAppendRun = `INSERT INTO changes (ord, tenant_id, object_id, object_kind, op, related_id, related_kind,
	properties, actor_kind, actor_id, actor_name, request_id, client_addr, at)
SELECT $1 + c.n - 1, $2, c.object_id, c.object_kind, c.op, c.related_id, c.related_kind,
	c.props::text[], $3, $4, $5, $6, $7, $8
FROM unnest($9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])
	WITH ORDINALITY AS c(object_id, object_kind, op, related_id, related_kind, props, n)`
)

// Changes reads the log after the cursor in visibility order (see above).
func (r reader) Changes(ctx context.Context, after int64, limit int) ([]directory.Change, error) {
	return r.changesAfter(ctx, "read changes", qChanges, qChangesInTx, false, after, limit)
}

// ChangeKeys reads as Changes does, fewer columns (directory.ChangeKeyReader).
func (r reader) ChangeKeys(ctx context.Context, after int64, limit int) ([]directory.Change, error) {
	return r.changesAfter(ctx, "read change keys", qChangeKeys, qChangeKeysInTx, true, after, limit)
}

// AppChangeKeys reads as ChangeKeys does, application and signing key rows
// only (directory.AppChangeReader). Only the change follower reads it,
// never inside a transaction, so it has no variant that sees the
// transaction's own rows.
func (r reader) AppChangeKeys(ctx context.Context, after int64, limit int) ([]directory.Change, error) {
	return r.changesAfter(ctx, "read application changes", qAppChangeKeys, qAppChangeKeys, true, after, limit)
}

// changesAfter runs a change log read of at most limit rows (defaultTop
// when not positive) after the cursor after: q outside a transaction,
// inTx inside one, whose own rows it sees. Their first three parameters
// are the cursor's two halves and the limit; more follow them.
func (r reader) changesAfter(ctx context.Context, what, q, inTx string, keys bool, after int64, limit int, more ...any) ([]directory.Change, error) {
	if limit <= 0 {
		limit = defaultTop
	}
	after = max(after, 0)
	if r.tx != nil {
		q = inTx
	}
	return r.changeRows(ctx, what, q, keys, append([]any{after >> ordBits, after & maxOrd, limit}, more...)...)
}

// changeRows runs a change log query whose columns are those of qChanges,
// or of qChangeKeys when keys is set.
func (r reader) changeRows(ctx context.Context, what, query string, keys bool, args ...any) ([]directory.Change, error) {
	rows, err := r.q.Query(ctx, query, args...)
	if err != nil {
		return nil, r.fail(what, err)
	}
	defer rows.Close()
	var out []directory.Change
	for rows.Next() {
		var (
			c     directory.Change
			props []string
			at    pgtype.Timestamptz
		)
		dest := []any{&c.Cursor, &c.TenantID, &c.ObjectID, &c.ObjectKind, &c.Op, &c.RelatedID, &c.RelatedKind, &props}
		if !keys {
			dest = append(dest, &c.Actor.Kind, &c.Actor.ID, &c.Actor.Name, &c.RequestID, &c.ClientAddr, &at)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, r.fail(what, err)
		}
		c.Properties = unlist(props)
		if !keys {
			c.At = fromTS(at)
		}
		out = append(out, c)
	}
	return out, r.fail(what, rows.Err())
}

// AppendChanges writes the rows in one statement, numbering them after the
// rows this transaction appended before.
func (t *tx) AppendChanges(ctx context.Context, changes []directory.Change) error {
	if len(changes) == 0 {
		return nil
	}
	if t.tx.ord+len(changes) > maxOrd+1 {
		return fmt.Errorf("append changes: more than %d rows in one transaction", maxOrd+1)
	}
	t.tx.appended.first, t.tx.appended.n = t.tx.ord, len(changes)
	// The rows go out with the next statement or the COMMIT (pipeline.go).
	if oneOrigin(changes) {
		t.later("append changes", qAppendRun, appendRunArgs(t.tx.ord, changes)...)
	} else {
		t.later("append changes", qAppendChanges, appendArgs(t.tx.ord, changes)...)
	}
	t.tx.ord += len(changes)
	for _, c := range changes {
		if !slices.Contains(t.tx.tenants, c.TenantID) {
			t.tx.tenants = append(t.tx.tenants, c.TenantID)
		}
	}
	return nil
}

// AppendedCursors says where the rows of the last AppendChanges call land
// (directory.AppendedCursors): the transaction's id, read with BEGIN when
// the run asked for it (WantCursors), and the rows' ords. A run that did
// not ask, or appends before its first statement has gone out, cannot
// tell.
func (t *tx) AppendedCursors() (first, last int64, ok bool) {
	a := t.tx.appended
	if t.tx.xid == 0 || a.n == 0 {
		return 0, 0, false
	}
	first = t.tx.xid<<ordBits | int64(a.first)
	return first, first + int64(a.n) - 1, true
}

// appendArgs are qAppendChanges' arguments: every value of each row.
func appendArgs(ord int, changes []directory.Change) []any {
	n := len(changes)
	cols := make([][]string, 12)
	for i := range cols {
		cols[i] = make([]string, n)
	}
	at := make([]time.Time, n)
	for i, c := range changes {
		for j, v := range []string{string(c.TenantID), string(c.ObjectID), string(c.ObjectKind),
			string(c.Op), string(c.RelatedID), string(c.RelatedKind), arrayLiteral(c.Properties),
			string(c.Actor.Kind), c.Actor.ID, c.Actor.Name, c.RequestID, c.ClientAddr} {
			cols[j][i] = v
		}
		at[i] = c.At
	}
	args := []any{ord}
	for _, col := range cols {
		args = append(args, col)
	}
	return append(args, at)
}

// appendRunArgs are qAppendRun's arguments: the values the rows share,
// then the others of each row.
func appendRunArgs(ord int, changes []directory.Change) []any {
	n := len(changes)
	cols := make([][]string, 6)
	for i := range cols {
		cols[i] = make([]string, n)
	}
	for i, c := range changes {
		for j, v := range []string{string(c.ObjectID), string(c.ObjectKind), string(c.Op),
			string(c.RelatedID), string(c.RelatedKind), arrayLiteral(c.Properties)} {
			cols[j][i] = v
		}
	}
	o := changes[0]
	args := []any{ord, string(o.TenantID), string(o.Actor.Kind), o.Actor.ID, o.Actor.Name, o.RequestID, o.ClientAddr, o.At}
	for _, col := range cols {
		args = append(args, col)
	}
	return args
}

// oneOrigin reports whether the rows share their origin, as the rows of
// one request do (directory.Change.SameOrigin).
func oneOrigin(changes []directory.Change) bool {
	for _, c := range changes[1:] {
		if !c.SameOrigin(changes[0]) {
			return false
		}
	}
	return true
}

// LastChange returns the cursor of the newest row a reader can see now,
// so that a change follower can start from now instead of replaying the
// whole log. Rows of transactions still open get greater cursors, so a
// follower starting here skips none of them.
func (s *Store) LastChange(ctx context.Context) (int64, error) {
	var last int64
	err := s.q.QueryRow(ctx, `SELECT COALESCE((SELECT (xid << 20) | ord FROM changes
WHERE xid < `+visibleXmin+` ORDER BY xid DESC, ord DESC LIMIT 1), 0)`).Scan(&last)
	return last, mapErr("last change", err)
}
