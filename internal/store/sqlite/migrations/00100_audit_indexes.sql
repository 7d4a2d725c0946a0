-- Fewer and narrower audit indexes: every audit row is written once per
-- change, read rarely. An index here always ends with the rowid, which is
-- seq, so (object_id) already orders by seq within an object; ids are
-- unique across tenants, so the tenant is checked on the row. Trimming
-- deletes the oldest rows by seq (rows are copied in commit order), so the
-- index on time goes.

-- +goose Up
DROP INDEX audit_log_at;
DROP INDEX audit_log_object;
DROP INDEX audit_log_related;
CREATE INDEX audit_log_object ON audit_log (object_id);
CREATE INDEX audit_log_related ON audit_log (related_id) WHERE related_id <> '';
