-- Query support (issue 6), as in the SQLite engine: keyset orders, the
-- case-folded displayName of users, and the token index of $search. Every
-- list index ends in id, the tie-breaker of every order, so a page is one
-- index range whatever the page number. display_name_key and search_tokens
-- of existing rows are filled by Go migration 3, which folds and tokenizes
-- as the domain does.

-- +goose Up
ALTER TABLE users ADD COLUMN display_name_key text COLLATE "C" NOT NULL DEFAULT '';

DROP INDEX groups_display_name;
CREATE INDEX groups_display_name ON groups (tenant_id, display_name_key, id) WHERE deleted_at IS NULL;
CREATE INDEX groups_created ON groups (tenant_id, created_at, id) WHERE deleted_at IS NULL;
DROP INDEX groups_nickname_any;
CREATE INDEX groups_nickname_any ON groups (tenant_id, mail_nickname_key, id) WHERE deleted_at IS NULL;
CREATE INDEX groups_mail_order ON groups (tenant_id, mail_key, id) WHERE deleted_at IS NULL;
CREATE INDEX users_display_name ON users (tenant_id, display_name_key, id) WHERE deleted_at IS NULL;
CREATE INDEX users_upn_order ON users (tenant_id, upn_key, id) WHERE deleted_at IS NULL;
CREATE INDEX users_created ON users (tenant_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX users_mail_order ON users (tenant_id, mail_key, id) WHERE deleted_at IS NULL;
CREATE INDEX users_sam_order ON users (tenant_id, sam_key, id) WHERE deleted_at IS NULL;

-- One row per (searchable property, token) of a user or group, written in
-- the transaction that writes the object; a token-prefix term is a range
-- of the primary key. Rows of soft-deleted objects stay (the list query
-- filters their object out) so a restore needs no rewrite.
CREATE TABLE search_tokens (
    tenant_id text COLLATE "C" NOT NULL,
    prop      text COLLATE "C" NOT NULL,
    token     text COLLATE "C" NOT NULL,
    object_id text COLLATE "C" NOT NULL,
    CONSTRAINT search_tokens_pkey PRIMARY KEY (tenant_id, prop, token, object_id)
);
CREATE INDEX search_tokens_object ON search_tokens (object_id);
