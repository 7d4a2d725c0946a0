package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"groupd/internal/directory"
)

const subCols = `id, tenant_id, resource, change_types, notification_url, lifecycle_url, client_state,
	creator_kind, creator_id, expires_at, created_at, failures, next_attempt_at`

func scanSubscription(r pgx.Row) (directory.Subscription, error) {
	var (
		s                   directory.Subscription
		exp, created, nextA pgtype.Timestamptz
	)
	err := r.Scan(&s.ID, &s.TenantID, &s.Resource, &s.ChangeTypes, &s.NotificationURL, &s.LifecycleURL,
		&s.ClientState, &s.Creator.Kind, &s.Creator.ID, &exp, &created, &s.Failures, &nextA)
	s.ExpiresAt, s.CreatedAt, s.NextAttemptAt = fromTS(exp), fromTS(created), fromTS(nextA)
	return s, err
}

func (r reader) subscriptions(ctx context.Context, op, q string, args ...any) ([]directory.Subscription, error) {
	rows, err := r.q.Query(ctx, q, args...)
	if err != nil {
		return nil, r.fail(op, err)
	}
	defer rows.Close()
	var out []directory.Subscription
	for rows.Next() {
		s, err := scanSubscription(rows)
		if err != nil {
			return nil, r.fail(op, err)
		}
		out = append(out, s)
	}
	return out, r.fail(op, rows.Err())
}

func (r reader) Subscription(ctx context.Context, tenant directory.TenantID, id directory.ObjectID) (directory.Subscription, error) {
	s, err := scanSubscription(r.q.QueryRow(ctx, `SELECT `+subCols+` FROM subscriptions WHERE tenant_id = $1 AND id = $2`,
		string(tenant), string(id)))
	if errors.Is(err, pgx.ErrNoRows) {
		return s, &directory.NotFoundError{Kind: directory.KindSubscription, ID: string(id)}
	}
	return s, r.fail("read subscription", err)
}

func (r reader) Subscriptions(ctx context.Context, tenant directory.TenantID, creator string, page directory.PageRequest) (directory.Page[directory.Subscription], error) {
	top := page.Top
	if top <= 0 {
		top = defaultTop
	}
	subs, err := r.subscriptions(ctx, "list subscriptions", `SELECT `+subCols+` FROM subscriptions
WHERE tenant_id = $1 AND creator_id = $2 AND id > $3 ORDER BY id LIMIT $4`, string(tenant), creator, page.After, top+1)
	out := directory.Page[directory.Subscription]{Items: subs}
	if len(subs) > top {
		out.Items = subs[:top]
		out.Next = string(subs[top-1].ID)
	}
	return out, err
}

func (r reader) ActiveSubscriptions(ctx context.Context, now time.Time, limit int) ([]directory.Subscription, error) {
	return r.subscriptions(ctx, "list active subscriptions", `SELECT `+subCols+` FROM subscriptions
WHERE expires_at > $1 ORDER BY id LIMIT $2`, now, limit)
}

func (r reader) PendingNotifications(ctx context.Context, sub directory.ObjectID, limit int) ([]directory.Notification, error) {
	rows, err := r.q.Query(ctx, `SELECT seq, subscription_id, change_type, resource, resource_data, created_at
FROM webhook_outbox WHERE subscription_id = $1 ORDER BY seq LIMIT $2`, string(sub), limit)
	if err != nil {
		return nil, r.fail("read notifications", err)
	}
	defer rows.Close()
	var out []directory.Notification
	for rows.Next() {
		var (
			n  directory.Notification
			at pgtype.Timestamptz
		)
		if err := rows.Scan(&n.Seq, &n.SubscriptionID, &n.ChangeType, &n.Resource, &n.ResourceData, &at); err != nil {
			return nil, r.fail("read notifications", err)
		}
		n.CreatedAt = fromTS(at)
		out = append(out, n)
	}
	return out, r.fail("read notifications", rows.Err())
}

