-- The audit log: a copy of every change log row worth showing to people,
-- written by a trigger in the same transaction as the change itself, so
-- every writer (the server, the command line) is audited and nothing is
-- audited that did not commit. It has its own retention, independent of
-- the change log's.

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

-- Signing keys are machinery, not directory content.
-- +goose StatementBegin
CREATE TRIGGER changes_audit AFTER INSERT ON changes
WHEN NEW.object_kind <> 'signingKey'
BEGIN
    INSERT INTO audit_log (tenant_id, object_id, object_kind, op, related_id, related_kind,
        properties, actor_kind, actor_id, actor_name, request_id, client_addr, at)
    VALUES (NEW.tenant_id, NEW.object_id, NEW.object_kind, NEW.op, NEW.related_id,
        NEW.related_kind, NEW.properties, NEW.actor_kind, NEW.actor_id, NEW.actor_name,
        NEW.request_id, NEW.client_addr, NEW.at);
END;
-- +goose StatementEnd
