package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"groupd/internal/directory"
)

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

// TrimAudit deletes the oldest rows first, through the index on at.
func (t *tx) TrimAudit(ctx context.Context, before time.Time, limit int) (int, error) {
	tag, err := t.q.Exec(ctx, `DELETE FROM audit_log WHERE seq IN
	(SELECT seq FROM audit_log WHERE at < $1 ORDER BY at LIMIT $2)`, before, limit)
	if err != nil {
		return 0, t.fail("trim audit log", err)
	}
	return int(tag.RowsAffected()), nil
}

// AppendAudit writes the rows in one statement, in the given order.
func (t *tx) AppendAudit(ctx context.Context, changes []directory.Change) error {
	if len(changes) == 0 {
		return nil
	}
	n := len(changes)
	cols := make([][]string, 12)
	for i := range cols {
		cols[i] = make([]string, n)
	}
	at := make([]time.Time, n)
	for i, c := range changes {
		props, err := json.Marshal(list(c.Properties))
		if err != nil {
			return fmt.Errorf("append audit: %w", err)
		}
		for j, v := range []string{string(c.TenantID), string(c.ObjectID), string(c.ObjectKind),
			string(c.Op), string(c.RelatedID), string(c.RelatedKind), string(props),
			string(c.Actor.Kind), c.Actor.ID, c.Actor.Name, c.RequestID, c.ClientAddr} {
			cols[j][i] = v
		}
		at[i] = c.At
	}
	args := make([]any, 0, 13)
	for _, col := range cols {
		args = append(args, col)
	}
	args = append(args, at)
	_, err := t.q.Exec(ctx, `INSERT INTO audit_log (tenant_id, object_id, object_kind, op, related_id, related_kind,
	properties, actor_kind, actor_id, actor_name, request_id, client_addr, at)
SELECT c.tenant_id, c.object_id, c.object_kind, c.op, c.related_id, c.related_kind,
	ARRAY(SELECT jsonb_array_elements_text(c.props::jsonb)), c.actor_kind, c.actor_id, c.actor_name,
	c.request_id, c.client_addr, c.at
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
	$8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::timestamptz[])
	WITH ORDINALITY AS c(tenant_id, object_id, object_kind, op, related_id, related_kind, props,
		actor_kind, actor_id, actor_name, request_id, client_addr, at, n)
ORDER BY c.n`, args...)
	return t.fail("append audit", err)
}
