-- A user is a member or a guest (Microsoft Graph's userType). Existing
-- users are members.
--
-- The single-statement member adds leave a guest's add to a Microsoft 365
-- group to the domain's policy check. So that an add to a security group
-- pays nothing for it, groups_list also holds is_unified, which the adds'
-- check of the group then reads from the index; an add to a Microsoft 365
-- group probes users_guests, which holds the guests alone and is one empty
-- page where a tenant has none.

-- +goose Up
ALTER TABLE users ADD COLUMN user_type TEXT NOT NULL DEFAULT 'Member';
CREATE INDEX users_guests ON users (tenant_id, id) WHERE user_type = 'Guest';
DROP INDEX groups_list;
CREATE INDEX groups_list ON groups (tenant_id, id, is_unified) WHERE deleted_at IS NULL;

-- +goose Down
DROP INDEX groups_list;
CREATE INDEX groups_list ON groups (tenant_id, id) WHERE deleted_at IS NULL;
DROP INDEX users_guests;
ALTER TABLE users DROP COLUMN user_type;
