-- Initial schema. Times are unix microseconds (UTC) in INTEGER columns;
-- booleans are 0/1; list properties are JSON arrays in TEXT columns. The
-- *_key columns hold the value folded by Go's strings.ToLower: SQLite's
-- lower() folds ASCII only, and uniqueness must agree with the domain's
-- case folding on every engine.

-- +goose Up
CREATE TABLE tenants (
    id           TEXT    NOT NULL PRIMARY KEY,
    display_name TEXT    NOT NULL,
    is_default   INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX tenants_default ON tenants (is_default) WHERE is_default = 1;

-- A domain is verified by one tenant only, so TenantByDomain is unambiguous.
CREATE TABLE domains (
    name_key   TEXT    NOT NULL PRIMARY KEY,
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    position   INTEGER NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0,
    is_initial INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX domains_tenant ON domains (tenant_id, position);

CREATE TABLE users (
    id                  TEXT    NOT NULL PRIMARY KEY,
    tenant_id           TEXT    NOT NULL REFERENCES tenants (id),
    display_name        TEXT    NOT NULL DEFAULT '',
    given_name          TEXT    NOT NULL DEFAULT '',
    surname             TEXT    NOT NULL DEFAULT '',
    user_principal_name TEXT    NOT NULL,
    upn_key             TEXT    NOT NULL,
    mail_nickname       TEXT    NOT NULL DEFAULT '',
    mail                TEXT    NOT NULL DEFAULT '',
    mail_key            TEXT    NOT NULL DEFAULT '',
    account_enabled     INTEGER NOT NULL DEFAULT 0,
    job_title           TEXT    NOT NULL DEFAULT '',
    department          TEXT    NOT NULL DEFAULT '',
    office_location     TEXT    NOT NULL DEFAULT '',
    mobile_phone        TEXT    NOT NULL DEFAULT '',
    preferred_language  TEXT    NOT NULL DEFAULT '',
    business_phones     TEXT    NOT NULL DEFAULT '[]',
    other_mails         TEXT    NOT NULL DEFAULT '[]',
    sam_account_name    TEXT    NOT NULL DEFAULT '',
    sam_key             TEXT    NOT NULL DEFAULT '',
    password_hash       TEXT    NOT NULL DEFAULT '',
    is_admin            INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL,
    deleted_at          INTEGER
);
-- Unique names are unique among visible users only, so a soft delete frees them.
CREATE UNIQUE INDEX users_upn ON users (tenant_id, upn_key) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX users_sam ON users (tenant_id, sam_key) WHERE deleted_at IS NULL AND sam_key <> '';
CREATE UNIQUE INDEX users_mail ON users (tenant_id, mail_key) WHERE deleted_at IS NULL AND mail_key <> '';
CREATE INDEX users_list ON users (tenant_id, id) WHERE deleted_at IS NULL;

CREATE TABLE groups (
    id                               TEXT    NOT NULL PRIMARY KEY,
    tenant_id                        TEXT    NOT NULL REFERENCES tenants (id),
    display_name                     TEXT    NOT NULL DEFAULT '',
    display_name_key                 TEXT    NOT NULL DEFAULT '',
    description                      TEXT    NOT NULL DEFAULT '',
    mail_nickname                    TEXT    NOT NULL DEFAULT '',
    mail_nickname_key                TEXT    NOT NULL DEFAULT '',
    mail_enabled                     INTEGER NOT NULL DEFAULT 0,
    security_enabled                 INTEGER NOT NULL DEFAULT 0,
    -- derived from group_types so the partial index below can name it
    is_unified                       INTEGER NOT NULL DEFAULT 0,
    group_types                      TEXT    NOT NULL DEFAULT '[]',
    visibility                       TEXT    NOT NULL DEFAULT '',
    classification                   TEXT    NOT NULL DEFAULT '',
    mail                             TEXT    NOT NULL DEFAULT '',
    mail_key                         TEXT    NOT NULL DEFAULT '',
    proxy_addresses                  TEXT    NOT NULL DEFAULT '[]',
    membership_rule                  TEXT    NOT NULL DEFAULT '',
    membership_rule_processing_state TEXT    NOT NULL DEFAULT '',
    is_assignable_to_role            INTEGER NOT NULL DEFAULT 0,
    security_identifier              TEXT    NOT NULL DEFAULT '',
    created_at                       INTEGER NOT NULL,
    renewed_at                       INTEGER,
    expiration_at                    INTEGER,
    deleted_at                       INTEGER
);
-- Security groups that are not mail-enabled may share a mailNickname (Entra).
CREATE UNIQUE INDEX groups_mail_nickname ON groups (tenant_id, mail_nickname_key)
    WHERE deleted_at IS NULL AND mail_nickname_key <> '' AND (mail_enabled OR is_unified);
CREATE UNIQUE INDEX groups_mail ON groups (tenant_id, mail_key) WHERE deleted_at IS NULL AND mail_key <> '';
CREATE INDEX groups_nickname_any ON groups (tenant_id, mail_nickname_key) WHERE deleted_at IS NULL;
CREATE INDEX groups_display_name ON groups (tenant_id, display_name_key) WHERE deleted_at IS NULL;
CREATE INDEX groups_list ON groups (tenant_id, id) WHERE deleted_at IS NULL;

-- member_id names a user or a group (member_kind), so it has no foreign key;
-- DeleteGroup removes the rows that name a deleted group as member.
CREATE TABLE memberships (
    group_id    TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    member_id   TEXT NOT NULL,
    tenant_id   TEXT NOT NULL,
    member_kind TEXT NOT NULL CHECK (member_kind IN ('user', 'group')),
    PRIMARY KEY (group_id, member_id)
) WITHOUT ROWID;
CREATE INDEX memberships_member ON memberships (member_id, group_id);

CREATE TABLE ownerships (
    group_id   TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    owner_id   TEXT NOT NULL,
    tenant_id  TEXT NOT NULL,
    owner_kind TEXT NOT NULL,
    PRIMARY KEY (group_id, owner_id)
) WITHOUT ROWID;
CREATE INDEX ownerships_owner ON ownerships (owner_id, group_id);

-- AUTOINCREMENT: a cursor is never reused, even after old rows are pruned.
-- One writer at a time makes cursor order commit order.
CREATE TABLE changes (
    cursor       INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id    TEXT    NOT NULL,
    object_id    TEXT    NOT NULL,
    object_kind  TEXT    NOT NULL,
    op           TEXT    NOT NULL,
    related_id   TEXT    NOT NULL DEFAULT '',
    related_kind TEXT    NOT NULL DEFAULT '',
    properties   TEXT    NOT NULL DEFAULT '[]',
    actor_kind   TEXT    NOT NULL DEFAULT '',
    actor_id     TEXT    NOT NULL DEFAULT '',
    actor_name   TEXT    NOT NULL DEFAULT '',
    request_id   TEXT    NOT NULL DEFAULT '',
    client_addr  TEXT    NOT NULL DEFAULT '',
    at           INTEGER NOT NULL
);
