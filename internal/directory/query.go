package directory

import (
	"context"
	"fmt"
	"strconv"
	"unicode/utf8"

	"groupd/internal/odata"
)

// Source names the list a ListQuery reads.
type Source uint8

// Sources. Members and owners are of the group ListQuery.Of; memberOf lists
// the groups ListQuery.Of is a direct member of, ownedObjects those it
// owns, directReports the users whose manager it is. The transitive sources follow nesting through visible groups: the
// groups ListQuery.Of is in, and the users and groups under the group
// ListQuery.Of.
const (
	SourceGroups Source = iota + 1
	SourceUsers
	SourceMembers
	SourceOwners
	SourceMemberOf
	SourceTransitiveMemberOf
	SourceTransitiveMembers
	SourceOwnedObjects
	SourceDirectReports
)

// ListQuery is one question about a list, answered by the store in one
// statement: which objects (Filter and Search, both validated against the
// schema of the listed type by internal/odata, and Kind), in which order
// (OrderBy, then id), from where (Page.After, a cursor from an earlier
// page of the same query), and which relationship to load for the page.
type ListQuery struct {
	Source Source
	Of     ObjectID // the group (members, owners) or member (memberOf)
	// Kind narrows a list of users and groups to one kind (a cast such as
	// /members/microsoft.graph.user), inside the store query, so pages stay
	// full. KindAny keeps both.
	Kind   ObjectKind
	Filter odata.Expr
	Search odata.Expr
	// OrderBy is "" (by id), "displayName", "createdDateTime" or
	// "userPrincipalName"; ties are broken by id in the same direction.
	OrderBy string
	Desc    bool
	Page    PageRequest
	// Expand loads SourceMembers, SourceOwners, SourceMemberOf or
	// SourceDirectReports of every
	// item of the page, at most ExpandLimit each (all when 0), ordered by
	// id; 0 loads nothing.
	Expand      Source
	ExpandLimit int
}

// ListPage is a page of a ListQuery. Expanded holds the related objects of
// each item when the query asked for an expansion (an item without any has
// no entry). Items may point at values the Service's read cache shares
// with other requests (transitive pages answered from memory): callers
// read them and copy one before changing it.
type ListPage struct {
	Items    []Object
	Next     string
	Expanded map[ObjectID][]Object
}

// Querier runs list queries; it is part of Reader.
type Querier interface {
	// List returns one page. Strings compare case-insensitively and '' is
	// null, as odata documents; sorting on displayName is case-insensitive.
	// A cursor that this query did not produce fails with ErrBadCursor.
	// The visibility of Of is the caller's concern: an invisible or
	// unknown Of lists nothing.
	List(ctx context.Context, tenant TenantID, q ListQuery) (ListPage, error)
	// Count counts the objects List would return over all pages; Page,
	// OrderBy and Expand are ignored.
	Count(ctx context.Context, tenant TenantID, q ListQuery) (int, error)
}

// ErrBadCursor says a page cursor is malformed or belongs to another query.
var ErrBadCursor = fmt.Errorf("%w: bad page cursor", ErrInvalid)

// SortKey is what o sorts by under orderBy, as the store's key columns hold
// it: the folded string for string properties, unix microseconds for
// createdDateTime, nil for the default order by id.
func SortKey(o Object, orderBy string) any {
	switch orderBy {
	case "displayName":
		if o.User != nil {
			return foldKey(o.User.DisplayName)
		}
		return foldKey(o.Group.DisplayName)
	case "userPrincipalName":
		if o.User != nil {
			return foldKey(o.User.UserPrincipalName)
		}
		return ""
	case "createdDateTime":
		if o.User != nil {
			return o.User.CreatedAt.UnixMicro()
		}
		return o.Group.CreatedAt.UnixMicro()
	}
	return nil
}

// idLen is the length of an object id in canonical form.
const idLen = 36

// EncodeCursor is the cursor after o under orderBy: its id, then its sort
// key. Engines share it so that a cursor means the same on each.
func EncodeCursor(o Object, orderBy string) string {
	switch k := SortKey(o, orderBy).(type) {
	case string:
		return string(o.ID()) + k
	case int64:
		return string(o.ID()) + strconv.FormatInt(k, 10)
	}
	return string(o.ID())
}

