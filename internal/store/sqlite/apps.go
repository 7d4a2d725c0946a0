package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"groupd/internal/directory"
)

var (
	_ directory.AppReader = reader{}
	_ directory.AppTx     = (*tx)(nil)
)

const appCols = `id, tenant_id, app_id, service_principal_id, display_name, roles, enabled,
	secrets, certificates, created_at`

const (
	qApp       = `SELECT ` + appCols + ` FROM applications WHERE tenant_id = ?1 AND app_id = ?2`
	qApps      = `SELECT ` + appCols + ` FROM applications WHERE tenant_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3`
	qInsertApp = `INSERT INTO applications (` + appCols + `) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)`
	// app_id, service principal and created_at never change.
	qReplaceApp = `UPDATE applications SET display_name = ?3, roles = ?4, enabled = ?5,
	secrets = ?6, certificates = ?7 WHERE id = ?1 AND tenant_id = ?2`
	qDeleteApp          = `DELETE FROM applications WHERE id = ?1 AND tenant_id = ?2`
	qDeleteSPOwnerships = `DELETE FROM ownerships WHERE tenant_id = ?1 AND owner_id =
	(SELECT service_principal_id FROM applications WHERE id = ?2 AND tenant_id = ?1)`
	qSigningKeys   = `SELECT kid, private_pem, created_at, retired_at FROM signing_keys ORDER BY created_at DESC, kid`
	qInsertKey     = `INSERT INTO signing_keys (kid, private_pem, created_at) VALUES (?1, ?2, ?3)`
	qRetireKeys    = `UPDATE signing_keys SET retired_at = ?1 WHERE retired_at IS NULL`
	qDeleteOldKeys = `DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND retired_at < ?1`
)

// secretJSON and certJSON are the stored shapes of credentials; the field
// names are the storage format, shared with the PostgreSQL engine.
type secretJSON struct {
	KeyID     string `json:"keyId"`
	Hint      string `json:"hint"`
	Hash      string `json:"hash"`
	CreatedAt int64  `json:"created"`
	ExpiresAt int64  `json:"expires"`
}

type certJSON struct {
	KeyID      string `json:"keyId"`
	Thumbprint string `json:"x5t"`
	PEM        string `json:"pem"`
	CreatedAt  int64  `json:"created"`
	ExpiresAt  int64  `json:"expires"`
}

func encodeCreds(a directory.Application) (secrets, certs string) {
	s := make([]secretJSON, 0, len(a.Secrets))
	for _, x := range a.Secrets {
		s = append(s, secretJSON{x.KeyID, x.Hint, x.Hash, micros(x.CreatedAt), micros(x.ExpiresAt)})
	}
	c := make([]certJSON, 0, len(a.Certificates))
	for _, x := range a.Certificates {
		c = append(c, certJSON{x.KeyID, x.Thumbprint, x.PEM, micros(x.CreatedAt), micros(x.ExpiresAt)})
	}
	sb, _ := json.Marshal(s) // plain structs of strings and ints cannot fail
	cb, _ := json.Marshal(c)
	return string(sb), string(cb)
}

func roleList(a directory.Application) string {
	l := make([]string, len(a.Roles))
	for i, r := range a.Roles {
		l[i] = string(r)
	}
	return jsonList(l)
}

func scanApp(sc interface{ Scan(...any) error }) (directory.Application, error) {
	var (
		a                     directory.Application
		roles, secrets, certs string
		created               int64
	)
	if err := sc.Scan(&a.ID, &a.TenantID, &a.AppID, &a.ServicePrincipalID, &a.DisplayName, &roles,
		&a.Enabled, &secrets, &certs, &created); err != nil {
		return a, err
	}
	a.CreatedAt = fromMicros(nullInt(created))
	list, err := parseList(roles)
	if err != nil {
		return a, err
	}
	for _, r := range list {
		a.Roles = append(a.Roles, directory.Permission(r))
	}
	var s []secretJSON
	var c []certJSON
	if err := json.Unmarshal([]byte(secrets), &s); err != nil {
		return a, fmt.Errorf("decode secrets: %w", err)
	}
	if err := json.Unmarshal([]byte(certs), &c); err != nil {
		return a, fmt.Errorf("decode certificates: %w", err)
	}
	for _, x := range s {
		a.Secrets = append(a.Secrets, directory.Secret{KeyID: x.KeyID, Hint: x.Hint, Hash: x.Hash,
			CreatedAt: fromMicros(nullInt(x.CreatedAt)), ExpiresAt: fromMicros(nullInt(x.ExpiresAt))})
	}
	for _, x := range c {
		a.Certificates = append(a.Certificates, directory.Certificate{KeyID: x.KeyID, Thumbprint: x.Thumbprint,
			PEM: x.PEM, CreatedAt: fromMicros(nullInt(x.CreatedAt)), ExpiresAt: fromMicros(nullInt(x.ExpiresAt))})
	}
	return a, nil
}

func (r reader) Application(ctx context.Context, tenant directory.TenantID, appID string) (directory.Application, error) {
	st, ctx, err := r.c.prepare(ctx, qApp)
	if err != nil {
		return directory.Application{}, mapErr("read application", err)
	}
	a, err := scanApp(st.QueryRowContext(ctx, string(tenant), strings.ToLower(appID)))
	if errors.Is(err, sql.ErrNoRows) {
		return directory.Application{}, &directory.NotFoundError{Kind: directory.KindApplication, ID: appID}
	}
	if err != nil {
		return directory.Application{}, mapErr("read application", err)
	}
	return a, nil
}

