-- Change notification subscriptions (webhooks), their durable outbox, and
-- the change log positions of the consumers that fill it.

-- +goose Up
CREATE TABLE subscriptions (
    id               TEXT    NOT NULL PRIMARY KEY,
    tenant_id        TEXT    NOT NULL REFERENCES tenants (id),
    resource         TEXT    NOT NULL,
    change_types     TEXT    NOT NULL,
    notification_url TEXT    NOT NULL,
    lifecycle_url    TEXT    NOT NULL DEFAULT '',
    client_state     TEXT    NOT NULL DEFAULT '',
    creator_kind     TEXT    NOT NULL,
    creator_id       TEXT    NOT NULL,
    expires_at       INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    -- Delivery state: consecutive failures, when the next attempt is due,
    -- and which worker holds the subscription until when.
    failures         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL DEFAULT 0,
    lease_owner      TEXT    NOT NULL DEFAULT '',
    lease_until      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX subscriptions_tenant ON subscriptions (tenant_id, id);
CREATE INDEX subscriptions_expiry ON subscriptions (expires_at);

CREATE TABLE webhook_outbox (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    subscription_id TEXT    NOT NULL,
    change_type     TEXT    NOT NULL,
    resource        TEXT    NOT NULL,
    resource_data   TEXT    NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX webhook_outbox_subscription ON webhook_outbox (subscription_id, seq);

CREATE TABLE change_positions (
    name   TEXT    NOT NULL PRIMARY KEY,
    cursor INTEGER NOT NULL
);
