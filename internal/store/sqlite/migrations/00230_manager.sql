-- A user's manager (Microsoft Graph's manager and directReports), ''
-- for none. users_manager lists a manager's direct reports in id order.

-- +goose Up
ALTER TABLE users ADD COLUMN manager_id TEXT NOT NULL DEFAULT '';
CREATE INDEX users_manager ON users (tenant_id, manager_id, id) WHERE deleted_at IS NULL;

-- +goose Down
DROP INDEX users_manager;
ALTER TABLE users DROP COLUMN manager_id;
