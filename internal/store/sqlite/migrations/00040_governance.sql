-- Tenant group settings (Group.Unified policies), teams and the results
-- of idempotent provisioning calls.

-- +goose Up
-- Values are a JSON array of {"name","value"}: a setting has a fixed
-- handful, always read and written whole.
CREATE TABLE group_settings (
    id             TEXT    NOT NULL PRIMARY KEY,
    tenant_id      TEXT    NOT NULL REFERENCES tenants (id),
    template_id    TEXT    NOT NULL,
    display_name   TEXT    NOT NULL,
    setting_values TEXT    NOT NULL DEFAULT '[]',
    created_at     INTEGER NOT NULL
);
-- One setting per template and tenant, as in Entra.
CREATE UNIQUE INDEX group_settings_template ON group_settings (tenant_id, template_id);

-- A team shares its group's id and goes with it.
CREATE TABLE teams (
    group_id    TEXT    NOT NULL PRIMARY KEY REFERENCES groups (id) ON DELETE CASCADE,
    tenant_id   TEXT    NOT NULL,
    internal_id TEXT    NOT NULL,
    is_archived INTEGER NOT NULL DEFAULT 0,
    settings    TEXT    NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL
);

CREATE TABLE idempotency_keys (
    tenant_id   TEXT    NOT NULL,
    principal   TEXT    NOT NULL,
    idem_key    TEXT    NOT NULL,
    fingerprint TEXT    NOT NULL,
    group_id    TEXT    NOT NULL,
    response    BLOB    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, principal, idem_key)
);
