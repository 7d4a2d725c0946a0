-- The audit log, in a file of its own beside the directory's (auditfile.go):
-- a copy of every change log row worth showing to people, and the change
-- log position the copy has reached, written in the same transaction of
-- this file, so each change is audited exactly once. The layout is the one
-- the directory's file had up to its migration 140: an index always ends
-- with the rowid, which is seq, so (object_id) already orders by seq within
-- an object; ids are unique across tenants, so the tenant is checked on
-- the row. Trimming deletes the oldest rows by seq, with no index on time.

-- +goose Up
CREATE TABLE audit_log (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id    TEXT    NOT NULL,
    object_id    TEXT    NOT NULL,
    object_kind  TEXT    NOT NULL,
    op           TEXT    NOT NULL,
    related_id   TEXT    NOT NULL DEFAULT '',
    related_kind TEXT    NOT NULL DEFAULT '',
    properties   TEXT    NOT NULL DEFAULT '[]',
    actor_kind   TEXT    NOT NULL DEFAULT '',
    actor_id     TEXT    NOT NULL DEFAULT '',
    actor_name   TEXT    NOT NULL DEFAULT '',
    request_id   TEXT    NOT NULL DEFAULT '',
    client_addr  TEXT    NOT NULL DEFAULT '',
    at           INTEGER NOT NULL
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, seq);
CREATE INDEX audit_log_object ON audit_log (object_id);
CREATE INDEX audit_log_related ON audit_log (related_id) WHERE related_id <> '';

-- The cursor of the last change log row copied; NULL until the first copy,
-- and until then the change log is trimmed as if there were no copier, as
-- it was when the position was a row of change_positions.
CREATE TABLE audit_position (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    cursor INTEGER
);
INSERT INTO audit_position (id, cursor) VALUES (1, NULL);
