package listsql

import (
	"errors"
	"fmt"

	"groupd/internal/directory"
)

// Source is the fixed part of a list statement: what it selects, from
// where, and the columns that bind it to a tenant and, for relationships,
// to the object it hangs off (Of); Cond is a further fixed condition. A
// transitive source has a Walk instead of From (see transitiveSource).
type Source struct {
	Scope  Scope
	From   string
	Walk   string
	Tenant string
	Of     string
	Cond   string
}

const (
	memberJoin = ` LEFT JOIN users u ON m.%[2]s = 'user' AND u.id = m.%[1]s AND u.deleted_at IS NULL
LEFT JOIN groups g ON m.%[2]s = 'group' AND g.id = m.%[1]s AND g.deleted_at IS NULL`
	userJoin  = ` JOIN users u ON m.%[2]s = 'user' AND u.id = m.%[1]s AND u.deleted_at IS NULL`
	groupJoin = ` JOIN groups g ON m.%[2]s = 'group' AND g.id = m.%[1]s AND g.deleted_at IS NULL`
)

// relationSource lists the users and groups a group's relation table
// names; kind narrows to one kind (a cast) inside the join.
func relationSource(table, col, kindCol string, kind directory.ObjectKind) Source {
	s := Source{From: table + " m", Tenant: "m.tenant_id", Of: "m.group_id",
		Scope: Scope{Users: true, Groups: true, ID: "m." + col, Kind: "m." + kindCol}}
	switch kind {
	case directory.KindUser:
		s.Scope.Groups = false
		s.From += fmt.Sprintf(userJoin, col, kindCol)
	case directory.KindGroup:
		s.Scope.Users = false
		s.From += fmt.Sprintf(groupJoin, col, kindCol)
	default:
		s.From += fmt.Sprintf(memberJoin, col, kindCol)
		s.Cond = "(u.id IS NOT NULL OR g.id IS NOT NULL)"
	}
	return s
}

// SourceOf returns the source of q, or false when the list is empty by
// construction (a cast to a kind the list cannot hold).
func SourceOf(q directory.ListQuery) (Source, bool) {
	switch q.Source {
	case directory.SourceGroups:
		return Source{Scope: Scope{Groups: true, ID: "g.id"}, From: "groups g", Tenant: "g.tenant_id",
			Cond: "g.deleted_at IS NULL"}, q.Kind != directory.KindUser
	case directory.SourceUsers:
		return Source{Scope: Scope{Users: true, ID: "u.id"}, From: "users u", Tenant: "u.tenant_id",
			Cond: "u.deleted_at IS NULL"}, q.Kind != directory.KindGroup
	case directory.SourceMembers:
		return relationSource("memberships", "member_id", "member_kind", q.Kind), true
	case directory.SourceOwners:
		return relationSource("ownerships", "owner_id", "owner_kind", q.Kind), true
	case directory.SourceMemberOf:
		return Source{Scope: Scope{Groups: true, ID: "m.group_id"}, Tenant: "m.tenant_id", Of: "m.member_id",
			From: "memberships m JOIN groups g ON g.id = m.group_id AND g.deleted_at IS NULL"}, q.Kind != directory.KindUser
	case directory.SourceOwnedObjects:
		return Source{Scope: Scope{Groups: true, ID: "m.group_id"}, Tenant: "m.tenant_id", Of: "m.owner_id",
			From: "ownerships m JOIN groups g ON g.id = m.group_id AND g.deleted_at IS NULL"}, q.Kind != directory.KindUser
	case directory.SourceDirectReports:
		return Source{Scope: Scope{Users: true, ID: "u.id"}, From: "users u", Tenant: "u.tenant_id", Of: "u.manager_id",
			Cond: "u.deleted_at IS NULL"}, q.Kind != directory.KindGroup
	case directory.SourceTransitiveMemberOf, directory.SourceTransitiveMembers:
		return transitiveSource(q)
	}
	return Source{}, false
}

// where writes the condition of q (without keyset) into c.
func (s Source) where(c *compiler, q directory.ListQuery) error {
	c.w(" WHERE ", s.Tenant, " = ")
	c.arg(c.tenant)
	if s.Of != "" {
		c.w(" AND ", s.Of, " = ")
		c.arg(string(q.Of))
	}
	if s.Cond != "" {
		c.w(" AND ", s.Cond)
	}
	if q.Filter != nil {
		c.w(" AND ")
		if err := c.expr(q.Filter); err != nil {
			return err
		}
	}
	if q.Search != nil {
		c.w(" AND ")
		if err := c.expr(q.Search); err != nil {
			return err
		}
	}
	return nil
}

