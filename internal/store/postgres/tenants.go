package postgres

import (
	"context"

	"github.com/jackc/pgx/v5/pgtype"

	"groupd/internal/directory"
)

// tenantSelect returns the tenant with one row per domain in one round trip.
const tenantSelect = `SELECT t.id, t.display_name, t.is_default, t.created_at,
	d.name, d.is_default, d.is_initial
FROM tenants t LEFT JOIN domains d ON d.tenant_id = t.id
WHERE `

const (
	qTenant         = tenantSelect + `t.id = $1 ORDER BY d.position`
	qTenantByDomain = tenantSelect + `t.id = (SELECT tenant_id FROM domains WHERE name_key = $1) ORDER BY d.position`
	qDefaultTenant  = tenantSelect + `t.is_default ORDER BY d.position`
	qInsertTenant   = `INSERT INTO tenants (id, display_name, is_default, created_at) VALUES ($1, $2, $3, $4)`
	qInsertDomain   = `INSERT INTO domains (name_key, tenant_id, name, position, is_default, is_initial)
VALUES ($1, $2, $3, $4, $5, $6)`
)

func (r reader) Tenant(ctx context.Context, id directory.TenantID) (directory.Tenant, error) {
	return r.tenant(ctx, string(id), qTenant, string(id))
}

func (r reader) TenantByDomain(ctx context.Context, domain string) (directory.Tenant, error) {
	return r.tenant(ctx, domain, qTenantByDomain, fold(domain))
}

func (r reader) DefaultTenant(ctx context.Context) (directory.Tenant, error) {
	return r.tenant(ctx, "default", qDefaultTenant)
}

func (r reader) tenant(ctx context.Context, name, q string, args ...any) (directory.Tenant, error) {
	rows, err := r.q.Query(ctx, q, args...)
	if err != nil {
		return directory.Tenant{}, r.fail("read tenant", err)
	}
	defer rows.Close()
	var t directory.Tenant
	found := false
	for rows.Next() {
		var (
			created            pgtype.Timestamptz
			dName              pgtype.Text
			dDefault, dInitial pgtype.Bool
		)
		if err := rows.Scan(&t.ID, &t.DisplayName, &t.IsDefault, &created, &dName, &dDefault, &dInitial); err != nil {
			return directory.Tenant{}, r.fail("read tenant", err)
		}
		found = true
		t.CreatedAt = fromTS(created)
		if dName.Valid {
			t.Domains = append(t.Domains, directory.Domain{Name: dName.String, IsDefault: dDefault.Bool, IsInitial: dInitial.Bool})
		}
	}
	if err := rows.Err(); err != nil {
		return directory.Tenant{}, r.fail("read tenant", err)
	}
	if !found {
		return directory.Tenant{}, &directory.NotFoundError{Kind: "tenant", ID: name}
	}
	return t, nil
}

// InsertTenant writes the tenant and then each domain, so that a taken
// domain is named in the conflict; tenants are created rarely.
func (t *tx) InsertTenant(ctx context.Context, tn directory.Tenant) error {
	values := map[string]string{"id": string(tn.ID), "isDefault": "true"}
	if _, err := t.q.Exec(ctx, qInsertTenant, string(tn.ID), tn.DisplayName, tn.IsDefault, tn.CreatedAt); err != nil {
		err = t.fail("insert tenant", err)
		if c := conflict(err, values); c != nil {
			return c
		}
		return err
	}
	for i, d := range tn.Domains {
		_, err := t.q.Exec(ctx, qInsertDomain, fold(d.Name), string(tn.ID), d.Name, i, d.IsDefault, d.IsInitial)
		if err != nil {
			err = t.fail("insert domain", err)
			if c := conflict(err, map[string]string{"domain": d.Name}); c != nil {
				return c
			}
			return err
		}
	}
	return nil
}
