-- Query support (issue 6): keyset orders, the case-folded displayName of
-- users, and the token index of $search. Every list index ends in id, the
-- tie-breaker of every order, so a page is one range scan whatever the
-- page number. display_name_key and search_tokens of existing rows are
-- filled by Go migration 3, which folds and tokenizes as the domain does.

-- +goose Up
ALTER TABLE users ADD COLUMN display_name_key TEXT NOT NULL DEFAULT '';

DROP INDEX groups_display_name;
CREATE INDEX groups_display_name ON groups (tenant_id, display_name_key, id) WHERE deleted_at IS NULL;
CREATE INDEX groups_created ON groups (tenant_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX users_display_name ON users (tenant_id, display_name_key, id) WHERE deleted_at IS NULL;
CREATE INDEX users_upn_order ON users (tenant_id, upn_key, id) WHERE deleted_at IS NULL;
CREATE INDEX users_created ON users (tenant_id, created_at, id) WHERE deleted_at IS NULL;
-- With id last, an eq filter on the key also yields rows in id order, the
-- default order: SQLite would otherwise walk the id index of the whole
-- tenant to avoid a sort under LIMIT.
DROP INDEX groups_nickname_any;
CREATE INDEX groups_nickname_any ON groups (tenant_id, mail_nickname_key, id) WHERE deleted_at IS NULL;
CREATE INDEX groups_mail_order ON groups (tenant_id, mail_key, id) WHERE deleted_at IS NULL;
CREATE INDEX users_mail_order ON users (tenant_id, mail_key, id) WHERE deleted_at IS NULL;
CREATE INDEX users_sam_order ON users (tenant_id, sam_key, id) WHERE deleted_at IS NULL;

-- One row per (searchable property, token) of a user or group, written in
-- the transaction that writes the object. A token-prefix term is a range
-- scan of the primary key. Rows of soft-deleted objects stay (their object
-- is filtered out by the list query) so a restore needs no rewrite.
CREATE TABLE search_tokens (
    tenant_id TEXT NOT NULL,
    prop      TEXT NOT NULL,
    token     TEXT NOT NULL,
    object_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, prop, token, object_id)
) WITHOUT ROWID;
CREATE INDEX search_tokens_object ON search_tokens (object_id);

-- Visible users and groups per tenant, kept by triggers in the writing
-- transaction, so that an unfiltered $count reads one row instead of
-- walking an index of the whole tenant (about 30 ms for 100,000 groups).
-- SQLite has one writer, so the counter row is no point of contention.
CREATE TABLE object_counts (
    tenant_id TEXT    NOT NULL,
    kind      TEXT    NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, kind)
) WITHOUT ROWID;
INSERT INTO object_counts (tenant_id, kind, n)
    SELECT tenant_id, 'group', count(*) FROM groups WHERE deleted_at IS NULL GROUP BY tenant_id;
INSERT INTO object_counts (tenant_id, kind, n)
    SELECT tenant_id, 'user', count(*) FROM users WHERE deleted_at IS NULL GROUP BY tenant_id;

-- +goose StatementBegin
CREATE TRIGGER groups_count_insert AFTER INSERT ON groups WHEN NEW.deleted_at IS NULL BEGIN
    INSERT INTO object_counts (tenant_id, kind, n) VALUES (NEW.tenant_id, 'group', 1)
        ON CONFLICT (tenant_id, kind) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER groups_count_delete AFTER DELETE ON groups WHEN OLD.deleted_at IS NULL BEGIN
    UPDATE object_counts SET n = n - 1 WHERE tenant_id = OLD.tenant_id AND kind = 'group';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER groups_count_visibility AFTER UPDATE OF deleted_at ON groups
    WHEN (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL) BEGIN
    INSERT INTO object_counts (tenant_id, kind, n)
        VALUES (NEW.tenant_id, 'group', CASE WHEN NEW.deleted_at IS NULL THEN 1 ELSE -1 END)
        ON CONFLICT (tenant_id, kind) DO UPDATE SET n = n + excluded.n;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER users_count_insert AFTER INSERT ON users WHEN NEW.deleted_at IS NULL BEGIN
    INSERT INTO object_counts (tenant_id, kind, n) VALUES (NEW.tenant_id, 'user', 1)
        ON CONFLICT (tenant_id, kind) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER users_count_delete AFTER DELETE ON users WHEN OLD.deleted_at IS NULL BEGIN
    UPDATE object_counts SET n = n - 1 WHERE tenant_id = OLD.tenant_id AND kind = 'user';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER users_count_visibility AFTER UPDATE OF deleted_at ON users
    WHEN (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL) BEGIN
    INSERT INTO object_counts (tenant_id, kind, n)
        VALUES (NEW.tenant_id, 'user', CASE WHEN NEW.deleted_at IS NULL THEN 1 ELSE -1 END)
        ON CONFLICT (tenant_id, kind) DO UPDATE SET n = n + excluded.n;
END;
-- +goose StatementEnd