func (s Source) columns(d Dialect) string {
	users, groups := d.Columns()
	switch {
	case s.Scope.Users && s.Scope.Groups:
		return users + ", " + groups
	case s.Scope.Users:
		return users
	}
	return groups
}

// Count is the statement that counts the objects of q.
func Count(d Dialect, tenant directory.TenantID, q directory.ListQuery, s Source) (string, []any, error) {
	c := &compiler{d: d, sc: s.Scope, tenant: string(tenant)}
	c.w("SELECT count(*) FROM ")
	s.from(c, q)
	err := s.where(c, q)
	return c.b.String(), c.args, err
}

// Page is the statement of one page of q, at most limit rows. With
// inner set, for a deferred list, only the statement that finds the ids.
func Page(d Dialect, tenant directory.TenantID, q directory.ListQuery, s Source, limit int, inner bool) (string, []any, error) {
	c := &compiler{d: d, sc: s.Scope, tenant: string(tenant)}
	// A deferred join for lists of one table: the page's ids are found
	// and sorted first, from indexes where possible, and whole rows are
	// read for those ids only, not for every match a filter or search
	// sorts.
	deferred := d.Deferred() && s.Of == "" && s.Walk == ""
	if deferred {
		c.w("SELECT ", s.Scope.ID, " FROM ")
	} else {
		c.w("SELECT ", s.columns(d), " FROM ")
	}
	s.from(c, q)
	if err := s.where(c, q); err != nil {
		return "", nil, err
	}
	key := s.Scope.ID
	if q.OrderBy != "" {
		expr, _, err := s.Scope.column(d, q.OrderBy)
		if err != nil {
			return "", nil, err
		}
		key = expr
	}
	dir, cmp := " ASC", " > "
	if q.Desc {
		dir, cmp = " DESC", " < "
	}
	if q.Page.After != "" {
		id, k, err := directory.DecodeCursor(q.Page.After, q.OrderBy)
		if err != nil {
			return "", nil, err
		}
		if q.OrderBy == "" {
			c.w(" AND ", s.Scope.ID, cmp)
			c.arg(string(id))
		} else {
			// A row comparison, which an index on (…, key, id) serves as
			// one range.
			c.w(" AND (", key, ", ", s.Scope.ID, ")", cmp, "(")
			c.arg(d.CursorKey(k))
			c.w(", ")
			c.arg(string(id))
			c.w(")")
		}
	}
	sortKey, sortID := key, s.Scope.ID
	if s.Scope.selective(d, q.Filter) || s.Scope.selective(d, q.Search) {
		sortKey, sortID = d.Hide(key, q.OrderBy), d.Hide(sortID, "id")
	}
	if q.OrderBy != "" {
		c.w(" ORDER BY ", sortKey, dir, ", ", sortID, dir)
	} else {
		c.w(" ORDER BY ", sortID, dir)
	}
	c.w(" LIMIT ")
	c.arg(int64(limit))
	if !deferred || inner {
		return c.b.String(), c.args, nil
	}
	order := " ORDER BY " + s.Scope.ID + dir
	if q.OrderBy != "" {
		order = " ORDER BY " + key + dir + ", " + s.Scope.ID + dir
	}
	return "SELECT " + s.columns(d) + " FROM " + s.From + " WHERE " + s.Scope.ID + " IN (" + c.b.String() + ")" + order, c.args, nil
}

// CountedKind says whether q counts every visible group or user of the
// tenant, which the engines keep counters of.
func CountedKind(q directory.ListQuery) (directory.ObjectKind, bool) {
	if q.Filter != nil || q.Search != nil {
		return "", false
	}
	switch {
	case q.Source == directory.SourceGroups && q.Kind != directory.KindUser:
		return directory.KindGroup, true
	case q.Source == directory.SourceUsers && q.Kind != directory.KindGroup:
		return directory.KindUser, true
	}
	return "", false
}

// Err keeps ErrBadCursor and marks anything else the compiler refuses as
// invalid input: internal/odata validated the query against a schema the
// column tables do not fully cover.
func Err(err error) error {
	if err == nil || errors.Is(err, directory.ErrBadCursor) {
		return err
	}
	return fmt.Errorf("%w: %w", directory.ErrInvalid, err)
}
