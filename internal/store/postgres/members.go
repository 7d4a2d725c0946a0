package postgres

import (
	"context"
	"errors"
	"slices"

	"github.com/jackc/pgx/v5"

	"groupd/internal/directory"
)

func (r reader) Members(ctx context.Context, tenant directory.TenantID, group directory.ObjectID, page directory.PageRequest) (directory.Page[directory.Object], error) {
	return r.related(ctx, members, tenant, group, page)
}

func (r reader) Owners(ctx context.Context, tenant directory.TenantID, group directory.ObjectID, page directory.PageRequest) (directory.Page[directory.Object], error) {
	return r.related(ctx, owners, tenant, group, page)
}

// related lists a page of a relation. A group that is not visible answers
// *directory.NotFoundError rather than an empty page; telling the two apart
// costs a second query only when the page is empty.
func (r reader) related(ctx context.Context, rel relation, tenant directory.TenantID, group directory.ObjectID, page directory.PageRequest) (directory.Page[directory.Object], error) {
	top, limit := pageSize(page.Top)
	out, err := r.objects(ctx, "list "+rel.name, rel.list, string(group), string(tenant), page.After, limit)
	if err != nil {
		return directory.Page[directory.Object]{}, err
	}
	p := directory.Page[directory.Object]{Items: out}
	if len(p.Items) > top {
		p.Items = p.Items[:top]
		p.Next = string(p.Items[top-1].ID())
	}
	if len(p.Items) == 0 {
		if err := r.mustSee(ctx, "list "+rel.name, qGroupVisible, directory.KindGroup, group, tenant); err != nil {
			return p, err
		}
	}
	return p, nil
}

// mustSee runs a visibility query and answers *directory.NotFoundError
// when it says no.
func (r reader) mustSee(ctx context.Context, op, q string, kind directory.ObjectKind, id directory.ObjectID, tenant directory.TenantID) error {
	var ok bool
	if err := r.q.QueryRow(ctx, q, string(id), string(tenant)).Scan(&ok); err != nil {
		return r.fail(op, err)
	}
	if !ok {
		return &directory.NotFoundError{Kind: kind, ID: string(id)}
	}
	return nil
}

// objects runs a query selecting userCols then groupCols.
func (r reader) objects(ctx context.Context, op, q string, args ...any) ([]directory.Object, error) {
	rows, err := r.q.Query(ctx, q, args...)
	if err != nil {
		return nil, r.fail(op, err)
	}
	defer rows.Close()
	var out []directory.Object
	for rows.Next() {
		var row objectRow
		if err := rows.Scan(row.dest()...); err != nil {
			return nil, r.fail(op, err)
		}
		out = append(out, row.object())
	}
	return out, r.fail(op, rows.Err())
}

// MemberOf answers *directory.NotFoundError when member is not visible.
func (r reader) MemberOf(ctx context.Context, tenant directory.TenantID, member directory.ObjectID, page directory.PageRequest) (directory.Page[directory.Group], error) {
	top, limit := pageSize(page.Top)
	out, err := r.groupPage(ctx, "list memberOf", qMemberOf, string(member), string(tenant), page.After, limit)
	if err != nil {
		return out, err
	}
	if len(out.Items) > top {
		out.Items = out.Items[:top]
		out.Next = string(out.Items[top-1].ID)
	}
	if len(out.Items) == 0 {
		if err := r.mustSee(ctx, "list memberOf", qObjectVisible, directory.KindAny, member, tenant); err != nil {
			return out, err
		}
	}
	return out, nil
}

func (r reader) ExistingMembers(ctx context.Context, tenant directory.TenantID, group directory.ObjectID, list []directory.ObjectID) ([]directory.ObjectID, error) {
	return r.existing(ctx, members, tenant, group, list)
}

func (r reader) ExistingOwners(ctx context.Context, tenant directory.TenantID, group directory.ObjectID, list []directory.ObjectID) ([]directory.ObjectID, error) {
	return r.existing(ctx, owners, tenant, group, list)
}

