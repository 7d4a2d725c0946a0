-- The audit log: a copy of every change log row worth showing to people,
-- written by a trigger in the same transaction as the change itself, so
-- every writer (every instance, the command line) is audited and nothing
-- is audited that did not commit. It has its own retention, independent
-- of the change log's. The trigger runs once per statement, so the one
-- multi-row insert of a transaction's changes costs one more insert.

-- +goose Up
CREATE TABLE audit_log (
    seq          bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id    text    NOT NULL,
    object_id    text    NOT NULL,
    object_kind  text    NOT NULL,
    op           text    NOT NULL,
    related_id   text    NOT NULL DEFAULT '',
    related_kind text    NOT NULL DEFAULT '',
    properties   text[]  NOT NULL DEFAULT '{}',
    actor_kind   text    NOT NULL DEFAULT '',
    actor_id     text    NOT NULL DEFAULT '',
    actor_name   text    NOT NULL DEFAULT '',
    request_id   text    NOT NULL DEFAULT '',
    client_addr  text    NOT NULL DEFAULT '',
    at           timestamptz NOT NULL
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, seq);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_object ON audit_log (tenant_id, object_id, seq);
CREATE INDEX audit_log_related ON audit_log (tenant_id, related_id, seq) WHERE related_id <> '';

-- +goose StatementBegin
CREATE FUNCTION changes_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Signing keys are machinery, not directory content.
    INSERT INTO audit_log (tenant_id, object_id, object_kind, op, related_id, related_kind,
        properties, actor_kind, actor_id, actor_name, request_id, client_addr, at)
    SELECT tenant_id, object_id, object_kind, op, related_id, related_kind, properties,
        actor_kind, actor_id, actor_name, request_id, client_addr, at
    FROM changes_new WHERE object_kind <> 'signingKey' ORDER BY xid, ord;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER changes_audit AFTER INSERT ON changes
REFERENCING NEW TABLE AS changes_new FOR EACH STATEMENT EXECUTE FUNCTION changes_audit();
