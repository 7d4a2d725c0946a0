package directory

import (
	"context"
	"errors"
	"slices"
	"time"
)

// MaxProvisionMembers bounds the members one provisioning call may name.
const MaxProvisionMembers = 1000

// IdempotencyWindow is how long a provisioning result is kept for retries
// with the same key.
const IdempotencyWindow = 24 * time.Hour

// Provision is one governed provisioning call (GT365's ProvisionGroup):
// a Microsoft 365 group with owners and members, and its team if asked.
// Owners and members are named by userPrincipalName or object id.
type Provision struct {
	DisplayName    string
	MailNickname   string
	Description    *string
	Visibility     string
	Classification *string
	Owners         []string
	Members        []string
	CreateTeam     bool
	// IdempotencyKey, when set, makes a retry return the first call's
	// Response; Fingerprint identifies the request the key was used for.
	IdempotencyKey string
	Fingerprint    string
}

// Provisioned is the outcome of a provisioning call.
type Provisioned struct {
	Group Group
	Team  *Team
	// Response is what render made of the first call with this key;
	// Replayed says this call returned it without creating anything.
	Response []byte
	Replayed bool
}

// UnknownPrincipalError says a provisioning call names an owner or member
// that is no user of the tenant.
type UnknownPrincipalError struct {
	Relation string // "owners" or "members"
	Value    string // as the caller gave it
}

func (e *UnknownPrincipalError) Error() string {
	return e.Relation + ": no user " + e.Value
}
func (e *UnknownPrincipalError) Is(target error) bool { return target == ErrNotFound }

// IdempotencyMismatchError says an idempotency key was used before for a
// different request.
type IdempotencyMismatchError struct{ Key string }

func (e *IdempotencyMismatchError) Error() string {
	return "idempotency key " + e.Key + " was used for another request"
}
func (e *IdempotencyMismatchError) Is(target error) bool { return target == ErrConflict }

// ProvisionGroup creates the group, its owners (who are also members), its
// members, its team when asked and the change log rows in ONE transaction:
// any failure leaves nothing behind. The tenant's Group.Unified policy
// applies as to every Microsoft 365 group. render turns the result into the
// response the dialect answers with; with an idempotency key that response
// is stored in the same transaction, and a later call with the key returns
// it (or, when the request differs, *IdempotencyMismatchError).
func (s *Service) ProvisionGroup(ctx context.Context, tenant TenantID, p Provision, render func(Group, *Team) ([]byte, error)) (Provisioned, error) {
	principal := CallerFrom(ctx).Actor.ID
	if p.IdempotencyKey != "" {
		if out, ok, err := s.replay(ctx, s.store, tenant, principal, p); ok || err != nil {
			return out, err
		}
	}
	if len(p.Owners) == 0 {
		return Provisioned{}, &ValidationError{Property: "ownerUPNs", Reason: ReasonRequired,
			Detail: "at least one owner is required"}
	}
	if len(p.Owners) > MaxOwners {
		return Provisioned{}, &LimitError{What: "ownerUPNs", Limit: MaxOwners}
	}
	if len(p.Members) > MaxProvisionMembers {
		return Provisioned{}, &LimitError{What: "memberUPNs", Limit: MaxProvisionMembers}
	}
	t, err := s.store.Tenant(ctx, tenant)
	if err != nil {
		return Provisioned{}, err
	}
	f := GroupFields{DisplayName: &p.DisplayName, MailNickname: &p.MailNickname, Description: p.Description,
		MailEnabled: ptr(true), SecurityEnabled: ptr(false), GroupTypes: &[]string{GroupTypeUnified},
		Visibility: &p.Visibility, Classification: p.Classification}
	g, err := s.newGroup(tenant, f)
	if err != nil {
		return Provisioned{}, err
	}
	// Names are resolved before the write transaction, on the shared
	// readers, so that the single writer does not wait for them; inside
	// it the store checks again that every user is still visible
	// (RelateNewGroup), so a user deleted meanwhile fails the whole call.
	pr, err := s.resolvePrincipals(ctx, tenant, p.Owners, p.Members, s.userRemovals(ctx))
	if err != nil {
		return Provisioned{}, err
	}
	var out Provisioned
	counts := removalCounts{visibleAt: pr.visibleAt, checked: -1}
	err = s.update(ctx, tenant, func(tx Tx, log *changeLog) error {
		out = Provisioned{Group: g}
		c := GroupCreate{Owners: pr.owners, Members: union(pr.owners, pr.members), resolved: true, removals: &counts, guests: pr.guests}
		if err := s.insertGroupTx(ctx, tx, log, t, &out.Group, f, c); err != nil {
			return err
		}
		if p.CreateTeam {
			// The owners were just added: the group needs no recount.
			team, err := s.createTeamTx(ctx, tx, log, out.Group, nil, true)
			if err != nil {
				return err
			}
			out.Team = &team
		}
		if out.Response, err = render(out.Group, out.Team); err != nil {
			return err
		}
		if p.IdempotencyKey == "" {
			return nil
		}
		return tx.PutIdempotencyRecord(ctx, IdempotencyRecord{TenantID: tenant, Principal: principal,
			Key: p.IdempotencyKey, Fingerprint: p.Fingerprint, GroupID: out.Group.ID,
			Response: out.Response, CreatedAt: log.at})
	})
	if err != nil && p.IdempotencyKey != "" && errors.Is(err, ErrConflict) {
		// A concurrent call with the same key won the race: answer as
		// its retry.
		if r, ok, rerr := s.replay(ctx, s.store, tenant, principal, p); ok || rerr != nil {
			return r, rerr
		}
	}
	var nf *NotFoundError
	if errors.As(err, &nf) && pr.given[ObjectID(nf.ID)] != "" {
		rel := "members"
		if slices.ContainsFunc(pr.owners, func(r MemberRef) bool { return string(r.ID) == nf.ID }) {
			rel = "owners"
		}
		return Provisioned{}, &UnknownPrincipalError{Relation: rel, Value: pr.given[ObjectID(nf.ID)]}
	}
	if err != nil {
		return Provisioned{}, err
	}
	if counts.checked > counts.visibleAt {
		s.seenVisible(ctx, tenant, pr.given, counts.checked)
	}
	return out, nil
}

