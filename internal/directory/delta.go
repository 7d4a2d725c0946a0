package directory

import (
	"context"
	"slices"
)

// SelectManager is the navigation property a users delta may select to
// track managers, as Graph's manager@delta.
const SelectManager = "manager"

// DeltaRequest asks for one page of a delta query over users or groups.
type DeltaRequest struct {
	Kind ObjectKind
	// Token continues a query ($skiptoken or $deltatoken); empty starts a
	// full pass. Latest ($deltatoken=latest) skips the pass and answers
	// only a token at the current position.
	Token  string
	Latest bool
	// Select and IDs shape a new query; a token carries its own.
	Select []string
	IDs    []ObjectID
	// Top bounds the objects of a full-pass page and the change log rows
	// one page reads.
	Top int
}

// DeltaPage is one page of a delta query. Exactly one of Next (more pages
// follow: a nextLink) and Delta (caught up: a deltaLink) is set.
type DeltaPage struct {
	Items  []DeltaItem
	Select []string
	Next   string
	Delta  string
}

// DeltaItem is an object that changed, in its current state, or its
// removal.
type DeltaItem struct {
	ID     ObjectID
	Object Object // zero when Removed is set
	// Removed is "changed" for an object deleted but restorable, "deleted"
	// for one gone for good, "" otherwise.
	Removed string
	// Members is the group's membership changes (all members during the
	// full pass); nil when it has none to report.
	Members []MemberDelta
	// Manager is the user's manager changes when the query selects
	// "manager": its manager during the full pass, and after a change the
	// current one and the former ones removed; nil when it has none to
	// report.
	Manager []MemberDelta
}

// MemberDelta is a member added to or removed from a group.
type MemberDelta struct {
	Ref     MemberRef
	Removed bool
}

// Reasons of a removal, as Microsoft Graph names them.
const (
	RemovedChanged = "changed"
	RemovedDeleted = "deleted"
)

const (
	defaultDeltaTop = 200
	maxDeltaTop     = 1000
	// maxEmptyReads bounds how many pages of the log one call reads while
	// they hold only rows of other kinds.
	maxEmptyReads = 8
)

// Delta answers one page of a delta query. A first call (no token) records
// the change log position, lists every object in pages, and then replays
// the changes made since that position, so that the pass ends consistent
// however the directory changed meanwhile. Later pages read the tenant's
// change log from the token's position: every row is read by exactly one
// page, and each object it names appears once per page in its current
// state. A token from another tenant or resource, or altered, fails with
// *InvalidTokenError; one older than the retained log with *ResyncError.
func (s *Service) Delta(ctx context.Context, tenant TenantID, req DeltaRequest) (DeltaPage, error) {
	if req.Kind != KindUser && req.Kind != KindGroup {
		return DeltaPage{}, &ValidationError{Property: "type", Reason: ReasonInvalidValue}
	}
	top := req.Top
	if top <= 0 {
		top = defaultDeltaTop
	}
	top = min(top, maxDeltaTop)
	var st deltaState
	switch {
	case req.Token != "":
		var err error
		if st, err = s.decodeToken(ctx, tenant, req.Kind, req.Token); err != nil {
			return DeltaPage{}, err
		}
	default:
		pos, err := s.store.ChangePosition(ctx)
		if err != nil {
			return DeltaPage{}, err
		}
		st = deltaState{Tenant: tenant, Kind: req.Kind, Cursor: pos, Pass: !req.Latest,
			Select: req.Select, IDs: req.IDs}
		if req.Latest {
			tok, err := s.encodeToken(ctx, st)
			return DeltaPage{Select: st.Select, Delta: tok}, err
		}
	}
	var page DeltaPage
	var err error
	if st.Pass {
		page, err = s.deltaPass(ctx, &st, top)
	} else {
		page, err = s.deltaChanges(ctx, &st, top)
	}
	if err != nil {
		return DeltaPage{}, err
	}
	page.Select = st.Select
	tok, err := s.encodeToken(ctx, st)
	if err != nil {
		return DeltaPage{}, err
	}
	if page.Next != "" || st.Pass {
		page.Next = tok
	} else {
		page.Delta = tok
	}
	return page, nil
}