func (t *tx) InsertSubscription(ctx context.Context, s directory.Subscription) error {
	_, err := t.q.Exec(ctx, `INSERT INTO subscriptions (id, tenant_id, resource, change_types, notification_url,
	lifecycle_url, client_state, creator_kind, creator_id, expires_at, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, string(s.ID), string(s.TenantID), s.Resource,
		list(s.ChangeTypes), s.NotificationURL, s.LifecycleURL, s.ClientState,
		string(s.Creator.Kind), s.Creator.ID, s.ExpiresAt, s.CreatedAt)
	return t.fail("insert subscription", err)
}

func (t *tx) SetSubscriptionExpiry(ctx context.Context, tenant directory.TenantID, id directory.ObjectID, at time.Time) error {
	tag, err := t.q.Exec(ctx, `UPDATE subscriptions SET expires_at = $3 WHERE tenant_id = $1 AND id = $2`,
		string(tenant), string(id), at)
	if err != nil {
		return t.fail("renew subscription", err)
	}
	if tag.RowsAffected() == 0 {
		return &directory.NotFoundError{Kind: directory.KindSubscription, ID: string(id)}
	}
	return nil
}

func (t *tx) DeleteSubscription(ctx context.Context, tenant directory.TenantID, id directory.ObjectID) (bool, error) {
	tag, err := t.q.Exec(ctx, `DELETE FROM subscriptions WHERE tenant_id = $1 AND id = $2`, string(tenant), string(id))
	if err != nil || tag.RowsAffected() == 0 {
		return false, t.fail("delete subscription", err)
	}
	_, err = t.q.Exec(ctx, `DELETE FROM webhook_outbox WHERE subscription_id = $1`, string(id))
	return true, t.fail("delete notifications", err)
}

func (t *tx) ExpiredSubscriptions(ctx context.Context, now time.Time, limit int) ([]directory.Subscription, error) {
	return t.subscriptions(ctx, "list expired subscriptions", `SELECT `+subCols+` FROM subscriptions
WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2`, now, limit)
}

func (t *tx) ConsumerPosition(ctx context.Context, name string) (int64, bool, error) {
	var c int64
	err := t.q.QueryRow(ctx, `SELECT cursor FROM change_positions WHERE name = $1`, name).Scan(&c)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	return c, err == nil, t.fail("read change position", err)
}

// SetConsumerPosition: two instances dispatching at once both write this
// row, so SERIALIZABLE lets one commit and retries the other, which then
// reads the moved position.
func (t *tx) SetConsumerPosition(ctx context.Context, name string, cursor int64) error {
	_, err := t.q.Exec(ctx, `INSERT INTO change_positions (name, cursor) VALUES ($1, $2)
ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor`, name, cursor)
	return t.fail("write change position", err)
}

func (t *tx) EnqueueNotifications(ctx context.Context, ns []directory.Notification) error {
	if len(ns) == 0 {
		return nil
	}
	cols := make([][]string, 4)
	at := make([]time.Time, len(ns))
	for i, n := range ns {
		cols[0] = append(cols[0], string(n.SubscriptionID))
		cols[1] = append(cols[1], n.ChangeType)
		cols[2] = append(cols[2], n.Resource)
		cols[3] = append(cols[3], n.ResourceData)
		at[i] = n.CreatedAt
	}
	// WITH ORDINALITY keeps the given order in the identity column.
	_, err := t.q.Exec(ctx, `INSERT INTO webhook_outbox (subscription_id, change_type, resource, resource_data, created_at)
SELECT s, c, r, d, a FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
	WITH ORDINALITY AS x(s, c, r, d, a, n) ORDER BY n`, cols[0], cols[1], cols[2], cols[3], at)
	return t.fail("queue notifications", err)
}

// ClaimSubscriptions skips rows another instance is claiming at the same
// moment (SKIP LOCKED) instead of waiting for them.
func (t *tx) ClaimSubscriptions(ctx context.Context, owner string, now, until time.Time, limit int) ([]directory.Subscription, error) {
	return t.subscriptions(ctx, "claim subscriptions", `UPDATE subscriptions SET lease_owner = $1, lease_until = $3
WHERE id IN (SELECT s.id FROM subscriptions s
	WHERE s.next_attempt_at <= $2 AND s.lease_until <= $2 AND s.expires_at > $2
	AND EXISTS (SELECT 1 FROM webhook_outbox o WHERE o.subscription_id = s.id)
	ORDER BY s.next_attempt_at LIMIT $4 FOR UPDATE SKIP LOCKED)
RETURNING `+subCols, owner, now, until, limit)
}

func (t *tx) FinishDelivery(ctx context.Context, sub directory.ObjectID, owner string, upTo int64, failures int, next time.Time) (bool, error) {
	tag, err := t.q.Exec(ctx, `UPDATE subscriptions SET lease_owner = '', lease_until = 'epoch', failures = $3, next_attempt_at = $4
WHERE id = $1 AND lease_owner = $2`, string(sub), owner, failures, next)
	if err != nil || tag.RowsAffected() == 0 {
		return false, t.fail("finish delivery", err)
	}
	if upTo > 0 {
		if _, err := t.q.Exec(ctx, `DELETE FROM webhook_outbox WHERE subscription_id = $1 AND seq <= $2`, string(sub), upTo); err != nil {
			return false, t.fail("delete delivered notifications", err)
		}
	}
	return true, nil
}
