-- Settings of one Microsoft 365 group (the Group.Unified.Guest template)
-- beside the tenant's: group_id is '' for a tenant's setting. A tenant or
-- a group holds one setting per template, as in Entra. A group's settings
-- go with the group when it is deleted for good.

-- +goose Up
ALTER TABLE group_settings ADD COLUMN group_id TEXT NOT NULL DEFAULT '';
DROP INDEX group_settings_template;
CREATE UNIQUE INDEX group_settings_template ON group_settings (tenant_id, group_id, template_id);

-- +goose Down
DELETE FROM group_settings WHERE group_id <> '';
DROP INDEX group_settings_template;
CREATE UNIQUE INDEX group_settings_template ON group_settings (tenant_id, template_id);
ALTER TABLE group_settings DROP COLUMN group_id;
