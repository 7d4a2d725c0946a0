package sqlite

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"groupd/internal/directory"
	"groupd/internal/store/listsql"
	"groupd/internal/store/storetest"
)

var _ storetest.Explainer = (*Store)(nil)

// fullScan matches a plan step that reads a whole table (or a whole index
// of it) under its name or one of the aliases the queries use. Scans of
// json_each, CTEs and subqueries are fine: they hold the request's own ids
// or a page.
var fullScan = regexp.MustCompile(`^SCAN (users|groups|memberships|ownerships|tenants|domains|changes|u|g|m|p|x|t|d)\b`)

func TestHotQueriesUseIndexes(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	tid := directory.NewTenantID()
	id := string(directory.NewObjectID())
	ids := `["` + id + `"]`
	cases := []struct {
		name  string
		query string
		args  []any
	}{
		{"group by id", qGroupByID, []any{id, tid}},
		{"user by id", qUserByID, []any{id, tid}},
		{"user by UPN", qUserByUPN, []any{tid, "a@contoso.example"}},
		{"user by samAccountName", qUserBySam, []any{tid, "a"}},
		{"users page", qUsers, []any{tid, "", 101}},
		{"groups page", qGroups, []any{tid, "", 101}},
		{"members page", members.list, []any{id, tid, "", 101}},
		{"owners page", owners.list, []any{id, tid, "", 101}},
		{"memberOf page", qMemberOf, []any{id, tid, "", 101}},
		{"contains", qContains, []any{id, tid, id}},
		{"expand members", qExpandMembers, []any{ids, tid, 20}},
		{"objects", qObjects, []any{ids, tid}},
		{"existing members", members.existing, []any{id, tid, ids}},
		{"count owners", owners.count, []any{id, tid}},
		{"add members", members.add, []any{id, tid, `[{"id":"` + id + `","kind":""}]`}},
		{"remove member", members.remove, []any{id, id, tid}},
		{"add user member", qAddUserMember, []any{id, tid, id}},
		{"add user members", qAddUserMembers, []any{tid, `[["` + id + `","` + id + `"]]`}},
		{"displayName taken", qDisplayNameTaken, []any{tid, "x", id}},
		{"mailNickname taken", qMailNicknameTaken, []any{tid, "x", true}},
		{"delete group as member", qDeleteGroupAsMember, []any{id, tid}},
		{"delete group as owner", qDeleteGroupAsOwner, []any{id, tid}},
		{"tenant by domain", qTenantByDomain, []any{"contoso.example"}},
		{"changes", qChanges, []any{0, 100}},
		{"member groups", qMemberGroups, []any{id, tid, 0, 11001}},
		{"direct groups", qDirectGroups, []any{id, tid, 2000}},
		{"nesting edges", qNestingEdges, []any{tid, "", "", 5000}},
	}
	for _, src := range []directory.Source{directory.SourceTransitiveMemberOf, directory.SourceTransitiveMembers} {
		q := directory.ListQuery{Source: src, Of: directory.ObjectID(id)}
		ls, _ := listsql.SourceOf(q)
		text, args, err := listsql.Page(lite, directory.TenantID(tid), q, ls, 101, false)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, struct {
			name  string
			query string
			args  []any
		}{fmt.Sprintf("transitive list %d", src), text, args})
	}
	for _, c := range cases {
		plan, err := s.ExplainQueryPlan(ctx, c.query, c.args...)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		for _, line := range regexp.MustCompile(`\n`).Split(plan, -1) {
			if fullScan.MatchString(line) {
				t.Errorf("%s scans a table: %q\nplan:\n%s", c.name, line, plan)
			}
		}
	}
}
