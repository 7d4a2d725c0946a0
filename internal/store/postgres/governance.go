package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"groupd/internal/directory"
)

var (
	_ directory.GovernanceReader = reader{}
	_ directory.GovernanceTx     = (*tx)(nil)
)

const (
	qGroupSettings = `SELECT id, tenant_id, group_id, template_id, display_name, setting_values, created_at
FROM group_settings WHERE tenant_id = $1 AND group_id = $2 ORDER BY id`
	qInsertSetting = `INSERT INTO group_settings (id, tenant_id, group_id, template_id, display_name, setting_values, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)`
	qReplaceSetting = `UPDATE group_settings SET setting_values = $3 WHERE id = $1 AND tenant_id = $2`
	qDeleteSetting  = `DELETE FROM group_settings WHERE id = $1 AND tenant_id = $2`
	// A team is visible while its group is.
	// The teams' primary key is the group's id, so a tenant's teams come
	// in id order from it; teams are few beside groups.
	qTeamGroups = `SELECT ` + groupCols + ` FROM teams t JOIN groups g ON g.id = t.group_id
WHERE t.tenant_id = $1 AND g.deleted_at IS NULL AND t.group_id > $2
ORDER BY t.group_id LIMIT $3`
	qTeam = `SELECT t.group_id, t.tenant_id, t.internal_id, t.is_archived, t.settings, t.created_at
FROM teams t JOIN groups g ON g.id = t.group_id AND g.deleted_at IS NULL
WHERE t.group_id = $1 AND t.tenant_id = $2`
	qInsertTeam = `INSERT INTO teams (group_id, tenant_id, internal_id, is_archived, settings, created_at)
VALUES ($1, $2, $3, $4, $5, $6)`
	qUpdateTeam = `UPDATE teams SET is_archived = $3, settings = $4 WHERE group_id = $1 AND tenant_id = $2`
	qUsersByUPN = `SELECT ` + userCols + ` FROM users u
WHERE u.tenant_id = $1 AND u.deleted_at IS NULL AND u.upn_key = ANY($2::text[])`
	qIdemRecord = `SELECT fingerprint, group_id, response, created_at FROM idempotency_keys
WHERE tenant_id = $1 AND principal = $2 AND idem_key = $3`
	qPutIdemRecord = `INSERT INTO idempotency_keys (tenant_id, principal, idem_key, fingerprint, group_id, response, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (tenant_id, principal, idem_key) DO UPDATE SET fingerprint = excluded.fingerprint,
	group_id = excluded.group_id, response = excluded.response, created_at = excluded.created_at`
)

// settingJSON is the stored shape of one setting value, the same as the
// SQLite engine's.
type settingJSON struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

func encodeValues(values []directory.SettingValue) []byte {
	l := make([]settingJSON, len(values))
	for i, v := range values {
		l[i] = settingJSON(v)
	}
	b, _ := json.Marshal(l) // strings only: cannot fail
	return b
}

func (r reader) GroupSettings(ctx context.Context, tenant directory.TenantID, group directory.ObjectID) ([]directory.GroupSetting, error) {
	r.touch("settings", string(tenant))
	rows, err := r.q.Query(ctx, qGroupSettings, string(tenant), string(group))
	if err != nil {
		return nil, r.fail("read group settings", err)
	}
	defer rows.Close()
	var out []directory.GroupSetting
	for rows.Next() {
		var (
			s       directory.GroupSetting
			values  []byte
			created pgtype.Timestamptz
		)
		if err := rows.Scan(&s.ID, &s.TenantID, &s.GroupID, &s.TemplateID, &s.DisplayName, &values, &created); err != nil {
			return nil, r.fail("read group settings", err)
		}
		var l []settingJSON
		if err := json.Unmarshal(values, &l); err != nil {
			return nil, fmt.Errorf("decode setting values: %w", err)
		}
		for _, v := range l {
			s.Values = append(s.Values, directory.SettingValue(v))
		}
		s.CreatedAt = fromTS(created)
		out = append(out, s)
	}
	return out, r.fail("read group settings", rows.Err())
}

func (t *tx) InsertGroupSetting(ctx context.Context, s directory.GroupSetting) error {
	t.touch("settings", string(s.TenantID))
	_, err := t.q.Exec(ctx, qInsertSetting, string(s.ID), string(s.TenantID), string(s.GroupID), s.TemplateID, s.DisplayName,
		encodeValues(s.Values), s.CreatedAt)
	if pe := pgError(err); pe != nil && pe.Code == codeUnique {
		t.fail("insert group setting", err)
		return &directory.ConflictError{Property: "templateId", Value: s.TemplateID}
	}
	return t.fail("insert group setting", err)
}

func (t *tx) ReplaceGroupSetting(ctx context.Context, s directory.GroupSetting) error {
	t.touch("settings", string(s.TenantID))
	tag, err := t.q.Exec(ctx, qReplaceSetting, string(s.ID), string(s.TenantID), encodeValues(s.Values))
	if err != nil {
		return t.fail("update group setting", err)
	}
	return mustAffect(tag, directory.KindGroupSetting, s.ID)
}