func (r reader) existing(ctx context.Context, rel relation, tenant directory.TenantID, group directory.ObjectID, list []directory.ObjectID) ([]directory.ObjectID, error) {
	if len(list) == 0 {
		return nil, nil
	}
	op := "existing " + rel.name
	rows, err := r.q.Query(ctx, rel.existing, string(group), string(tenant), ids(list))
	if err != nil {
		return nil, r.fail(op, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[directory.ObjectID])
	return out, r.fail(op, err)
}

func (r reader) CountOwners(ctx context.Context, tenant directory.TenantID, group directory.ObjectID) (int, error) {
	r.touch("o", string(tenant), string(group))
	var n int
	err := r.q.QueryRow(ctx, owners.count, string(group), string(tenant)).Scan(&n)
	return n, r.fail("count owners", err)
}

func (r reader) Contains(ctx context.Context, tenant directory.TenantID, group, member directory.ObjectID) (bool, error) {
	// A nesting check reads paths through any group of the tenant.
	r.touch("nest", string(tenant))
	var ok bool
	err := r.q.QueryRow(ctx, qContains, string(member), string(tenant), string(group)).Scan(&ok)
	return ok, r.fail("contains", err)
}

func (r reader) Objects(ctx context.Context, tenant directory.TenantID, list []directory.ObjectID) ([]directory.Object, error) {
	if len(list) == 0 {
		return nil, nil
	}
	list = slices.Clone(list)
	slices.Sort(list)
	list = slices.Compact(list)
	return r.objects(ctx, "read objects", qObjects, ids(list), string(tenant))
}

func (t *tx) AddMembers(ctx context.Context, tenant directory.TenantID, group directory.ObjectID, refs []directory.MemberRef) error {
	return t.add(ctx, members, tenant, group, refs)
}

func (t *tx) AddOwners(ctx context.Context, tenant directory.TenantID, group directory.ObjectID, refs []directory.MemberRef) error {
	return t.add(ctx, owners, tenant, group, refs)
}

// add inserts every ref in one statement that also says which ref, if any,
// is refused (see relation.add).
func (t *tx) add(ctx context.Context, rel relation, tenant directory.TenantID, group directory.ObjectID, refs []directory.MemberRef) error {
	if len(refs) == 0 {
		return nil
	}
	t.touch("o", string(tenant), string(group))
	list := make([]string, len(refs))
	kinds := make([]string, len(refs))
	for i, r := range refs {
		list[i], kinds[i] = string(r.ID), string(r.Kind)
	}
	var id, why string
	err := t.q.QueryRow(ctx, rel.add, string(group), string(tenant), list, kinds).Scan(&id, &why)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil
	case err == nil && why == "group":
		return &directory.NotFoundError{Kind: directory.KindGroup, ID: string(group)}
	case err == nil && why == "missing":
		return &directory.NotFoundError{Kind: directory.KindAny, ID: id}
	case err == nil:
		return &directory.ReferenceExistsError{Relation: rel.name, ID: directory.ObjectID(id)}
	}
	err = t.fail("add "+rel.name, err)
	if pe := pgError(err); pe != nil && pe.Code == codeUnique {
		// A concurrent transaction added one of the refs after our snapshot;
		// the statement checked for it, so a new run reports it properly.
		t.tx.retry = true
		return err
	}
	return err
}

func (t *tx) RemoveMember(ctx context.Context, tenant directory.TenantID, group, member directory.ObjectID) (bool, error) {
	return t.remove(ctx, members, tenant, group, member)
}

func (t *tx) RemoveOwner(ctx context.Context, tenant directory.TenantID, group, owner directory.ObjectID) (bool, error) {
	return t.remove(ctx, owners, tenant, group, owner)
}

func (t *tx) remove(ctx context.Context, rel relation, tenant directory.TenantID, group, id directory.ObjectID) (bool, error) {
	t.touch("o", string(tenant), string(group))
	tag, err := t.q.Exec(ctx, rel.remove, string(group), string(id), string(tenant))
	if err != nil {
		return false, t.fail("remove from "+rel.name, err)
	}
	return tag.RowsAffected() > 0, nil
}
