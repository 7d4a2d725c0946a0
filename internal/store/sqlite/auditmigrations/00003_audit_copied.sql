-- From this version on the audit log is read from the directory's change
-- log (migration 00170 of the directory's file); audit_log keeps the rows
-- copied before, until their retention ends. audit_copied records where
-- the copy stopped (openAudit fills it once, in the transaction that moves
-- audit_position past every cursor, so that a copier of an earlier version
-- still running copies nothing more): cursor, the last change copied, and
-- shift, what is added to a later change's cursor to number its entry, so
-- that every change log entry sorts after every copied one (their seqs
-- were counted apart from the cursors). Each change is listed once: from
-- audit_log up to the cursor, from the change log after it.

-- +goose Up
CREATE TABLE audit_copied (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    cursor INTEGER NOT NULL,
    shift  INTEGER NOT NULL
);
