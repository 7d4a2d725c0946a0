package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"groupd/internal/directory"
	"groupd/internal/store/listsql"
)

const subCols = `id, tenant_id, resource, change_types, notification_url, lifecycle_url, client_state,
	creator_kind, creator_id, expires_at, created_at, position, failures, next_attempt_at`

type subRowScanner interface{ Scan(dest ...any) error }

func scanSubscription(r subRowScanner) (directory.Subscription, error) {
	var (
		s                   directory.Subscription
		types               string
		exp, created, nextA int64
	)
	err := r.Scan(&s.ID, &s.TenantID, &s.Resource, &types, &s.NotificationURL, &s.LifecycleURL,
		&s.ClientState, &s.Creator.Kind, &s.Creator.ID, &exp, &created, &s.Position, &s.Failures, &nextA)
	if err != nil {
		return s, err
	}
	s.ChangeTypes = strings.Split(types, ",")
	s.ExpiresAt, s.CreatedAt = fromMicros(nullInt(exp)), fromMicros(nullInt(created))
	s.NextAttemptAt = fromMicros(nullInt(nextA))
	return s, nil
}

func (r reader) subscriptions(ctx context.Context, op, q string, args ...any) ([]directory.Subscription, error) {
	rows, err := r.query(ctx, q, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []directory.Subscription
	for rows.Next() {
		s, err := scanSubscription(rows)
		if err != nil {
			return nil, mapErr(op, err)
		}
		out = append(out, s)
	}
	return out, mapErr(op, rows.Err())
}

func (r reader) Subscription(ctx context.Context, tenant directory.TenantID, id directory.ObjectID) (directory.Subscription, error) {
	st, ctx, err := r.c.prepare(ctx, `SELECT `+subCols+` FROM subscriptions WHERE tenant_id = ?1 AND id = ?2`)
	if err != nil {
		return directory.Subscription{}, mapErr("read subscription", err)
	}
	s, err := scanSubscription(st.QueryRowContext(ctx, string(tenant), string(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return s, &directory.NotFoundError{Kind: directory.KindSubscription, ID: string(id)}
	}
	return s, mapErr("read subscription", err)
}

func (r reader) Subscriptions(ctx context.Context, tenant directory.TenantID, creator string, page directory.PageRequest) (directory.Page[directory.Subscription], error) {
	top := page.Top
	if top <= 0 {
		top = defaultTop
	}
	subs, err := r.subscriptions(ctx, "list subscriptions", `SELECT `+subCols+` FROM subscriptions
WHERE tenant_id = ?1 AND creator_id = ?2 AND id > ?3 ORDER BY id LIMIT ?4`, string(tenant), creator, page.After, top+1)
	out := directory.Page[directory.Subscription]{Items: subs}
	if len(subs) > top {
		out.Items = subs[:top]
		out.Next = string(subs[top-1].ID)
	}
	return out, err
}

func (r reader) ActiveSubscriptions(ctx context.Context, now time.Time, limit int) ([]directory.Subscription, error) {
	return r.subscriptions(ctx, "list active subscriptions", `SELECT `+subCols+` FROM subscriptions
WHERE expires_at > ?1 ORDER BY id LIMIT ?2`, micros(now), limit)
}

func (t *tx) InsertSubscription(ctx context.Context, s directory.Subscription) error {
	_, err := t.exec(ctx, `INSERT INTO subscriptions (id, tenant_id, resource, change_types, notification_url,
	lifecycle_url, client_state, creator_kind, creator_id, expires_at, created_at, position)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)`, string(s.ID), string(s.TenantID), s.Resource,
		strings.Join(s.ChangeTypes, ","), s.NotificationURL, s.LifecycleURL, s.ClientState,
		string(s.Creator.Kind), s.Creator.ID, micros(s.ExpiresAt), micros(s.CreatedAt), s.Position)
	return mapErr("insert subscription", err)
}

func (t *tx) SetSubscriptionExpiry(ctx context.Context, tenant directory.TenantID, id directory.ObjectID, at time.Time) error {
	res, err := t.exec(ctx, `UPDATE subscriptions SET expires_at = ?3 WHERE tenant_id = ?1 AND id = ?2`,
		string(tenant), string(id), micros(at))
	if err != nil {
		return mapErr("renew subscription", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errors.Join(err, &directory.NotFoundError{Kind: directory.KindSubscription, ID: string(id)})
	}
	return nil
}

func (t *tx) DeleteSubscription(ctx context.Context, tenant directory.TenantID, id directory.ObjectID) (bool, error) {
	res, err := t.exec(ctx, `DELETE FROM subscriptions WHERE tenant_id = ?1 AND id = ?2`, string(tenant), string(id))
	if err != nil {
		return false, mapErr("delete subscription", err)
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return false, mapErr("delete subscription", err)
	}
	return true, nil
}

func (t *tx) ExpiredSubscriptions(ctx context.Context, now time.Time, limit int) ([]directory.Subscription, error) {
	return t.subscriptions(ctx, "list expired subscriptions", `SELECT `+subCols+` FROM subscriptions
WHERE expires_at <= ?1 ORDER BY expires_at LIMIT ?2`, micros(now), limit)
}

func (t *tx) ConsumerPosition(ctx context.Context, name string) (int64, bool, error) {
	var c int64
	err := t.scanRow(ctx, `SELECT cursor FROM change_positions WHERE name = ?1`, []any{name}, &c)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return c, err == nil, mapErr("read change position", err)
}

func (t *tx) SetConsumerPosition(ctx context.Context, name string, cursor int64) error {
	_, err := t.exec(ctx, `INSERT INTO change_positions (name, cursor) VALUES (?1, ?2)
ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor`, name, cursor)
	return mapErr("write change position", err)
}

// SubscriptionsDue reads ClaimSubscriptions's condition.
func (r reader) SubscriptionsDue(ctx context.Context, now time.Time, below int64) (bool, error) {
	due, err := r.exists(ctx, `SELECT EXISTS (SELECT 1 FROM subscriptions WHERE `+listsql.SubscriptionDue("?1", "?2")+`)`,
		micros(now), below)
	return due, mapErr("read due subscriptions", err)
}

// ClaimSubscriptions needs no row locks: SQLite has one writer at a time.
func (t *tx) ClaimSubscriptions(ctx context.Context, owner string, now, until time.Time, below int64, limit int) ([]directory.Subscription, error) {
	return t.subscriptions(ctx, "claim subscriptions", `UPDATE subscriptions SET lease_owner = ?1, lease_until = ?3
WHERE id IN (SELECT id FROM subscriptions WHERE `+listsql.SubscriptionDue("?2", "?4")+`
	ORDER BY next_attempt_at LIMIT ?5)
RETURNING `+subCols, owner, micros(now), micros(until), below, limit)
}

func (t *tx) FinishDelivery(ctx context.Context, sub directory.ObjectID, owner string, upTo int64, failures int, next time.Time) (bool, error) {
	res, err := t.exec(ctx, `UPDATE subscriptions SET lease_owner = '', lease_until = 0, failures = ?3,
	next_attempt_at = ?4, position = max(position, ?5)
WHERE id = ?1 AND lease_owner = ?2`, string(sub), owner, failures, micros(next), upTo)
	if err != nil {
		return false, mapErr("finish delivery", err)
	}
	n, err := res.RowsAffected()
	return err == nil && n > 0, mapErr("finish delivery", err)
}

// RenewDelivery is one statement: a backlogged subscription costs one write
// per round through the single writer, not a claim and a finish.
func (t *tx) RenewDelivery(ctx context.Context, sub directory.ObjectID, owner string, upTo int64, now, until time.Time) (directory.Subscription, bool, error) {
	st, ctx, err := t.c.prepare(ctx, `UPDATE subscriptions SET failures = 0, next_attempt_at = ?3,
	position = max(position, ?4),
	lease_until = CASE WHEN expires_at > ?5 THEN ?6 ELSE 0 END,
	lease_owner = CASE WHEN expires_at > ?5 THEN lease_owner ELSE '' END
WHERE id = ?1 AND lease_owner = ?2
RETURNING `+subCols)
	if err != nil {
		return directory.Subscription{}, false, mapErr("renew delivery", err)
	}
	s, err := scanSubscription(st.QueryRowContext(ctx, string(sub), owner, micros(time.Time{}), upTo, micros(now), micros(until)))
	if errors.Is(err, sql.ErrNoRows) {
		return s, false, nil
	}
	return s, err == nil && s.ExpiresAt.After(now), mapErr("renew delivery", err)
}

// qNotificationChanges: qTenantChanges with the columns notifications use.
const qNotificationChanges = `SELECT cursor, object_id, object_kind, op, related_id, at
FROM changes WHERE tenant_id = ?1 AND cursor > ?2 ORDER BY cursor LIMIT ?3`

// NotificationChanges reads fewer columns than TenantChanges: the delivery
// worker reads every change of a busy tenant, and the actor, request and
// property columns it does not use cost as much to read and keep as the
// rest.
func (r reader) NotificationChanges(ctx context.Context, tenant directory.TenantID, after int64, limit int) ([]directory.Change, error) {
	rows, err := r.query(ctx, qNotificationChanges, string(tenant), after, limit)
	if err != nil {
		return nil, mapErr("read notification changes", err)
	}
	defer rows.Close()
	out := make([]directory.Change, 0, min(limit, 256))
	for rows.Next() {
		c := directory.Change{TenantID: tenant}
		var at int64
		if err := rows.Scan(&c.Cursor, &c.ObjectID, &c.ObjectKind, &c.Op, &c.RelatedID, &at); err != nil {
			return nil, mapErr("read notification changes", err)
		}
		c.At = fromMicros(nullInt(at))
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr("read notification changes", err)
	}
	return r.whenDurable(ctx, out, nil)
}
