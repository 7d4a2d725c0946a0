-- Search tokens name the kind of their object, so that a token row of a
-- user and one of a group can never be taken for each other, even if
-- their ids were equal: writing one object's tokens replaces only rows of
-- its kind, and a search matches an id only together with its kind.

-- +goose Up
CREATE TABLE search_tokens_new (
    tenant_id TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('user', 'group')),
    prop      TEXT NOT NULL,
    token     TEXT NOT NULL,
    object_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, prop, token, kind, object_id)
) WITHOUT ROWID;
INSERT INTO search_tokens_new (tenant_id, kind, prop, token, object_id)
    SELECT s.tenant_id, CASE WHEN EXISTS (SELECT 1 FROM users u WHERE u.id = s.object_id) THEN 'user' ELSE 'group' END,
        s.prop, s.token, s.object_id
    FROM search_tokens s;
DROP TABLE search_tokens;
ALTER TABLE search_tokens_new RENAME TO search_tokens;
CREATE INDEX search_tokens_object ON search_tokens (object_id, kind);
