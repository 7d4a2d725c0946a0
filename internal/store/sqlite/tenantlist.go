package sqlite

import (
	"context"
	"database/sql"

	"groupd/internal/directory"
)

var _ directory.TenantLister = reader{}

// qTenants pages tenants and their domains in one query.
const qTenants = tenantSelect + `t.id IN (SELECT id FROM tenants WHERE id > ?1 ORDER BY id LIMIT ?2)
ORDER BY t.id, d.position`

func (r reader) Tenants(ctx context.Context, page directory.PageRequest) (directory.Page[directory.Tenant], error) {
	top := page.Top
	if top <= 0 {
		top = defaultTop
	}
	rows, err := r.query(ctx, qTenants, page.After, top+1)
	if err != nil {
		return directory.Page[directory.Tenant]{}, mapErr("list tenants", err)
	}
	defer rows.Close()
	var out directory.Page[directory.Tenant]
	for rows.Next() {
		var (
			t                  directory.Tenant
			created            int64
			dName              sql.NullString
			dDefault, dInitial sql.NullBool
		)
		if err := rows.Scan(&t.ID, &t.DisplayName, &t.IsDefault, &created, &dName, &dDefault, &dInitial); err != nil {
			return directory.Page[directory.Tenant]{}, mapErr("list tenants", err)
		}
		if n := len(out.Items); n == 0 || out.Items[n-1].ID != t.ID {
			t.CreatedAt = fromMicros(nullInt(created))
			out.Items = append(out.Items, t)
		}
		if dName.Valid {
			last := &out.Items[len(out.Items)-1]
			last.Domains = append(last.Domains, directory.Domain{Name: dName.String, IsDefault: dDefault.Bool, IsInitial: dInitial.Bool})
		}
	}
	if err := rows.Err(); err != nil {
		return directory.Page[directory.Tenant]{}, mapErr("list tenants", err)
	}
	if len(out.Items) > top {
		out.Items = out.Items[:top]
		out.Next = string(out.Items[top-1].ID)
	}
	return out, nil
}
