-- Applications (machine clients) and the keys that sign their tokens.
-- Credentials are JSON arrays in the application row: an app has a few,
-- and the token endpoint reads them together with the app in one lookup.

-- +goose Up
CREATE TABLE applications (
    id                   TEXT    NOT NULL PRIMARY KEY,
    tenant_id            TEXT    NOT NULL REFERENCES tenants (id),
    -- appIds are GUIDs, unique across tenants; reads always name the
    -- tenant too, so an app is invisible from any other tenant.
    app_id               TEXT    NOT NULL UNIQUE,
    service_principal_id TEXT    NOT NULL UNIQUE,
    display_name         TEXT    NOT NULL,
    roles                TEXT    NOT NULL DEFAULT '[]',
    enabled              INTEGER NOT NULL DEFAULT 1,
    secrets              TEXT    NOT NULL DEFAULT '[]',
    certificates         TEXT    NOT NULL DEFAULT '[]',
    created_at           INTEGER NOT NULL
);
CREATE UNIQUE INDEX applications_tenant_app ON applications (tenant_id, app_id);
CREATE UNIQUE INDEX applications_tenant_id ON applications (tenant_id, id);
CREATE INDEX applications_sp ON applications (tenant_id, service_principal_id);

CREATE TABLE signing_keys (
    kid         TEXT    NOT NULL PRIMARY KEY,
    private_pem TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    retired_at  INTEGER
);
