package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"groupd/internal/directory"
)

var (
	_ directory.GovernanceReader = reader{}
	_ directory.GovernanceTx     = (*tx)(nil)
)

const (
	qGroupSettings = `SELECT id, tenant_id, group_id, template_id, display_name, setting_values, created_at
FROM group_settings WHERE tenant_id = ?1 AND group_id = ?2 ORDER BY id`
	qInsertSetting = `INSERT INTO group_settings (id, tenant_id, group_id, template_id, display_name, setting_values, created_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)`
	qReplaceSetting = `UPDATE group_settings SET setting_values = ?3 WHERE id = ?1 AND tenant_id = ?2`
	qDeleteSetting  = `DELETE FROM group_settings WHERE id = ?1 AND tenant_id = ?2`
	// A team is visible while its group is.
	// The teams' primary key is the group's id, so a tenant's teams come
	// in id order from it; teams are few beside groups.
	qTeamGroups = `SELECT ` + groupCols + ` FROM teams t JOIN groups g ON g.id = t.group_id
WHERE t.tenant_id = ?1 AND g.deleted_at IS NULL AND t.group_id > ?2
ORDER BY t.group_id LIMIT ?3`
	qTeam = `SELECT t.group_id, t.tenant_id, t.internal_id, t.is_archived, t.settings, t.created_at
FROM teams t JOIN groups g ON g.id = t.group_id AND g.deleted_at IS NULL
WHERE t.group_id = ?1 AND t.tenant_id = ?2`
	qInsertTeam = `INSERT INTO teams (group_id, tenant_id, internal_id, is_archived, settings, created_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6)`
	qUpdateTeam = `UPDATE teams SET is_archived = ?3, settings = ?4 WHERE group_id = ?1 AND tenant_id = ?2`
	qIdemRecord = `SELECT fingerprint, group_id, response, created_at FROM idempotency_keys
WHERE tenant_id = ?1 AND principal = ?2 AND idem_key = ?3`
	qPutIdemRecord = `INSERT INTO idempotency_keys (tenant_id, principal, idem_key, fingerprint, group_id, response, created_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
ON CONFLICT (tenant_id, principal, idem_key) DO UPDATE SET fingerprint = excluded.fingerprint,
	group_id = excluded.group_id, response = excluded.response, created_at = excluded.created_at`
)

// settingJSON is the stored shape of one setting value, shared with the
// PostgreSQL engine.
type settingJSON struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

func encodeValues(values []directory.SettingValue) string {
	l := make([]settingJSON, len(values))
	for i, v := range values {
		l[i] = settingJSON(v)
	}
	b, _ := json.Marshal(l) // strings only: cannot fail
	return string(b)
}

func decodeValues(s string) ([]directory.SettingValue, error) {
	var l []settingJSON
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return nil, fmt.Errorf("decode setting values: %w", err)
	}
	out := make([]directory.SettingValue, len(l))
	for i, v := range l {
		out[i] = directory.SettingValue(v)
	}
	return out, nil
}

func (r reader) GroupSettings(ctx context.Context, tenant directory.TenantID, group directory.ObjectID) ([]directory.GroupSetting, error) {
	rows, err := r.query(ctx, qGroupSettings, string(tenant), string(group))
	if err != nil {
		return nil, mapErr("read group settings", err)
	}
	defer rows.Close()
	var out []directory.GroupSetting
	for rows.Next() {
		var (
			s       directory.GroupSetting
			values  string
			created int64
		)
		if err := rows.Scan(&s.ID, &s.TenantID, &s.GroupID, &s.TemplateID, &s.DisplayName, &values, &created); err != nil {
			return nil, mapErr("read group settings", err)
		}
		if s.Values, err = decodeValues(values); err != nil {
			return nil, err
		}
		s.CreatedAt = fromMicros(nullInt(created))
		out = append(out, s)
	}
	return out, mapErr("read group settings", rows.Err())
}

func (t *tx) InsertGroupSetting(ctx context.Context, s directory.GroupSetting) error {
	_, err := t.exec(ctx, qInsertSetting, string(s.ID), string(s.TenantID), string(s.GroupID), s.TemplateID, s.DisplayName,
		encodeValues(s.Values), micros(s.CreatedAt))
	if code := sqliteCode(err); code == codeUnique || code == codePrimaryKey {
		return &directory.ConflictError{Property: "templateId", Value: s.TemplateID}
	}
	return mapErr("insert group setting", err)
}

func (t *tx) ReplaceGroupSetting(ctx context.Context, s directory.GroupSetting) error {
	res, err := t.exec(ctx, qReplaceSetting, string(s.ID), string(s.TenantID), encodeValues(s.Values))
	if err != nil {
		return mapErr("update group setting", err)
	}
	return mustAffect(res, directory.KindGroupSetting, s.ID)
}

