-- A page of the audit log filtered by target could cost the target's
-- whole history, or more. Indexed by id alone, a target's entries come in
-- no order, so PostgreSQL either gathered them all from both indexes and
-- sorted them before the page's LIMIT, or walked the log's primary key
-- backward, keeping the target's rows, through every change made since.
-- Indexed by id and then entry number, each index yields a target's
-- entries newest first, and a page reads about its own size from each
-- (audit.go).
--
-- The entry number, (xid << 20) | ord, rather than the columns (xid, ord):
-- the query orders by it, and no other index has that order. Ordered by
-- (xid, ord), which the primary key has too, the planner still walked the
-- primary key when the target held a good share of the log: for a group
-- whose 20,000 entries were older than 300,000 others, the first page
-- read all 300,000, where the target's index reads a page's worth.
--
-- A write pays the same index entries as before; they are larger, as a
-- target's entries no longer share one (B-tree deduplication). The
-- indexes are built inside the migration's transaction, so writes wait
-- for the build.

-- +goose Up
DROP INDEX changes_object;
DROP INDEX changes_related;
CREATE INDEX changes_object ON changes (object_id, ((xid << 20) | ord));
CREATE INDEX changes_related ON changes (related_id, ((xid << 20) | ord)) WHERE related_id <> '';
