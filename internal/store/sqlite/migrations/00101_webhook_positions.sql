-- Change notifications are read from the change log after a position each
-- subscription keeps, instead of being copied to an outbox: a write costs
-- nothing for them. A subscription with undelivered notifications starts
-- just before the oldest change of their time (at least once allows a few
-- sent twice); any other one where the dispatcher had got to.

-- +goose Up
ALTER TABLE subscriptions ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
UPDATE subscriptions SET position = COALESCE(
    (SELECT MIN(c.cursor) - 1 FROM changes c WHERE c.at >=
        (SELECT MIN(o.created_at) FROM webhook_outbox o WHERE o.subscription_id = subscriptions.id)),
    (SELECT cursor FROM change_positions WHERE name = 'webhooks'),
    max(COALESCE((SELECT MAX(cursor) FROM changes), 0), (SELECT cursor FROM change_horizon WHERE id = 1)));
DROP TABLE webhook_outbox;
-- The dispatcher's position would hold back the change log's retention.
DELETE FROM change_positions WHERE name = 'webhooks';
