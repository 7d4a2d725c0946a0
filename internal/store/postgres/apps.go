package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"groupd/internal/directory"
)

var (
	_ directory.AppReader    = reader{}
	_ directory.AppTx        = (*tx)(nil)
	_ directory.TenantLister = reader{}
)

const appCols = `a.id, a.tenant_id, a.app_id, a.service_principal_id, a.display_name, a.roles, a.enabled,
	a.secrets, a.certificates, a.created_at`

const (
	qApp       = `SELECT ` + appCols + ` FROM applications a WHERE a.tenant_id = $1 AND a.app_id = $2`
	qApps      = `SELECT ` + appCols + ` FROM applications a WHERE a.tenant_id = $1 AND a.id > $2 ORDER BY a.id LIMIT $3`
	qAppsBySP  = `SELECT ` + appCols + ` FROM applications a WHERE a.tenant_id = $1 AND a.service_principal_id = ANY($2::text[])`
	qAppOwners = `SELECT ` + appCols + ` FROM applications a
WHERE a.tenant_id = $2 AND a.service_principal_id IN (SELECT o.owner_id FROM ownerships o
	WHERE o.group_id = $1 AND o.tenant_id = $2 AND o.owner_kind = 'servicePrincipal')
ORDER BY a.service_principal_id`
	qInsertApp = `INSERT INTO applications (id, tenant_id, app_id, service_principal_id, display_name, roles,
	enabled, secrets, certificates, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`
	qReplaceApp = `UPDATE applications SET display_name = $3, roles = $4, enabled = $5,
	secrets = $6, certificates = $7 WHERE id = $1 AND tenant_id = $2`
	qDeleteApp          = `DELETE FROM applications WHERE id = $1 AND tenant_id = $2`
	qDeleteSPOwnerships = `DELETE FROM ownerships WHERE tenant_id = $1 AND owner_kind = 'servicePrincipal' AND owner_id =
	(SELECT service_principal_id FROM applications WHERE id = $2 AND tenant_id = $1)`
	qSigningKeys   = `SELECT kid, private_pem, created_at, retired_at FROM signing_keys ORDER BY created_at DESC, kid`
	qInsertKey     = `INSERT INTO signing_keys (kid, private_pem, created_at) VALUES ($1, $2, $3)`
	qRetireKeys    = `UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL`
	qDeleteOldKeys = `DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND retired_at < $1`
	qTenants       = tenantSelect + `t.id IN (SELECT id FROM tenants WHERE id > $1 ORDER BY id LIMIT $2)
ORDER BY t.id, d.position`
)

// secretJSON and certJSON are the stored shapes of credentials, the same as
// the SQLite engine's (times in unix microseconds).
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

func appArgs(a directory.Application) (roles []string, secrets, certs []byte) {
	roles = []string{}
	for _, r := range a.Roles {
		roles = append(roles, string(r))
	}
	s := make([]secretJSON, 0, len(a.Secrets))
	for _, x := range a.Secrets {
		s = append(s, secretJSON{x.KeyID, x.Hint, x.Hash, x.CreatedAt.UnixMicro(), x.ExpiresAt.UnixMicro()})
	}
	c := make([]certJSON, 0, len(a.Certificates))
	for _, x := range a.Certificates {
		c = append(c, certJSON{x.KeyID, x.Thumbprint, x.PEM, x.CreatedAt.UnixMicro(), x.ExpiresAt.UnixMicro()})
	}
	secrets, _ = json.Marshal(s) // plain structs of strings and ints cannot fail
	certs, _ = json.Marshal(c)
	return roles, secrets, certs
}

