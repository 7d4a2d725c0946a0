-- Search tokens name the kind of their object, so that a token row of a
-- user and one of a group can never be taken for each other, even if
-- their ids were equal: writing one object's tokens replaces only rows of
-- its kind, and a search matches an id only together with its kind.

-- +goose Up
ALTER TABLE search_tokens ADD COLUMN kind text COLLATE "C" NOT NULL DEFAULT 'group'
    CHECK (kind IN ('user', 'group'));
UPDATE search_tokens s SET kind = 'user' WHERE EXISTS (SELECT 1 FROM users u WHERE u.id = s.object_id);
ALTER TABLE search_tokens ALTER COLUMN kind DROP DEFAULT;
ALTER TABLE search_tokens DROP CONSTRAINT search_tokens_pkey;
ALTER TABLE search_tokens ADD CONSTRAINT search_tokens_pkey PRIMARY KEY (tenant_id, prop, token, kind, object_id);
DROP INDEX search_tokens_object;
CREATE INDEX search_tokens_object ON search_tokens (object_id, kind);
