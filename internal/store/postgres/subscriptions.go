package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"groupd/internal/directory"
	"groupd/internal/store/listsql"
)

const subCols = `id, tenant_id, resource, change_types, notification_url, lifecycle_url, client_state,
	creator_kind, creator_id, expires_at, created_at, position, failures, next_attempt_at`

func scanSubscription(r pgx.Row) (directory.Subscription, error) {
	var (
		s                   directory.Subscription
		exp, created, nextA pgtype.Timestamptz
	)
	err := r.Scan(&s.ID, &s.TenantID, &s.Resource, &s.ChangeTypes, &s.NotificationURL, &s.LifecycleURL,
		&s.ClientState, &s.Creator.Kind, &s.Creator.ID, &exp, &created, &s.Position, &s.Failures, &nextA)
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

func (t *tx) InsertSubscription(ctx context.Context, s directory.Subscription) error {
	_, err := t.q.Exec(ctx, `INSERT INTO subscriptions (id, tenant_id, resource, change_types, notification_url,
	lifecycle_url, client_state, creator_kind, creator_id, expires_at, created_at, position)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, string(s.ID), string(s.TenantID), s.Resource,
		list(s.ChangeTypes), s.NotificationURL, s.LifecycleURL, s.ClientState,
		string(s.Creator.Kind), s.Creator.ID, s.ExpiresAt, s.CreatedAt, s.Position)
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
	return true, nil
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

// SubscriptionsDue reads ClaimSubscriptions's condition.
func (r reader) SubscriptionsDue(ctx context.Context, now time.Time, below int64) (bool, error) {
	var due bool
	err := r.q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM subscriptions WHERE `+listsql.SubscriptionDue("$1", "$2")+`)`,
		now, below).Scan(&due)
	return due, r.fail("read due subscriptions", err)
}

// ClaimSubscriptions skips rows another instance is claiming at the same
// moment (SKIP LOCKED) instead of waiting for them.
func (t *tx) ClaimSubscriptions(ctx context.Context, owner string, now, until time.Time, below int64, limit int) ([]directory.Subscription, error) {
	return t.subscriptions(ctx, "claim subscriptions", `UPDATE subscriptions SET lease_owner = $1, lease_until = $3
WHERE id IN (SELECT id FROM subscriptions WHERE `+listsql.SubscriptionDue("$2", "$4")+`
	ORDER BY next_attempt_at LIMIT $5 FOR UPDATE SKIP LOCKED)
RETURNING `+subCols, owner, now, until, below, limit)
}

func (t *tx) FinishDelivery(ctx context.Context, sub directory.ObjectID, owner string, upTo int64, failures int, next time.Time) (bool, error) {
	tag, err := t.q.Exec(ctx, `UPDATE subscriptions SET lease_owner = '', lease_until = 'epoch', failures = $3,
	next_attempt_at = $4, position = GREATEST(position, $5)
WHERE id = $1 AND lease_owner = $2`, string(sub), owner, failures, next, upTo)
	if err != nil || tag.RowsAffected() == 0 {
		return false, t.fail("finish delivery", err)
	}
	return true, nil
}

func (t *tx) RenewDelivery(ctx context.Context, sub directory.ObjectID, owner string, upTo int64, now, until time.Time) (directory.Subscription, bool, error) {
	s, err := scanSubscription(t.q.QueryRow(ctx, `UPDATE subscriptions SET failures = 0, next_attempt_at = $3,
	position = GREATEST(position, $4),
	lease_until = CASE WHEN expires_at > $5 THEN $6::timestamptz ELSE 'epoch' END,
	lease_owner = CASE WHEN expires_at > $5 THEN lease_owner ELSE '' END
WHERE id = $1 AND lease_owner = $2
RETURNING `+subCols, string(sub), owner, time.Time{}, upTo, now, until))
	if errors.Is(err, pgx.ErrNoRows) {
		return s, false, nil
	}
	return s, err == nil && s.ExpiresAt.After(now), t.fail("renew delivery", err)
}

// The change log queries of TenantChanges with the columns notifications
// use.
var qNotificationChanges, qNotificationChangesInTx = tenantChangesQueries(
	`(xid << 20) | ord, object_id, object_kind, op, related_id, at`)

// NotificationChanges reads fewer columns than TenantChanges: the delivery
// worker reads every change of a busy tenant, and the actor, request and
// property columns it does not use cost as much to read and keep as the
// rest.
func (r reader) NotificationChanges(ctx context.Context, tenant directory.TenantID, after int64, limit int) ([]directory.Change, error) {
	after = max(after, 0)
	q := qNotificationChanges
	if r.tx != nil {
		q = qNotificationChangesInTx
	}
	rows, err := r.q.Query(ctx, q, after>>ordBits, after&maxOrd, limit, string(tenant))
	if err != nil {
		return nil, r.fail("read notification changes", err)
	}
	defer rows.Close()
	out := make([]directory.Change, 0, min(limit, 256))
	for rows.Next() {
		c := directory.Change{TenantID: tenant}
		var at pgtype.Timestamptz
		if err := rows.Scan(&c.Cursor, &c.ObjectID, &c.ObjectKind, &c.Op, &c.RelatedID, &at); err != nil {
			return nil, r.fail("read notification changes", err)
		}
		c.At = fromTS(at)
		out = append(out, c)
	}
	return out, r.fail("read notification changes", rows.Err())
}