// deltaPass lists the next page of objects of the full pass and advances
// st; once the objects are exhausted, st turns to replaying the log.
func (s *Service) deltaPass(ctx context.Context, st *deltaState, top int) (DeltaPage, error) {
	var page DeltaPage
	if len(st.IDs) > 0 {
		objs, err := s.store.Objects(ctx, st.Tenant, st.IDs)
		if err != nil {
			return page, err
		}
		slices.SortFunc(objs, func(a, b Object) int { return compareIDs(a.ID(), b.ID()) })
		for _, o := range objs {
			if o.Kind() != st.Kind {
				continue
			}
			if o.Group != nil {
				g := *o.Group
				if g.Members, err = s.allMembers(ctx, st.Tenant, g.ID, 0); err != nil {
					return page, err
				}
				o = Object{Group: &g}
			}
			page.Items = append(page.Items, passItem(o))
		}
		if err := s.passManagers(ctx, st, page.Items); err != nil {
			return page, err
		}
		st.Pass, st.After = false, ""
		page.Next = "more"
		return page, nil
	}
	next := ""
	if st.Kind == KindUser {
		users, err := s.store.Users(ctx, st.Tenant, PageRequest{Top: top, After: string(st.After)})
		if err != nil {
			return page, err
		}
		for i := range users.Items {
			page.Items = append(page.Items, passItem(Object{User: &users.Items[i]}))
		}
		if err := s.passManagers(ctx, st, page.Items); err != nil {
			return page, err
		}
		next = users.Next
	} else {
		groups, err := s.store.Groups(ctx, st.Tenant, GroupListRequest{
			Page: PageRequest{Top: top, After: string(st.After)}, Expand: true})
		if err != nil {
			return page, err
		}
		for i := range groups.Items {
			page.Items = append(page.Items, passItem(Object{Group: &groups.Items[i]}))
		}
		next = groups.Next
	}
	if next == "" {
		st.Pass, st.After = false, ""
	} else {
		st.After = ObjectID(next)
	}
	page.Next = "more"
	return page, nil
}

func compareIDs(a, b ObjectID) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func passItem(o Object) DeltaItem {
	it := DeltaItem{ID: o.ID(), Object: o}
	if o.Group != nil {
		it.Members = []MemberDelta{}
		for _, m := range o.Group.Members {
			it.Members = append(it.Members, MemberDelta{Ref: MemberRef{ID: m.ID(), Kind: m.Kind()}})
		}
		o.Group.Members = nil
	}
	return it
}

// touched is what one page of the log says about one object.
type touched struct {
	id       ObjectID
	removal  string // the removal reason of its last lifecycle row here
	members  []MemberRef
	memberOf map[ObjectID]bool
	// manager: a row here changed the user's manager (or restored the
	// user); formers are the managers those rows replaced.
	manager bool
	formers []ObjectID
}

// deltaChanges reads the log after st.Cursor and advances it.
func (s *Service) deltaChanges(ctx context.Context, st *deltaState, top int) (DeltaPage, error) {
	var page DeltaPage
	for range maxEmptyReads {
		rows, err := s.store.TenantChanges(ctx, st.Tenant, st.Cursor, top)
		if err != nil {
			return page, err
		}
		// Read after the rows: a trim that removed some of them has raised
		// the horizon by now.
		horizon, err := s.store.ChangeHorizon(ctx)
		if err != nil {
			return page, err
		}
		if st.Cursor < horizon {
			return page, &ResyncError{Cursor: st.Cursor, Horizon: horizon}
		}
		if len(rows) == 0 {
			return page, nil
		}
		st.Cursor = rows[len(rows)-1].Cursor
		if page.Items, err = s.deltaItems(ctx, st, rows); err != nil {
			return page, err
		}
		if len(rows) < top {
			return page, nil
		}
		page.Next = "more"
		if len(page.Items) > 0 {
			return page, nil
		}
	}
	return page, nil
}