func (t *tx) DeleteGroupSetting(ctx context.Context, tenant directory.TenantID, id directory.ObjectID) error {
	t.touch("settings", string(tenant))
	tag, err := t.q.Exec(ctx, qDeleteSetting, string(id), string(tenant))
	if err != nil {
		return t.fail("delete group setting", err)
	}
	return mustAffect(tag, directory.KindGroupSetting, id)
}

func (r reader) Team(ctx context.Context, tenant directory.TenantID, group directory.ObjectID) (directory.Team, error) {
	r.touch("team", string(tenant), string(group))
	var (
		tm       directory.Team
		settings []byte
		created  pgtype.Timestamptz
	)
	err := r.q.QueryRow(ctx, qTeam, string(group), string(tenant)).Scan(
		&tm.GroupID, &tm.TenantID, &tm.InternalID, &tm.IsArchived, &settings, &created)
	if errors.Is(err, pgx.ErrNoRows) {
		return directory.Team{}, &directory.NotFoundError{Kind: directory.KindTeam, ID: string(group)}
	}
	if err != nil {
		return directory.Team{}, r.fail("read team", err)
	}
	if err := json.Unmarshal(settings, &tm.Settings); err != nil {
		return directory.Team{}, fmt.Errorf("decode team settings: %w", err)
	}
	tm.CreatedAt = fromTS(created)
	return tm, nil
}

func (t *tx) InsertTeam(ctx context.Context, tm directory.Team) error {
	t.touch("team", string(tm.TenantID), string(tm.GroupID))
	settings, err := json.Marshal(tm.Settings)
	if err != nil {
		return fmt.Errorf("encode team settings: %w", err)
	}
	_, err = t.q.Exec(ctx, qInsertTeam, string(tm.GroupID), string(tm.TenantID), tm.InternalID, tm.IsArchived,
		settings, tm.CreatedAt)
	if pe := pgError(err); pe != nil && pe.Code == codeUnique {
		t.fail("insert team", err)
		return &directory.ConflictError{Property: "team", Value: string(tm.GroupID)}
	}
	return t.fail("insert team", err)
}

func (t *tx) UpdateTeam(ctx context.Context, tm directory.Team) error {
	t.touch("team", string(tm.TenantID), string(tm.GroupID))
	settings, err := json.Marshal(tm.Settings)
	if err != nil {
		return fmt.Errorf("encode team settings: %w", err)
	}
	tag, err := t.q.Exec(ctx, qUpdateTeam, string(tm.GroupID), string(tm.TenantID), tm.IsArchived, settings)
	if err != nil {
		return t.fail("update team", err)
	}
	return mustAffect(tag, directory.KindTeam, tm.GroupID)
}

func (r reader) UsersByUPN(ctx context.Context, tenant directory.TenantID, upns []string) ([]directory.User, error) {
	if len(upns) == 0 {
		return nil, nil
	}
	keys := make([]string, len(upns))
	for i, u := range upns {
		keys[i] = fold(u)
		r.touch("upn", string(tenant), keys[i])
	}
	rows, err := r.q.Query(ctx, qUsersByUPN, string(tenant), keys)
	if err != nil {
		return nil, r.fail("read users by upn", err)
	}
	defer rows.Close()
	var out []directory.User
	for rows.Next() {
		var row userRow
		if err := rows.Scan(row.dest()...); err != nil {
			return nil, r.fail("read users by upn", err)
		}
		out = append(out, row.user())
	}
	return out, r.fail("read users by upn", rows.Err())
}

func (r reader) IdempotencyRecord(ctx context.Context, tenant directory.TenantID, principal, key string) (directory.IdempotencyRecord, error) {
	r.touch("idem", string(tenant), principal, key)
	rec := directory.IdempotencyRecord{TenantID: tenant, Principal: principal, Key: key}
	var created pgtype.Timestamptz
	err := r.q.QueryRow(ctx, qIdemRecord, string(tenant), principal, key).Scan(
		&rec.Fingerprint, &rec.GroupID, &rec.Response, &created)
	if errors.Is(err, pgx.ErrNoRows) {
		return directory.IdempotencyRecord{}, &directory.NotFoundError{Kind: "idempotencyKey", ID: key}
	}
	if err != nil {
		return directory.IdempotencyRecord{}, r.fail("read idempotency record", err)
	}
	rec.CreatedAt = fromTS(created)
	return rec, nil
}

func (t *tx) PutIdempotencyRecord(ctx context.Context, rec directory.IdempotencyRecord) error {
	t.touch("idem", string(rec.TenantID), rec.Principal, rec.Key)
	_, err := t.q.Exec(ctx, qPutIdemRecord, string(rec.TenantID), rec.Principal, rec.Key, rec.Fingerprint,
		string(rec.GroupID), rec.Response, rec.CreatedAt)
	return t.fail("store idempotency record", err)
}

func (r reader) TeamGroups(ctx context.Context, tenant directory.TenantID, page directory.PageRequest) (directory.Page[directory.Group], error) {
	top, limit := pageSize(page.Top)
	out, err := r.groupPage(ctx, "list teams", qTeamGroups, string(tenant), page.After, limit)
	if err != nil {
		return out, err
	}
	if len(out.Items) > top {
		out.Items = out.Items[:top]
		out.Next = string(out.Items[top-1].ID)
	}
	return out, nil
}
