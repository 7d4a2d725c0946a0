-- The nesting edges (groups that are members of groups) are a small part
-- of all memberships; this index reads them without scanning the rest.
-- Same shape as the SQLite engine's 00030_nesting.sql.

-- +goose Up
CREATE INDEX memberships_nesting ON memberships (tenant_id, member_id, group_id) WHERE member_kind = 'group';

