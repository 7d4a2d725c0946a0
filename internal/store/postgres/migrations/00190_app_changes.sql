-- The change follower of an instance whose caches are checked against the
-- change log by the reads themselves (directory.WithCheckedReadCache)
-- acts only on application and signing key rows, to drop its application
-- cache and reload its keys (directory.AppChangeReader). It read every
-- row, about 106 a provisioning call, and discarded nearly all of them;
-- this partial index holds only the rows it acts on, which change rarely,
-- so that a read costs a seek into a small index. Rows of other kinds
-- pay nothing for it but the test of the predicate.
--
-- Built concurrently, outside a transaction, as 00180's indexes, so that
-- other instances' writes go on during the build; a build that failed
-- leaves an invalid index, which the DROP removes before the next try.

-- +goose NO TRANSACTION
-- +goose Up
DROP INDEX CONCURRENTLY IF EXISTS changes_apps;
CREATE INDEX CONCURRENTLY changes_apps ON changes (xid, ord) WHERE object_kind IN ('application', 'signingKey');
