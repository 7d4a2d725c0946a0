package listsql

import (
	"fmt"

	"groupd/internal/directory"
)

// Transitive membership walks memberships with recursive queries (see
// internal/directory/transitive.go for why there is no closure table).
// UNION drops rows already seen, so a cycle (which the domain refuses, but
// an older database may hold) ends the walk. Only visible groups enter a
// walk, so a deleted group cuts the paths through it.

// UpWalk is the ids of the visible groups the object whose placeholder is
// %[1]s is in, through any nesting. The step joins memberships by
// member_id, the leading column of memberships_member.
const UpWalk = `WITH RECURSIVE up(id) AS (
	SELECT m.group_id FROM memberships m
	JOIN groups x ON x.id = m.group_id AND x.deleted_at IS NULL
	WHERE m.member_id = %[1]s
	UNION
	SELECT m.group_id FROM up
	JOIN memberships m ON m.member_id = up.id
	JOIN groups x ON x.id = m.group_id AND x.deleted_at IS NULL
)`

// DownWalk is the ids and kinds of everything under the group whose
// placeholder is %[1]s, through visible nested groups; the step joins
// memberships by group_id, the leading column of the primary key.
const DownWalk = `WITH RECURSIVE down(id, kind) AS (
	SELECT m.member_id, m.member_kind FROM memberships m WHERE m.group_id = %[1]s
	UNION
	SELECT m.member_id, m.member_kind FROM down
	JOIN groups x ON down.kind = 'group' AND x.id = down.id AND x.deleted_at IS NULL
	JOIN memberships m ON m.group_id = down.id
)`

// upGroups stands in Walk for the dialect's UpGroups.
const upGroups = "up groups"

// transitiveSource is the list source of the transitive relationships.
// The walk names the object the list hangs off inside FROM, so Walk holds
// the FROM text with %[1]s where its placeholder goes; the upward walk is
// the dialect's (Dialect.UpGroups).
func transitiveSource(q directory.ListQuery) (Source, bool) {
	if q.Source == directory.SourceTransitiveMemberOf {
		return Source{Scope: Scope{Groups: true, ID: "g.id"}, Tenant: "g.tenant_id",
			Walk: upGroups,
			Cond: "g.deleted_at IS NULL"}, q.Kind != directory.KindUser
	}
	s := Source{Walk: "(" + DownWalk + " SELECT id, kind FROM down) m",
		Scope: Scope{Users: true, Groups: true, ID: "m.id", Kind: "m.kind"}}
	switch q.Kind {
	case directory.KindUser:
		s.Scope.Groups = false
		s.Walk += fmt.Sprintf(userJoin, "id", "kind")
		s.Tenant = "u.tenant_id"
	case directory.KindGroup:
		s.Scope.Users = false
		s.Walk += fmt.Sprintf(groupJoin, "id", "kind")
		s.Tenant = "g.tenant_id"
	default:
		s.Walk += fmt.Sprintf(memberJoin, "id", "kind")
		s.Tenant = "COALESCE(u.tenant_id, g.tenant_id)"
	}
	return s, true
}

// from writes the FROM item of s; a walk's object is the statement's
// first parameter.
func (s Source) from(c *compiler, q directory.ListQuery) {
	if s.Walk == "" {
		c.w(s.From)
		return
	}
	ph := c.ph(string(q.Of))
	if s.Walk == upGroups {
		c.w(c.d.UpGroups(ph))
		return
	}
	c.w(fmt.Sprintf(s.Walk, ph))
}
