-- The guests alone (migration 00210's user_type). The single-statement
-- member adds probe this index to leave a guest's add to a Microsoft 365
-- group to the domain's policy check; where a tenant has no guests it is
-- empty and the probe reads one page.
--
-- Built concurrently, outside a transaction, as 00180's indexes, so that
-- other instances' writes go on during the build; a build that failed
-- leaves an invalid index, which the DROP removes before the next try.

-- +goose NO TRANSACTION
-- +goose Up
DROP INDEX CONCURRENTLY IF EXISTS users_guests;
CREATE INDEX CONCURRENTLY users_guests ON users (tenant_id, id) WHERE user_type = 'Guest';

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS users_guests;
