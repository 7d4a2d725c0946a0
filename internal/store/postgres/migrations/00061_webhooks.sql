-- Change notification subscriptions (webhooks), their durable outbox, and
-- the change log positions of the consumers that fill it.

-- +goose Up
CREATE TABLE subscriptions (
    id               text    NOT NULL PRIMARY KEY,
    tenant_id        text    NOT NULL REFERENCES tenants (id),
    resource         text    NOT NULL,
    change_types     text[]  NOT NULL,
    notification_url text    NOT NULL,
    lifecycle_url    text    NOT NULL DEFAULT '',
    client_state     text    NOT NULL DEFAULT '',
    creator_kind     text    NOT NULL,
    creator_id       text    NOT NULL,
    expires_at       timestamptz NOT NULL,
    created_at       timestamptz NOT NULL,
    -- Delivery state: consecutive failures, when the next attempt is due,
    -- and which worker holds the subscription until when.
    failures         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT 'epoch',
    lease_owner      text    NOT NULL DEFAULT '',
    lease_until      timestamptz NOT NULL DEFAULT 'epoch'
);
CREATE INDEX subscriptions_tenant ON subscriptions (tenant_id, id);
CREATE INDEX subscriptions_expiry ON subscriptions (expires_at);

CREATE TABLE webhook_outbox (
    seq             bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subscription_id text    NOT NULL,
    change_type     text    NOT NULL,
    resource        text    NOT NULL,
    resource_data   text    NOT NULL,
    created_at      timestamptz NOT NULL
);
CREATE INDEX webhook_outbox_subscription ON webhook_outbox (subscription_id, seq);

CREATE TABLE change_positions (
    name   text   NOT NULL PRIMARY KEY,
    cursor bigint NOT NULL
);
