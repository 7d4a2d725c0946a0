-- The audit log is read from the change log itself (audit.go): the copy
-- wrote every change row a second time, as a heap row and four index
-- entries, which at 8 provisioning clients cost a fifth of the calls.
-- The change log keeps its rows for the audit retention too
-- (directory.ChangeLogAudit), and two indexes serve the audit's filter by
-- target, as audit_log_object and audit_log_related did.
--
-- Entries copied before this version stay in audit_log until their
-- retention ends; audit_copied holds the cursor the copy had reached, so
-- that each change is listed once: from audit_log up to it, from the
-- change log after it. The copier's position moves past every cursor: it
-- no longer holds back the change log's trim, and the copier of an
-- earlier version still running while this one starts copies nothing
-- (without a position it would copy the whole log again).

-- +goose Up
CREATE INDEX changes_object ON changes (object_id);
CREATE INDEX changes_related ON changes (related_id) WHERE related_id <> '';
CREATE TABLE audit_copied (
    id     integer NOT NULL,
    cursor bigint  NOT NULL,
    CONSTRAINT audit_copied_pkey PRIMARY KEY (id),
    CONSTRAINT audit_copied_one CHECK (id = 1)
);
INSERT INTO audit_copied (id, cursor)
SELECT 1, COALESCE((SELECT cursor FROM change_positions WHERE name = 'audit'), 0);
INSERT INTO change_positions (name, cursor) VALUES ('audit', 9223372036854775807)
ON CONFLICT (name) DO UPDATE SET cursor = EXCLUDED.cursor;
