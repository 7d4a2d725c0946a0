-- A user's manager (Microsoft Graph's manager and directReports), ''
-- for none; a column with a constant default is added without rewriting
-- the table. Its index comes in 00231.

-- +goose Up
ALTER TABLE users ADD COLUMN manager_id text COLLATE "C" NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE users DROP COLUMN manager_id;
