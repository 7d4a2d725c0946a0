-- Tenant group settings (Group.Unified policies), teams and the results
-- of idempotent provisioning calls; the same shape as the SQLite engine's
-- 00040_governance.sql.

-- +goose Up
CREATE TABLE group_settings (
    id             text COLLATE "C" NOT NULL,
    tenant_id      text COLLATE "C" NOT NULL,
    template_id    text COLLATE "C" NOT NULL,
    display_name   text        NOT NULL,
    setting_values jsonb       NOT NULL DEFAULT '[]',
    created_at     timestamptz NOT NULL,
    CONSTRAINT group_settings_pkey PRIMARY KEY (id),
    CONSTRAINT group_settings_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id)
);
-- One setting per template and tenant, as in Entra.
CREATE UNIQUE INDEX group_settings_template ON group_settings (tenant_id, template_id);

-- A team shares its group's id and goes with it.
CREATE TABLE teams (
    group_id    text COLLATE "C" NOT NULL,
    tenant_id   text COLLATE "C" NOT NULL,
    internal_id text        NOT NULL,
    is_archived boolean     NOT NULL DEFAULT false,
    settings    jsonb       NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL,
    CONSTRAINT teams_pkey PRIMARY KEY (group_id),
    CONSTRAINT teams_group_fkey FOREIGN KEY (group_id) REFERENCES groups (id) ON DELETE CASCADE
);

CREATE TABLE idempotency_keys (
    tenant_id   text COLLATE "C" NOT NULL,
    principal   text COLLATE "C" NOT NULL,
    idem_key    text COLLATE "C" NOT NULL,
    fingerprint text        NOT NULL,
    group_id    text COLLATE "C" NOT NULL,
    response    bytea       NOT NULL,
    created_at  timestamptz NOT NULL,
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (tenant_id, principal, idem_key)
);
