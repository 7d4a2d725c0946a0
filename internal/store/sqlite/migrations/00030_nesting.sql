-- The nesting edges (groups that are members of groups) are a small part
-- of all memberships; this index reads them without scanning the rest,
-- for the in-memory nesting graph and its reload after a nesting change.

-- +goose Up
CREATE INDEX memberships_nesting ON memberships (tenant_id, member_id, group_id) WHERE member_kind = 'group';