// seenVisible raises the removal count of the names given (by id) that
// the name cache holds: the write transaction found them visible at at.
func (s *Service) seenVisible(ctx context.Context, tenant TenantID, given map[ObjectID]string, at int64) {
	c := s.objects(ctx, tenant)
	if c == nil {
		return
	}
	keys := make(map[string]ObjectID, len(given))
	for id, k := range given {
		if _, isID := ParseObjectID(k); !isID {
			keys[foldKey(k)] = id
		}
	}
	c.seenVisible(tenant, keys, at)
}

// replay returns the stored result of p's idempotency key, if one is
// within the window.
func (s *Service) replay(ctx context.Context, r Reader, tenant TenantID, principal string, p Provision) (Provisioned, bool, error) {
	rec, err := r.IdempotencyRecord(ctx, tenant, principal, p.IdempotencyKey)
	if errors.Is(err, ErrNotFound) {
		return Provisioned{}, false, nil
	}
	if err != nil {
		return Provisioned{}, false, err
	}
	if s.clock().Sub(rec.CreatedAt) > IdempotencyWindow {
		return Provisioned{}, false, nil
	}
	if rec.Fingerprint != p.Fingerprint {
		return Provisioned{}, false, &IdempotencyMismatchError{Key: p.IdempotencyKey}
	}
	return Provisioned{Group: Group{ID: rec.GroupID, TenantID: tenant}, Response: rec.Response, Replayed: true}, true, nil
}

// principals are a provisioning call's owners and members, resolved.
type principals struct {
	owners, members []MemberRef
	given           map[ObjectID]string // the name each id was given by
	guests          map[ObjectID]bool   // the guest users among them
	// visibleAt is the user removal count at which all were known
	// visible.
	visibleAt int64
}

