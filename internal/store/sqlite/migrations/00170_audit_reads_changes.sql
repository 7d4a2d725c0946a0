-- The audit log is read from the change log itself (auditread.go), as on
-- PostgreSQL since its migration 00170: copying every change row into the
-- audit file cost about 10 µs of CPU per row, a millisecond for a
-- provisioning call of 100 members, and at 8 concurrent calls that copy
-- was what kept their p99 above 50 ms. The change log now keeps its rows
-- for the audit retention too (directory.WithAuditRetention), and these
-- two indexes serve the audit's filter by target, as audit_log_object and
-- audit_log_related did in the audit file.
--
-- They lead with the row's bucket of 1,024 rows, cursor >> 10, so that
-- the rows a commit adds land in the newest bucket's part of each index, a
-- dozen pages, and not one page each at random places: with buckets of
-- 131,072 rows (the audit file's), in-process member adds ran 8.6 % slower
-- than without the indexes (medians of 10 interleaved runs), with these
-- 2.9 %. Readers probe many buckets in one statement (auditread.go).
-- Ending with the rowid, the indexes list a bucket's entries of an id in
-- cursor order.

-- +goose Up
CREATE INDEX changes_object ON changes (cursor >> 10, object_id);
CREATE INDEX changes_related ON changes (cursor >> 10, related_id) WHERE related_id <> '';
