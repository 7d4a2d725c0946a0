-- Delta queries and deleted items, as in the SQLite engine: a delta
-- reader follows one tenant's rows; the deleted items are listed per
-- tenant and purged by age; the horizon records how far the log was
-- trimmed, so that a delta token older than that is refused instead of
-- silently missing rows; the delta secret signs the tenant's delta tokens,
-- shared by every instance on the database.

-- +goose Up
CREATE INDEX changes_tenant ON changes (tenant_id, xid, ord);
CREATE INDEX changes_at ON changes (at);
CREATE INDEX users_deleted ON users (tenant_id, id) WHERE deleted_at IS NOT NULL;
CREATE INDEX users_deleted_at ON users (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX groups_deleted ON groups (tenant_id, id) WHERE deleted_at IS NOT NULL;
CREATE INDEX groups_deleted_at ON groups (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TABLE change_horizon (
    id     integer NOT NULL,
    cursor bigint  NOT NULL,
    CONSTRAINT change_horizon_pkey PRIMARY KEY (id),
    CONSTRAINT change_horizon_one CHECK (id = 1)
);
INSERT INTO change_horizon (id, cursor) VALUES (1, 0);

CREATE TABLE delta_secrets (
    tenant_id text COLLATE "C" NOT NULL,
    secret    bytea NOT NULL,
    CONSTRAINT delta_secrets_pkey PRIMARY KEY (tenant_id)
);