// DecodeCursor reads a cursor of EncodeCursor; key is nil for the default
// order. Anything else is ErrBadCursor, never a panic.
func DecodeCursor(c, orderBy string) (id ObjectID, key any, err error) {
	if len(c) < idLen {
		return "", nil, ErrBadCursor
	}
	id, ok := ParseObjectID(c[:idLen])
	if !ok || string(id) != c[:idLen] {
		return "", nil, ErrBadCursor
	}
	rest := c[idLen:]
	switch orderBy {
	case "":
		if rest != "" {
			return "", nil, ErrBadCursor
		}
		return id, nil, nil
	case "createdDateTime":
		n, err := strconv.ParseInt(rest, 10, 64)
		if err != nil {
			return "", nil, ErrBadCursor
		}
		return id, n, nil
	case "displayName", "userPrincipalName":
		if !utf8.ValidString(rest) || foldKey(rest) != rest {
			return "", nil, ErrBadCursor
		}
		return id, rest, nil
	}
	return "", nil, ErrBadCursor
}

// List runs a list query. For members and owners the group must be
// visible, for memberOf the object (of kind ofKind, KindAny for either);
// otherwise *NotFoundError.
func (s *Service) List(ctx context.Context, tenant TenantID, q ListQuery, ofKind ObjectKind) (ListPage, error) {
	ctx, err := s.checkIndexed(ctx, tenant, q)
	if err != nil {
		return ListPage{}, err
	}
	qs, err := s.querier(ctx, tenant, &q, ofKind)
	if err != nil {
		return ListPage{}, err
	}
	if s.fromIndex(ctx, tenant, q) {
		if page, ok, err := s.transitivePage(ctx, tenant, q); ok || err != nil {
			return page, err
		}
	}
	page, err := qs.List(ctx, tenant, q)
	// Applications that own the group (Group.Create) end its plain owners
	// list; a filtered, searched or cast list names users and groups only.
	if err == nil && q.Source == SourceOwners && q.Filter == nil && q.Search == nil && q.Kind == KindAny {
		var p Page[Object]
		p, err = s.withAppOwners(ctx, tenant, q.Of, Page[Object]{Items: page.Items, Next: page.Next})
		page.Items = p.Items
	}
	return page, err
}

// Count counts what List would return over all pages.
func (s *Service) Count(ctx context.Context, tenant TenantID, q ListQuery, ofKind ObjectKind) (int, error) {
	ctx, err := s.checkIndexed(ctx, tenant, q)
	if err != nil {
		return 0, err
	}
	qs, err := s.querier(ctx, tenant, &q, ofKind)
	if err != nil {
		return 0, err
	}
	if s.fromIndex(ctx, tenant, q) {
		if e, ok, err := s.indexedGroups(ctx, tenant, q); ok || err != nil {
			if err != nil {
				return 0, err
			}
			return len(e.ids), nil
		}
	}
	return qs.Count(ctx, tenant, q)
}

// querier checks that the object a relationship list hangs off is visible
// and resolves q.Of to its id.
func (s *Service) querier(ctx context.Context, tenant TenantID, q *ListQuery, ofKind ObjectKind) (Querier, error) {
	var qs Querier = s.store
	switch q.Source {
	case SourceMembers, SourceOwners, SourceTransitiveMembers:
		g, err := s.Group(ctx, tenant, string(q.Of))
		if err != nil {
			return nil, err
		}
		q.Of = g.ID
	case SourceMemberOf, SourceTransitiveMemberOf, SourceOwnedObjects, SourceDirectReports:
		var o Object
		var err error
		if ofKind == KindUser {
			var u User
			if u, err = s.User(ctx, tenant, string(q.Of)); err == nil {
				o = Object{User: &u}
			}
		} else {
			o, err = s.DirectoryObject(ctx, tenant, string(q.Of))
		}
		if err != nil {
			return nil, err
		}
		if ofKind != KindAny && o.Kind() != ofKind {
			return nil, &NotFoundError{Kind: ofKind, ID: string(q.Of)}
		}
		q.Of = o.ID()
	}
	return qs, nil
}
