-- A manager's direct reports in id order. Built concurrently, outside a
-- transaction, as 00180's indexes, so that other instances' writes go on
-- during the build; a build that failed leaves an invalid index, which
-- the DROP removes before the next try.

-- +goose NO TRANSACTION
-- +goose Up
DROP INDEX CONCURRENTLY IF EXISTS users_manager;
CREATE INDEX CONCURRENTLY users_manager ON users (tenant_id, manager_id, id) WHERE deleted_at IS NULL;

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS users_manager;
