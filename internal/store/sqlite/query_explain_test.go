package sqlite

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"groupd/internal/directory"
	"groupd/internal/odata"
	"groupd/internal/store/listsql"
)

// TestListQueriesUseIndexes checks the plans of the hot list queries of
// the query targets: ordered pages (first and later), startsWith, $search and
// $count read an index range, never a whole table, and ordered pages never
// sort (a sort would make the last page cost as much as all pages).
func TestListQueriesUseIndexes(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	tid := seedForPlans(t, s)
	gid := directory.NewObjectID()
	after := directory.EncodeCursor(directory.Object{Group: &directory.Group{ID: gid, DisplayName: "m"}}, "displayName")
	cases := []struct {
		name   string
		src    directory.Source
		schema odata.Schema
		raw    string
		after  string
		count  bool
		sorted bool
	}{
		{"groups by displayName", directory.SourceGroups, odata.GroupSchema, "$orderby=displayName", "", false, true},
		{"groups by displayName, later page", directory.SourceGroups, odata.GroupSchema, "$orderby=displayName", after, false, true},
		{"groups by displayName desc, later page", directory.SourceGroups, odata.GroupSchema, "$orderby=displayName desc", after, false, true},
		{"groups by createdDateTime", directory.SourceGroups, odata.GroupSchema, "$orderby=createdDateTime", "", false, true},
		{"users by displayName", directory.SourceUsers, odata.UserSchema, "$orderby=displayName", "", false, true},
		{"users by userPrincipalName", directory.SourceUsers, odata.UserSchema, "$orderby=userPrincipalName", "", false, true},
		{"groups startsWith", directory.SourceGroups, odata.GroupSchema, "$filter=startsWith(displayName,'ab')", "", false, false},
		{"groups mailNickname eq", directory.SourceGroups, odata.GroupSchema, "$filter=mailNickname eq 'ab'", "", false, false},
		{"groups displayName eq", directory.SourceGroups, odata.GroupSchema, "$filter=displayName eq 'ab'", "", false, false},
		{"groups mail in", directory.SourceGroups, odata.GroupSchema, "$filter=mail in ('a@b.c','d@e.f')", "", false, false},
		{"groups mailNickname eq by displayName", directory.SourceGroups, odata.GroupSchema, "$filter=mailNickname eq 'ab'&$orderby=displayName", "", false, false},
		{"users upn eq", directory.SourceUsers, odata.UserSchema, "$filter=userPrincipalName eq 'ab'", "", false, false},
		{"users startsWith upn", directory.SourceUsers, odata.UserSchema, "$filter=startsWith(userPrincipalName,'ab')", "", false, false},
		{"groups search", directory.SourceGroups, odata.GroupSchema, `$search="displayName:ab"`, "", false, false},
		{"groups count", directory.SourceGroups, odata.GroupSchema, "", "", true, false},
		{"groups count startsWith", directory.SourceGroups, odata.GroupSchema, "$filter=startsWith(displayName,'ab')", "", true, false},
		{"members", directory.SourceMembers, odata.DirectoryObjectSchema, "$filter=startsWith(displayName,'ab')", "", false, false},
		{"ownedObjects", directory.SourceOwnedObjects, odata.GroupSchema, "", "", false, false},
		{"directReports", directory.SourceDirectReports, odata.UserSchema, "", "", false, false},
	}
	for _, c := range cases {
		v, _ := url.ParseQuery(strings.ReplaceAll(c.raw, "+", "%2B"))
		v.Set("$count", "true")
		pq, err := odata.Parse(v, c.schema, odata.Options{Allowed: odata.ListOptions, Eventual: true})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		q := directory.ListQuery{Source: c.src, Of: gid, Filter: pq.Filter, Search: pq.Search, Page: directory.PageRequest{After: c.after}}
		if len(pq.OrderBy) > 0 {
			q.OrderBy, q.Desc = pq.OrderBy[0].Prop, pq.OrderBy[0].Desc
		}
		src, _ := listsql.SourceOf(q)
		var text string
		var args []any
		if c.count {
			text, args, err = listsql.Count(lite, tid, q, src)
		} else {
			text, args, err = listsql.Page(lite, tid, q, src, 101, false)
		}
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		plan, err := s.ExplainQueryPlan(ctx, text, args...)
		if err != nil {
			t.Fatalf("%s: %v\n%s", c.name, err, text)
		}
		if c.sorted {
			// The page is sorted after the deferred join (at most $top
			// rows); the statement that finds its ids must not sort.
			inner, iargs, err := listsql.Page(lite, tid, q, src, 101, true)
			if err != nil {
				t.Fatal(err)
			}
			if p, err := s.ExplainQueryPlan(ctx, inner, iargs...); err != nil || strings.Contains(p, "TEMP B-TREE") {
				t.Errorf("%s: the page's ids are sorted (%v):\n%s", c.name, err, p)
			}
		}
		t.Logf("%s:\n%s", c.name, plan)
		for _, line := range strings.Split(strings.TrimSpace(plan), "\n") {
			if fullScan.MatchString(line) || strings.HasSuffix(line, "(tenant_id=?)") && !c.sorted && !c.count {
				t.Errorf("%s scans a table: %q\nplan:\n%s", c.name, line, plan)
			}
		}
	}
}

// seedForPlans writes groups and users with distinct names and gathers
// statistics, so the planner chooses as it would on a real directory
// rather than on an empty one.
func seedForPlans(t *testing.T, s *Store) directory.TenantID {
	t.Helper()
	ctx := context.Background()
	tn := directory.Tenant{ID: directory.NewTenantID(), DisplayName: "t", IsDefault: true,
		Domains: []directory.Domain{{Name: "t.example", IsDefault: true}}}
	err := s.Update(ctx, func(tx directory.Tx) error {
		if err := tx.InsertTenant(ctx, tn); err != nil {
			return err
		}
		for i := range 500 {
			name := fmt.Sprintf("name %d", i)
			g := directory.Group{ID: directory.NewObjectID(), TenantID: tn.ID, DisplayName: name,
				MailNickname: fmt.Sprintf("n%d", i), SecurityEnabled: true}
			if err := tx.InsertGroup(ctx, g); err != nil {
				return err
			}
			u := directory.User{ID: directory.NewObjectID(), TenantID: tn.ID, DisplayName: name,
				UserPrincipalName: fmt.Sprintf("u%d@t.example", i)}
			if err := tx.InsertUser(ctx, u); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(ctx, func(t directory.Tx) error {
		_, err := t.(*tx).exec(ctx, "ANALYZE")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tn.ID
}
