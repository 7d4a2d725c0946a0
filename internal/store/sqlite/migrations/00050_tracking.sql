-- Delta queries and deleted items. A delta reader follows one tenant's
-- rows; the deleted items are listed per tenant and purged by age; the
-- horizon records how far the log was trimmed, so that a delta token
-- older than that is refused instead of silently missing rows; the delta
-- secret signs the tenant's delta tokens, shared by every process on the
-- database.

-- +goose Up
CREATE INDEX changes_tenant ON changes (tenant_id, cursor);
CREATE INDEX changes_at ON changes (at);
CREATE INDEX users_deleted ON users (tenant_id, id) WHERE deleted_at IS NOT NULL;
CREATE INDEX users_deleted_at ON users (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX groups_deleted ON groups (tenant_id, id) WHERE deleted_at IS NOT NULL;
CREATE INDEX groups_deleted_at ON groups (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TABLE change_horizon (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    cursor INTEGER NOT NULL
);
INSERT INTO change_horizon (id, cursor) VALUES (1, 0);

CREATE TABLE delta_secrets (
    tenant_id TEXT PRIMARY KEY,
    secret    BLOB NOT NULL
) WITHOUT ROWID;