// deltaItems turns a page of log rows into the objects they name, in the
// order of their first row, each in its current state.
func (s *Service) deltaItems(ctx context.Context, st *deltaState, rows []Change) ([]DeltaItem, error) {
	var order []*touched
	byID := map[ObjectID]*touched{}
	for _, r := range rows {
		if r.ObjectKind != st.Kind || (len(st.IDs) > 0 && !slices.Contains(st.IDs, r.ObjectID)) {
			continue
		}
		t := byID[r.ObjectID]
		if t == nil {
			t = &touched{id: r.ObjectID, memberOf: map[ObjectID]bool{}}
			byID[r.ObjectID] = t
			order = append(order, t)
		}
		switch r.Op {
		case OpDeleted:
			t.removal = RemovedChanged
		case OpHardDeleted, OpPurged:
			t.removal = RemovedDeleted
		case OpCreated, OpRestored:
			t.removal = ""
			t.manager = t.manager || r.Op == OpRestored
		case OpUpdated:
			if slices.Contains(r.Properties, SelectManager) {
				t.manager = true
				// The row names the manager it replaced (changeManager).
				if r.RelatedID != "" && !slices.Contains(t.formers, r.RelatedID) {
					t.formers = append(t.formers, r.RelatedID)
				}
			}
		case OpMemberAdded, OpMemberRemoved:
			if !t.memberOf[r.RelatedID] {
				t.memberOf[r.RelatedID] = true
				t.members = append(t.members, MemberRef{ID: r.RelatedID, Kind: r.RelatedKind})
			}
		}
	}
	if len(order) == 0 {
		return nil, nil
	}
	ids := make([]ObjectID, len(order))
	for i, t := range order {
		ids[i] = t.id
	}
	objs, err := s.store.Objects(ctx, st.Tenant, ids)
	if err != nil {
		return nil, err
	}
	current := make(map[ObjectID]Object, len(objs))
	for _, o := range objs {
		if o.Kind() == st.Kind {
			current[o.ID()] = o
		}
	}
	now, err := s.currentMembers(ctx, st.Tenant, order, current)
	if err != nil {
		return nil, err
	}
	managers, err := s.visibleManagers(ctx, st, order, current)
	if err != nil {
		return nil, err
	}
	var out []DeltaItem
	for _, t := range order {
		o, ok := current[t.id]
		if !ok {
			// Gone now: report it if this page holds its removal; if not,
			// a later page does, and reporting it here too would repeat it.
			if t.removal != "" {
				out = append(out, DeltaItem{ID: t.id, Removed: t.removal})
			}
			continue
		}
		it := DeltaItem{ID: t.id, Object: o}
		for _, m := range t.members {
			// Added or removed by whether it is a member now, so that a
			// copy ends where the directory is even when an add and a
			// remove fall into one page.
			it.Members = append(it.Members, MemberDelta{Ref: m, Removed: !now[Relation{Group: t.id, Related: m}]})
		}
		if t.manager && managers != nil {
			it.Manager = managerDeltas(o.User, t.formers, managers)
		}
		out = append(out, it)
	}
	return out, nil
}

// currentMembers asks in one round trip which member rows of the page's
// visible groups are memberships now.
func (s *Service) currentMembers(ctx context.Context, tenant TenantID, order []*touched, visible map[ObjectID]Object) (map[Relation]bool, error) {
	var pairs []Relation
	for _, t := range order {
		if _, ok := visible[t.id]; ok {
			for _, m := range t.members {
				pairs = append(pairs, Relation{Group: t.id, Related: m})
			}
		}
	}
	rels, err := s.store.ExistingMemberships(ctx, tenant, pairs)
	if err != nil {
		return nil, err
	}
	now := make(map[Relation]bool, len(rels))
	for _, r := range rels {
		now[r] = true
	}
	return now, nil
}