func scanApp(row pgx.Row) (directory.Application, error) {
	var (
		a              directory.Application
		roles          []string
		secrets, certs []byte
		created        pgtype.Timestamptz
	)
	if err := row.Scan(&a.ID, &a.TenantID, &a.AppID, &a.ServicePrincipalID, &a.DisplayName, &roles,
		&a.Enabled, &secrets, &certs, &created); err != nil {
		return a, err
	}
	a.CreatedAt = fromTS(created)
	for _, r := range roles {
		a.Roles = append(a.Roles, directory.Permission(r))
	}
	var s []secretJSON
	var c []certJSON
	if err := json.Unmarshal(secrets, &s); err != nil {
		return a, fmt.Errorf("decode secrets: %w", err)
	}
	if err := json.Unmarshal(certs, &c); err != nil {
		return a, fmt.Errorf("decode certificates: %w", err)
	}
	for _, x := range s {
		a.Secrets = append(a.Secrets, directory.Secret{KeyID: x.KeyID, Hint: x.Hint, Hash: x.Hash,
			CreatedAt: time.UnixMicro(x.CreatedAt).UTC(), ExpiresAt: time.UnixMicro(x.ExpiresAt).UTC()})
	}
	for _, x := range c {
		a.Certificates = append(a.Certificates, directory.Certificate{KeyID: x.KeyID, Thumbprint: x.Thumbprint,
			PEM: x.PEM, CreatedAt: time.UnixMicro(x.CreatedAt).UTC(), ExpiresAt: time.UnixMicro(x.ExpiresAt).UTC()})
	}
	return a, nil
}

func (r reader) apps(ctx context.Context, op, q string, args ...any) ([]directory.Application, error) {
	rows, err := r.q.Query(ctx, q, args...)
	if err != nil {
		return nil, r.fail(op, err)
	}
	defer rows.Close()
	var out []directory.Application
	for rows.Next() {
		a, err := scanApp(rows)
		if err != nil {
			return nil, r.fail(op, err)
		}
		out = append(out, a)
	}
	return out, r.fail(op, rows.Err())
}

func (r reader) Application(ctx context.Context, tenant directory.TenantID, appID string) (directory.Application, error) {
	a, err := scanApp(r.q.QueryRow(ctx, qApp, string(tenant), strings.ToLower(appID)))
	if errors.Is(err, pgx.ErrNoRows) {
		return directory.Application{}, &directory.NotFoundError{Kind: directory.KindApplication, ID: appID}
	}
	if err != nil {
		return directory.Application{}, r.fail("read application", err)
	}
	return a, nil
}

func (r reader) Applications(ctx context.Context, tenant directory.TenantID, page directory.PageRequest) (directory.Page[directory.Application], error) {
	top, limit := pageSize(page.Top)
	items, err := r.apps(ctx, "list applications", qApps, string(tenant), page.After, limit)
	if err != nil {
		return directory.Page[directory.Application]{}, err
	}
	out := directory.Page[directory.Application]{Items: items}
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
	l := make([]string, len(ids))
	for i, id := range ids {
		l[i] = string(id)
	}
	return r.apps(ctx, "read service principals", qAppsBySP, string(tenant), l)
}

func (r reader) AppOwners(ctx context.Context, tenant directory.TenantID, group directory.ObjectID) ([]directory.Application, error) {
	return r.apps(ctx, "read application owners", qAppOwners, string(group), string(tenant))
}

func (r reader) SigningKeys(ctx context.Context) ([]directory.SigningKey, error) {
	rows, err := r.q.Query(ctx, qSigningKeys)
	if err != nil {
		return nil, r.fail("read signing keys", err)
	}
	defer rows.Close()
	var out []directory.SigningKey
	for rows.Next() {
		var (
			k                directory.SigningKey
			created, retired pgtype.Timestamptz
		)
		if err := rows.Scan(&k.ID, &k.PEM, &created, &retired); err != nil {
			return nil, r.fail("read signing keys", err)
		}
		k.CreatedAt, k.RetiredAt = fromTS(created), fromTSPtr(retired)
		out = append(out, k)
	}
	return out, r.fail("read signing keys", rows.Err())
}

