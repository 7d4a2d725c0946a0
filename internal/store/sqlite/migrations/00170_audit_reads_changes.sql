-- The audit log is read from the change log itself (auditread.go), as on
-- PostgreSQL since its migration 00170: copying every change row into the
-- audit file cost about 10 µs of CPU per row, a millisecond for a
-- provisioning call of 100 members, and at 8 concurrent calls that copy
-- was what kept their p99 above 50 ms. The change log now keeps its rows
-- for the audit retention too (directory.ChangeLogAudit), and these two
-- indexes serve the audit's filter by target, as audit_log_object and
-- audit_log_related did in the audit file: they lead with the row's
-- bucket, cursor >> 17, so that each change row lands in the newest
-- bucket's part of each index, and, ending with the rowid, they list a
-- bucket's entries of an id in cursor order. The writer pays two index
-- entries per change row; the copy paid a second row and three entries.

-- +goose Up
CREATE INDEX changes_object ON changes (cursor >> 17, object_id);
CREATE INDEX changes_related ON changes (cursor >> 17, related_id) WHERE related_id <> '';
