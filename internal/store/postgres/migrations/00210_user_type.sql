-- A user is a member or a guest (Microsoft Graph's userType). Existing
-- users are members; a column with a constant default is added without
-- rewriting the table.

-- +goose Up
ALTER TABLE users ADD COLUMN user_type text NOT NULL DEFAULT 'Member';

-- +goose Down
ALTER TABLE users DROP COLUMN user_type;