func (r reader) Applications(ctx context.Context, tenant directory.TenantID, page directory.PageRequest) (directory.Page[directory.Application], error) {
	top := page.Top
	if top <= 0 {
		top = defaultTop
	}
	rows, err := r.query(ctx, qApps, string(tenant), page.After, top+1)
	if err != nil {
		return directory.Page[directory.Application]{}, mapErr("list applications", err)
	}
	defer rows.Close()
	var out directory.Page[directory.Application]
	for rows.Next() {
		a, err := scanApp(rows)
		if err != nil {
			return directory.Page[directory.Application]{}, mapErr("list applications", err)
		}
		out.Items = append(out.Items, a)
	}
	if err := rows.Err(); err != nil {
		return directory.Page[directory.Application]{}, mapErr("list applications", err)
	}
	if len(out.Items) > top {
		out.Items = out.Items[:top]
		out.Next = string(out.Items[top-1].ID)
	}
	return out, nil
}

func (r reader) ServicePrincipals(ctx context.Context, tenant directory.TenantID, ids []directory.ObjectID) ([]directory.Application, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	ph := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	args := []any{string(tenant)}
	for _, id := range ids {
		args = append(args, string(id))
	}
	// Not through the statement cache: the shape varies with len(ids).
	q := `SELECT ` + appCols + ` FROM applications WHERE tenant_id = ? AND service_principal_id IN (` + ph + `)`
	rows, err := r.query(ctx, q, args...)
	if err != nil {
		return nil, mapErr("read service principals", err)
	}
	defer rows.Close()
	var out []directory.Application
	for rows.Next() {
		a, err := scanApp(rows)
		if err != nil {
			return nil, mapErr("read service principals", err)
		}
		out = append(out, a)
	}
	return out, mapErr("read service principals", rows.Err())
}

func (r reader) SigningKeys(ctx context.Context) ([]directory.SigningKey, error) {
	rows, err := r.query(ctx, qSigningKeys)
	if err != nil {
		return nil, mapErr("read signing keys", err)
	}
	defer rows.Close()
	var out []directory.SigningKey
	for rows.Next() {
		var (
			k       directory.SigningKey
			created int64
			retired sql.NullInt64
		)
		if err := rows.Scan(&k.ID, &k.PEM, &created, &retired); err != nil {
			return nil, mapErr("read signing keys", err)
		}
		k.CreatedAt = fromMicros(nullInt(created))
		k.RetiredAt = fromMicrosPtr(retired)
		out = append(out, k)
	}
	return out, mapErr("read signing keys", rows.Err())
}

func (t *tx) InsertApplication(ctx context.Context, a directory.Application) error {
	secrets, certs := encodeCreds(a)
	_, err := t.exec(ctx, qInsertApp, string(a.ID), string(a.TenantID), strings.ToLower(a.AppID),
		string(a.ServicePrincipalID), a.DisplayName, roleList(a), a.Enabled, secrets, certs, micros(a.CreatedAt))
	if code := sqliteCode(err); code == codeUnique || code == codePrimaryKey {
		return &directory.ConflictError{Property: "appId", Value: a.AppID}
	}
	return mapErr("insert application", err)
}

func (t *tx) ReplaceApplication(ctx context.Context, a directory.Application) error {
	secrets, certs := encodeCreds(a)
	res, err := t.exec(ctx, qReplaceApp, string(a.ID), string(a.TenantID), a.DisplayName, roleList(a), a.Enabled, secrets, certs)
	if err != nil {
		return mapErr("update application", err)
	}
	return mustAffect(res, directory.KindApplication, a.ID)
}

func (t *tx) DeleteApplication(ctx context.Context, tenant directory.TenantID, id directory.ObjectID) error {
	if _, err := t.exec(ctx, qDeleteSPOwnerships, string(tenant), string(id)); err != nil {
		return mapErr("delete application ownerships", err)
	}
	res, err := t.exec(ctx, qDeleteApp, string(id), string(tenant))
	if err != nil {
		return mapErr("delete application", err)
	}
	return mustAffect(res, directory.KindApplication, id)
}

func (t *tx) InsertSigningKey(ctx context.Context, k directory.SigningKey) error {
	_, err := t.exec(ctx, qInsertKey, k.ID, k.PEM, micros(k.CreatedAt))
	return mapErr("insert signing key", err)
}

func (t *tx) RetireSigningKeys(ctx context.Context, at time.Time) error {
	_, err := t.exec(ctx, qRetireKeys, micros(at))
	return mapErr("retire signing keys", err)
}

func (t *tx) DeleteSigningKeys(ctx context.Context, retiredBefore time.Time) error {
	_, err := t.exec(ctx, qDeleteOldKeys, micros(retiredBefore))
	return mapErr("delete signing keys", err)
}

const qAppOwners = `SELECT ` + appCols + ` FROM applications a
WHERE a.tenant_id = ?2 AND a.service_principal_id IN (SELECT o.owner_id FROM ownerships o
	WHERE o.group_id = ?1 AND o.tenant_id = ?2 AND o.owner_kind = 'servicePrincipal')
ORDER BY a.service_principal_id`

func (r reader) AppOwners(ctx context.Context, tenant directory.TenantID, group directory.ObjectID) ([]directory.Application, error) {
	rows, err := r.query(ctx, qAppOwners, string(group), string(tenant))
	if err != nil {
		return nil, mapErr("read application owners", err)
	}
	defer rows.Close()
	var out []directory.Application
	for rows.Next() {
		a, err := scanApp(rows)
		if err != nil {
			return nil, mapErr("read application owners", err)
		}
		out = append(out, a)
	}
	return out, mapErr("read application owners", rows.Err())
}