func (t *tx) DeleteGroupSetting(ctx context.Context, tenant directory.TenantID, id directory.ObjectID) error {
	res, err := t.exec(ctx, qDeleteSetting, string(id), string(tenant))
	if err != nil {
		return mapErr("delete group setting", err)
	}
	return mustAffect(res, directory.KindGroupSetting, id)
}

func (r reader) Team(ctx context.Context, tenant directory.TenantID, group directory.ObjectID) (directory.Team, error) {
	var (
		tm       directory.Team
		settings string
		created  int64
	)
	err := r.scanRow(ctx, qTeam, []any{string(group), string(tenant)},
		&tm.GroupID, &tm.TenantID, &tm.InternalID, &tm.IsArchived, &settings, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return directory.Team{}, &directory.NotFoundError{Kind: directory.KindTeam, ID: string(group)}
	}
	if err != nil {
		return directory.Team{}, mapErr("read team", err)
	}
	if err := json.Unmarshal([]byte(settings), &tm.Settings); err != nil {
		return directory.Team{}, fmt.Errorf("decode team settings: %w", err)
	}
	tm.CreatedAt = fromMicros(nullInt(created))
	return tm, nil
}

func (t *tx) InsertTeam(ctx context.Context, tm directory.Team) error {
	settings, err := json.Marshal(tm.Settings)
	if err != nil {
		return fmt.Errorf("encode team settings: %w", err)
	}
	_, err = t.exec(ctx, qInsertTeam, string(tm.GroupID), string(tm.TenantID), tm.InternalID, tm.IsArchived,
		string(settings), micros(tm.CreatedAt))
	if code := sqliteCode(err); code == codeUnique || code == codePrimaryKey {
		return &directory.ConflictError{Property: "team", Value: string(tm.GroupID)}
	}
	return mapErr("insert team", err)
}

func (t *tx) UpdateTeam(ctx context.Context, tm directory.Team) error {
	settings, err := json.Marshal(tm.Settings)
	if err != nil {
		return fmt.Errorf("encode team settings: %w", err)
	}
	res, err := t.exec(ctx, qUpdateTeam, string(tm.GroupID), string(tm.TenantID), tm.IsArchived, string(settings))
	if err != nil {
		return mapErr("update team", err)
	}
	return mustAffect(res, directory.KindTeam, tm.GroupID)
}

func (r reader) UsersByUPN(ctx context.Context, tenant directory.TenantID, upns []string) ([]directory.User, error) {
	if len(upns) == 0 {
		return nil, nil
	}
	args := []any{string(tenant)}
	for _, u := range upns {
		args = append(args, fold(u))
	}
	// Not through the statement cache: the shape varies with len(upns).
	q := `SELECT ` + userCols + ` FROM users u WHERE u.tenant_id = ? AND u.deleted_at IS NULL AND u.upn_key IN (` +
		strings.TrimSuffix(strings.Repeat("?,", len(upns)), ",") + `)`
	rows, err := r.query(ctx, q, args...)
	if err != nil {
		return nil, mapErr("read users by upn", err)
	}
	defer rows.Close()
	var out []directory.User
	for rows.Next() {
		var row userRow
		if err := rows.Scan(row.dest()...); err != nil {
			return nil, mapErr("read users by upn", err)
		}
		u, err := row.user()
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, mapErr("read users by upn", rows.Err())
}

func (r reader) IdempotencyRecord(ctx context.Context, tenant directory.TenantID, principal, key string) (directory.IdempotencyRecord, error) {
	rec := directory.IdempotencyRecord{TenantID: tenant, Principal: principal, Key: key}
	var created int64
	err := r.scanRow(ctx, qIdemRecord, []any{string(tenant), principal, key},
		&rec.Fingerprint, &rec.GroupID, &rec.Response, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return directory.IdempotencyRecord{}, &directory.NotFoundError{Kind: "idempotencyKey", ID: key}
	}
	if err != nil {
		return directory.IdempotencyRecord{}, mapErr("read idempotency record", err)
	}
	rec.CreatedAt = fromMicros(nullInt(created))
	return rec, nil
}

func (t *tx) PutIdempotencyRecord(ctx context.Context, rec directory.IdempotencyRecord) error {
	_, err := t.exec(ctx, qPutIdemRecord, string(rec.TenantID), rec.Principal, rec.Key, rec.Fingerprint,
		string(rec.GroupID), rec.Response, micros(rec.CreatedAt))
	return mapErr("store idempotency record", err)
}

func (r reader) TeamGroups(ctx context.Context, tenant directory.TenantID, page directory.PageRequest) (directory.Page[directory.Group], error) {
	top, limit := pageSize(page.Top)
	rows, err := r.query(ctx, qTeamGroups, string(tenant), page.After, limit)
	if err != nil {
		return directory.Page[directory.Group]{}, mapErr("list teams", err)
	}
	out, err := scanGroups(rows)
	if err != nil {
		return out, mapErr("list teams", err)
	}
	if len(out.Items) > top {
		out.Items = out.Items[:top]
		out.Next = string(out.Items[top-1].ID)
	}
	return out, nil
}
