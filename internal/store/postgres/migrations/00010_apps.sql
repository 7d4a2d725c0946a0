-- Applications (machine clients) and the keys that sign their tokens; the
-- same shape as the SQLite engine's 00010_apps.sql. Credentials are JSON
-- in the application row: an app has a few, and the token endpoint reads
-- them together with the app in one lookup.

-- +goose Up
CREATE TABLE applications (
    id                   text COLLATE "C" NOT NULL,
    tenant_id            text COLLATE "C" NOT NULL,
    -- appIds are GUIDs, unique across tenants; reads always name the
    -- tenant too, so an app is invisible from any other tenant.
    app_id               text COLLATE "C" NOT NULL,
    service_principal_id text COLLATE "C" NOT NULL,
    display_name         text        NOT NULL,
    roles                text[]      NOT NULL DEFAULT '{}',
    enabled              boolean     NOT NULL DEFAULT true,
    secrets              jsonb       NOT NULL DEFAULT '[]',
    certificates         jsonb       NOT NULL DEFAULT '[]',
    created_at           timestamptz NOT NULL,
    CONSTRAINT applications_pkey PRIMARY KEY (id),
    CONSTRAINT applications_app_id UNIQUE (app_id),
    CONSTRAINT applications_sp UNIQUE (service_principal_id),
    CONSTRAINT applications_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id)
);
CREATE UNIQUE INDEX applications_tenant_app ON applications (tenant_id, app_id);
CREATE UNIQUE INDEX applications_tenant_id ON applications (tenant_id, id);

CREATE TABLE signing_keys (
    kid         text COLLATE "C" NOT NULL,
    private_pem text        NOT NULL,
    created_at  timestamptz NOT NULL,
    retired_at  timestamptz,
    CONSTRAINT signing_keys_pkey PRIMARY KEY (kid)
);

-- Applications that create groups with Group.Create own them.
ALTER TABLE ownerships DROP CONSTRAINT ownerships_owner_kind_check;
ALTER TABLE ownerships ADD CONSTRAINT ownerships_owner_kind_check
    CHECK (owner_kind IN ('user', 'group', 'servicePrincipal'));
