-- A user is a member or a guest (Microsoft Graph's userType). Existing
-- users are members.

-- +goose Up
ALTER TABLE users ADD COLUMN user_type TEXT NOT NULL DEFAULT 'Member';

-- +goose Down
ALTER TABLE users DROP COLUMN user_type;
