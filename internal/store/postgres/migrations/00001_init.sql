-- Initial schema, the same model as the SQLite engine's. Ids and *_key
-- columns use the "C" collation: keyset paging compares ids byte by byte,
-- as SQLite and Go do, whatever the database's default collation. The
-- *_key columns hold the value folded by Go's strings.ToLower, so that
-- uniqueness agrees with the domain's case folding on every engine.

-- +goose Up
CREATE TABLE tenants (
    id           text COLLATE "C" NOT NULL,
    display_name text        NOT NULL,
    is_default   boolean     NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL,
    CONSTRAINT tenants_pkey PRIMARY KEY (id)
);
CREATE UNIQUE INDEX tenants_default ON tenants (is_default) WHERE is_default;

-- A domain is verified by one tenant only, so TenantByDomain is unambiguous.
CREATE TABLE domains (
    name_key   text COLLATE "C" NOT NULL,
    tenant_id  text COLLATE "C" NOT NULL,
    name       text    NOT NULL,
    position   integer NOT NULL,
    is_default boolean NOT NULL DEFAULT false,
    is_initial boolean NOT NULL DEFAULT false,
    CONSTRAINT domains_pkey PRIMARY KEY (name_key),
    CONSTRAINT domains_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
);
CREATE INDEX domains_tenant ON domains (tenant_id, position);

CREATE TABLE users (
    id                  text COLLATE "C" NOT NULL,
    tenant_id           text COLLATE "C" NOT NULL,
    display_name        text    NOT NULL DEFAULT '',
    given_name          text    NOT NULL DEFAULT '',
    surname             text    NOT NULL DEFAULT '',
    user_principal_name text    NOT NULL,
    upn_key             text COLLATE "C" NOT NULL,
    mail_nickname       text    NOT NULL DEFAULT '',
    mail                text    NOT NULL DEFAULT '',
    mail_key            text COLLATE "C" NOT NULL DEFAULT '',
    account_enabled     boolean NOT NULL DEFAULT false,
    job_title           text    NOT NULL DEFAULT '',
    department          text    NOT NULL DEFAULT '',
    office_location     text    NOT NULL DEFAULT '',
    mobile_phone        text    NOT NULL DEFAULT '',
    preferred_language  text    NOT NULL DEFAULT '',
    business_phones     text[]  NOT NULL DEFAULT '{}',
    other_mails         text[]  NOT NULL DEFAULT '{}',
    sam_account_name    text    NOT NULL DEFAULT '',
    sam_key             text COLLATE "C" NOT NULL DEFAULT '',
    password_hash       text    NOT NULL DEFAULT '',
    is_admin            boolean NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL,
    deleted_at          timestamptz,
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id)
);
-- Unique names are unique among visible users only, so a soft delete frees
-- them. The index names are what errors.go maps to properties.
CREATE UNIQUE INDEX users_upn ON users (tenant_id, upn_key) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX users_sam ON users (tenant_id, sam_key) WHERE deleted_at IS NULL AND sam_key <> '';
CREATE UNIQUE INDEX users_mail ON users (tenant_id, mail_key) WHERE deleted_at IS NULL AND mail_key <> '';
CREATE INDEX users_list ON users (tenant_id, id) WHERE deleted_at IS NULL;

CREATE TABLE groups (
    id                               text COLLATE "C" NOT NULL,
    tenant_id                        text COLLATE "C" NOT NULL,
    display_name                     text    NOT NULL DEFAULT '',
    display_name_key                 text COLLATE "C" NOT NULL DEFAULT '',
    description                      text    NOT NULL DEFAULT '',
    mail_nickname                    text    NOT NULL DEFAULT '',
    mail_nickname_key                text COLLATE "C" NOT NULL DEFAULT '',
    mail_enabled                     boolean NOT NULL DEFAULT false,
    security_enabled                 boolean NOT NULL DEFAULT false,
    -- derived from group_types so the partial index below can name it
    is_unified                       boolean NOT NULL DEFAULT false,
    group_types                      text[]  NOT NULL DEFAULT '{}',
    visibility                       text    NOT NULL DEFAULT '',
    classification                   text    NOT NULL DEFAULT '',
    mail                             text    NOT NULL DEFAULT '',
    mail_key                         text COLLATE "C" NOT NULL DEFAULT '',
    proxy_addresses                  text[]  NOT NULL DEFAULT '{}',
    membership_rule                  text    NOT NULL DEFAULT '',
    membership_rule_processing_state text    NOT NULL DEFAULT '',
    is_assignable_to_role            boolean NOT NULL DEFAULT false,
    security_identifier              text    NOT NULL DEFAULT '',
    created_at                       timestamptz NOT NULL,
    renewed_at                       timestamptz,
    expiration_at                    timestamptz,
    deleted_at                       timestamptz,
    CONSTRAINT groups_pkey PRIMARY KEY (id),
    CONSTRAINT groups_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id)
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
    group_id    text COLLATE "C" NOT NULL,
    member_id   text COLLATE "C" NOT NULL,
    tenant_id   text COLLATE "C" NOT NULL,
    member_kind text NOT NULL CHECK (member_kind IN ('user', 'group')),
    CONSTRAINT memberships_pkey PRIMARY KEY (group_id, member_id),
    CONSTRAINT memberships_group_fkey FOREIGN KEY (group_id) REFERENCES groups (id) ON DELETE CASCADE
);
CREATE INDEX memberships_member ON memberships (member_id, group_id);

CREATE TABLE ownerships (
    group_id   text COLLATE "C" NOT NULL,
    owner_id   text COLLATE "C" NOT NULL,
    tenant_id  text COLLATE "C" NOT NULL,
    owner_kind text NOT NULL CHECK (owner_kind IN ('user', 'group')),
    CONSTRAINT ownerships_pkey PRIMARY KEY (group_id, owner_id),
    CONSTRAINT ownerships_group_fkey FOREIGN KEY (group_id) REFERENCES groups (id) ON DELETE CASCADE
);
CREATE INDEX ownerships_owner ON ownerships (owner_id, group_id);

-- The change log. A row's position is (xid, ord): the id of the writing
-- transaction (pg_current_xact_id(), 64 bits with its epoch, so it never
-- wraps) and the row's place within it. A sequence would not do: numbers
-- are taken in one order and committed in another, so a follower that read
-- past a number could miss a smaller one committed later. Readers return
-- only rows of transactions older than their snapshot's xmin, which are all
-- finished, so no row can appear later below a position already read (see
-- changes.go). The public cursor is xid << 20 | ord; the CHECK keeps it
-- inside a positive int64 and unique.
CREATE TABLE changes (
    xid          bigint  NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    ord          integer NOT NULL,
    tenant_id    text    NOT NULL,
    object_id    text    NOT NULL,
    object_kind  text    NOT NULL,
    op           text    NOT NULL,
    related_id   text    NOT NULL DEFAULT '',
    related_kind text    NOT NULL DEFAULT '',
    properties   text[]  NOT NULL DEFAULT '{}',
    actor_kind   text    NOT NULL DEFAULT '',
    actor_id     text    NOT NULL DEFAULT '',
    actor_name   text    NOT NULL DEFAULT '',
    request_id   text    NOT NULL DEFAULT '',
    client_addr  text    NOT NULL DEFAULT '',
    at           timestamptz NOT NULL,
    CONSTRAINT changes_pkey PRIMARY KEY (xid, ord),
    CONSTRAINT changes_cursor_range CHECK (ord >= 0 AND ord < 1048576 AND xid >= 0 AND xid < 8796093022208)
);