// resolvePrincipals finds the users named by userPrincipalName or object
// id as owners and as members, in one round trip for all the names and one
// for all the ids, if any. Names given twice in a list count once; an
// unknown owner is reported before an unknown member. mark is the user
// removal count read before it was called (-1: none).
func (s *Service) resolvePrincipals(ctx context.Context, tenant TenantID, owners, members []string, mark int64) (principals, error) {
	pr := principals{given: map[ObjectID]string{}, guests: map[ObjectID]bool{}, visibleAt: mark}
	var upns []string
	var ids []ObjectID
	for _, k := range slices.Concat(owners, members) {
		if id, ok := ParseObjectID(k); ok {
			ids = append(ids, id)
		} else {
			upns = append(upns, k)
		}
	}
	found := make(map[string]ObjectID, len(owners)+len(members))
	if len(upns) > 0 {
		users, at, err := s.userIDsByUPN(ctx, tenant, upns, mark)
		if err != nil {
			return principals{}, err
		}
		pr.visibleAt = at
		for _, u := range users {
			found[foldKey(u.UserPrincipalName)] = u.ID
			if u.Guest {
				pr.guests[u.ID] = true
			}
		}
	}
	if len(ids) > 0 {
		objs, err := s.store.Objects(ctx, tenant, ids)
		if err != nil {
			return principals{}, err
		}
		for _, o := range objs {
			if o.User != nil {
				found[string(o.User.ID)] = o.User.ID
				if o.User.IsGuest() {
					pr.guests[o.User.ID] = true
				}
			}
		}
	}
	refs := func(relation string, keys []string) ([]MemberRef, error) {
		out := make([]MemberRef, 0, len(keys))
		seen := make(map[ObjectID]bool, len(keys))
		for _, k := range keys {
			key := foldKey(k)
			if id, ok := ParseObjectID(k); ok {
				key = string(id)
			}
			id, ok := found[key]
			if !ok {
				return nil, &UnknownPrincipalError{Relation: relation, Value: k}
			}
			if !seen[id] {
				seen[id] = true
				pr.given[id] = k
				out = append(out, MemberRef{ID: id, Kind: KindUser})
			}
		}
		return out, nil
	}
	var err error
	if pr.owners, err = refs("owners", owners); err != nil {
		return principals{}, err
	}
	if pr.members, err = refs("members", members); err != nil {
		return principals{}, err
	}
	return pr, nil
}

// union returns a followed by the refs of b not in a.
func union(a, b []MemberRef) []MemberRef {
	out := append([]MemberRef{}, a...)
	seen := map[ObjectID]bool{}
	for _, r := range a {
		seen[r.ID] = true
	}
	for _, r := range b {
		if !seen[r.ID] {
			seen[r.ID] = true
			out = append(out, r)
		}
	}
	return out
}

// relateUsersTx relates resolved users to a group created in the same
// transaction: users break no nesting rule and a new group has no
// relations yet, so only the owner limit needs checking. The calling
// application, when it must own what it creates, is made an owner in the
// same store call: on its own (ownCreated) its insert would read the
// index pages where concurrent calls add their groups' owners, and on
// PostgreSQL every such pair of calls would then fail one of them.
func relateUsersTx(ctx context.Context, tx Tx, log *changeLog, g Group, c GroupCreate) error {
	owners, members := c.Owners, c.Members
	app, appOwner := creatorOwner(ctx)
	n := len(owners)
	if appOwner {
		n++
	}
	if n > MaxOwners {
		return &LimitError{What: "owners", Limit: MaxOwners}
	}
	if err := relateNewGroup(ctx, tx, g, app.ID, owners, members, c.removals); err != nil {
		return err
	}
	// One allocation for the rows instead of a copy at every doubling: a
	// call relates a hundred users.
	log.rows = slices.Grow(log.rows, n+len(members))
	if appOwner {
		log.relate(g.ID, OpOwnerAdded, app)
	}
	for _, r := range owners {
		log.relate(g.ID, OpOwnerAdded, r)
	}
	for _, r := range members {
		log.relate(g.ID, OpMemberAdded, r)
	}
	return nil
}

func refIDs(refs []MemberRef) []ObjectID {
	out := make([]ObjectID, len(refs))
	for i, r := range refs {
		out[i] = r.ID
	}
	return out
}
