-- A page of the audit log filtered by target could cost the target's
-- whole history. Indexed by id alone, a target's entries come in no order,
-- so PostgreSQL gathered them all from both indexes and sorted them before
-- the page's LIMIT, or walked the log's primary key backward, keeping the
-- target's rows, through every change made since.
--
-- Now each index holds the id and then the entry's bucket of 4,096
-- transaction ids (xid >> 12). A read by target walks down the target's
-- buckets newest first, an index seek each, and sorts each bucket's
-- entries of the target, stopping when its page is full (audit.go): about
-- a page, plus at most one bucket's worth of the target's entries.
--
-- Not the entry number itself, (xid << 20) | ord: an entry per key, where
-- with the bucket a target's entries of nearby transactions share one
-- key (B-tree deduplication), as they shared the id alone. With 8
-- provisioning clients the entry number's indexes cost about 11-15 % of
-- the calls a second, the bucket's nothing measurable.
--
-- The indexes are built concurrently, outside a transaction, so that
-- writes (this instance's are not yet running, other instances' may be)
-- go on during the build, which on a large change log takes a while. Each
-- statement can be run again: a build that failed leaves an invalid index,
-- which the DROP before it removes, and goose records the version only
-- after the last statement. While an index is missing, a read by target
-- of an instance still running the earlier version scans the log.

-- +goose NO TRANSACTION
-- +goose Up
DROP INDEX CONCURRENTLY IF EXISTS changes_object;
CREATE INDEX CONCURRENTLY changes_object ON changes (object_id, (xid >> 12));
DROP INDEX CONCURRENTLY IF EXISTS changes_related;
CREATE INDEX CONCURRENTLY changes_related ON changes (related_id, (xid >> 12)) WHERE related_id <> '';
