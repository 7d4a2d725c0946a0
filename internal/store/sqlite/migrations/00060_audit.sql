-- The audit log: a copy of every change log row worth showing to people,
-- made in batches from the change log by a copier that stores its position
-- (change_positions, 00061) in the same transaction, so each committed
-- change is audited exactly once and writes pay nothing for it. It has its
-- own retention, independent of the change log's.

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
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_object ON audit_log (tenant_id, object_id, seq);
CREATE INDEX audit_log_related ON audit_log (tenant_id, related_id, seq) WHERE related_id <> '';