func (r reader) Tenants(ctx context.Context, page directory.PageRequest) (directory.Page[directory.Tenant], error) {
	top, limit := pageSize(page.Top)
	rows, err := r.q.Query(ctx, qTenants, page.After, limit)
	if err != nil {
		return directory.Page[directory.Tenant]{}, r.fail("list tenants", err)
	}
	defer rows.Close()
	var out directory.Page[directory.Tenant]
	for rows.Next() {
		var (
			t                  directory.Tenant
			created            pgtype.Timestamptz
			dName              pgtype.Text
			dDefault, dInitial pgtype.Bool
		)
		if err := rows.Scan(&t.ID, &t.DisplayName, &t.IsDefault, &created, &dName, &dDefault, &dInitial); err != nil {
			return directory.Page[directory.Tenant]{}, r.fail("list tenants", err)
		}
		if n := len(out.Items); n == 0 || out.Items[n-1].ID != t.ID {
			t.CreatedAt = fromTS(created)
			out.Items = append(out.Items, t)
		}
		if dName.Valid {
			last := &out.Items[len(out.Items)-1]
			last.Domains = append(last.Domains, directory.Domain{Name: dName.String, IsDefault: dDefault.Bool, IsInitial: dInitial.Bool})
		}
	}
	if err := rows.Err(); err != nil {
		return directory.Page[directory.Tenant]{}, r.fail("list tenants", err)
	}
	if len(out.Items) > top {
		out.Items = out.Items[:top]
		out.Next = string(out.Items[top-1].ID)
	}
	return out, nil
}

func (t *tx) InsertApplication(ctx context.Context, a directory.Application) error {
	roles, secrets, certs := appArgs(a)
	_, err := t.q.Exec(ctx, qInsertApp, string(a.ID), string(a.TenantID), strings.ToLower(a.AppID),
		string(a.ServicePrincipalID), a.DisplayName, roles, a.Enabled, secrets, certs, a.CreatedAt)
	if err != nil {
		err = t.fail("insert application", err)
		if pe := pgError(err); pe != nil && pe.Code == codeUnique {
			return &directory.ConflictError{Property: "appId", Value: a.AppID}
		}
		return err
	}
	return nil
}

func (t *tx) ReplaceApplication(ctx context.Context, a directory.Application) error {
	t.touch("app", string(a.TenantID), string(a.ID))
	roles, secrets, certs := appArgs(a)
	tag, err := t.q.Exec(ctx, qReplaceApp, string(a.ID), string(a.TenantID), a.DisplayName, roles, a.Enabled, secrets, certs)
	if err != nil {
		return t.fail("update application", err)
	}
	if tag.RowsAffected() == 0 {
		return &directory.NotFoundError{Kind: directory.KindApplication, ID: string(a.ID)}
	}
	return nil
}

func (t *tx) DeleteApplication(ctx context.Context, tenant directory.TenantID, id directory.ObjectID) error {
	t.touch("app", string(tenant), string(id))
	if _, err := t.q.Exec(ctx, qDeleteSPOwnerships, string(tenant), string(id)); err != nil {
		return t.fail("delete application ownerships", err)
	}
	tag, err := t.q.Exec(ctx, qDeleteApp, string(id), string(tenant))
	if err != nil {
		return t.fail("delete application", err)
	}
	if tag.RowsAffected() == 0 {
		return &directory.NotFoundError{Kind: directory.KindApplication, ID: string(id)}
	}
	return nil
}

func (t *tx) InsertSigningKey(ctx context.Context, k directory.SigningKey) error {
	_, err := t.q.Exec(ctx, qInsertKey, k.ID, k.PEM, k.CreatedAt)
	return t.fail("insert signing key", err)
}

func (t *tx) RetireSigningKeys(ctx context.Context, at time.Time) error {
	_, err := t.q.Exec(ctx, qRetireKeys, at)
	return t.fail("retire signing keys", err)
}

func (t *tx) DeleteSigningKeys(ctx context.Context, retiredBefore time.Time) error {
	_, err := t.q.Exec(ctx, qDeleteOldKeys, retiredBefore)
	return t.fail("delete signing keys", err)
}
