-- The trim of the change log reads it in cursor order, in which rows are
-- written and so dated (directory.Tx.TrimChanges), so the index on time
-- goes: every change paid for an insert into it on the writer.

-- +goose Up
DROP INDEX changes_at;

