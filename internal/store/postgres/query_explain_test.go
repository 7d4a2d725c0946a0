package postgres

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"groupd/internal/directory"
	"groupd/internal/odata"
)

// TestListQueriesUseIndexes checks the plans of the hot list queries of
// issue 6: ordered pages (first and later), startsWith, $search and
// $count read an index, never a whole table, and ordered pages of a whole
// tenant never sort (a sort would make the last page cost as much as all).
func TestListQueriesUseIndexes(t *testing.T) {
	s := openTest(t)
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
		cond   string // the Index Cond must name this column
	}{
		{"groups by displayName", directory.SourceGroups, odata.GroupSchema, "$orderby=displayName", "", false, true, ""},
		{"groups by displayName, later page", directory.SourceGroups, odata.GroupSchema, "$orderby=displayName", after, false, true, ""},
		{"groups by displayName desc, later page", directory.SourceGroups, odata.GroupSchema, "$orderby=displayName desc", after, false, true, ""},
		{"groups by createdDateTime", directory.SourceGroups, odata.GroupSchema, "$orderby=createdDateTime", "", false, true, ""},
		{"users by displayName", directory.SourceUsers, odata.UserSchema, "$orderby=displayName", "", false, true, ""},
		{"groups startsWith", directory.SourceGroups, odata.GroupSchema, "$filter=startsWith(displayName,'ab')", "", false, false, "display_name_key"},
		{"groups mailNickname eq", directory.SourceGroups, odata.GroupSchema, "$filter=mailNickname eq 'ab'", "", false, false, "mail_nickname_key"},
		{"groups mail in", directory.SourceGroups, odata.GroupSchema, "$filter=mail in ('a@b.c','d@e.f')", "", false, false, "mail_key"},
		{"users startsWith upn", directory.SourceUsers, odata.UserSchema, "$filter=startsWith(userPrincipalName,'ab')", "", false, false, "upn_key"},
		{"groups search", directory.SourceGroups, odata.GroupSchema, `$search="displayName:ab"`, "", false, false, "token"},
		{"groups count", directory.SourceGroups, odata.GroupSchema, "", "", true, false, ""},
		{"groups count startsWith", directory.SourceGroups, odata.GroupSchema, "$filter=startsWith(displayName,'ab')", "", true, false, "display_name_key"},
		{"members", directory.SourceMembers, odata.DirectoryObjectSchema, "$filter=startsWith(displayName,'ab')", "", false, false, ""},
		{"transitive memberOf", directory.SourceTransitiveMemberOf, odata.GroupSchema, "", "", false, false, ""},
		{"transitive memberOf filtered", directory.SourceTransitiveMemberOf, odata.GroupSchema, "$filter=startsWith(displayName,'ab')", "", false, false, ""},
		{"transitive members", directory.SourceTransitiveMembers, odata.DirectoryObjectSchema, "$filter=startsWith(displayName,'ab')", "", false, false, ""},
		{"transitive members count", directory.SourceTransitiveMembers, odata.DirectoryObjectSchema, "", "", true, false, ""},
	}
	for _, c := range cases {
		v, _ := url.ParseQuery(c.raw)
		v.Set("$count", "true")
		pq, err := odata.Parse(v, c.schema, odata.Options{Allowed: odata.ListOptions, Eventual: true})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		q := directory.ListQuery{Source: c.src, Of: gid, Filter: pq.Filter, Search: pq.Search, Page: directory.PageRequest{After: c.after}}
		if len(pq.OrderBy) > 0 {
			q.OrderBy, q.Desc = pq.OrderBy[0].Prop, pq.OrderBy[0].Desc
		}
		src, _ := sourceOf(q)
		var text string
		var args []any
		if c.count {
			cc := &compiler{sc: src.sc, tenant: string(tid)}
			cc.w("SELECT count(*) FROM ", src.from)
			err = src.where(cc, q)
			text, args = cc.b.String(), cc.args
		} else {
			text, args, err = listSQL(tid, q, src, 101)
		}
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		plan, err := s.ExplainQueryPlan(ctx, text, args...)
		if err != nil {
			t.Fatalf("%s: %v\n%s", c.name, err, text)
		}
		t.Logf("%s:\n%s", c.name, plan)
		if m := seqScan.FindString(plan); m != "" {
			t.Errorf("%s scans a table: %q\nplan:\n%s", c.name, m, plan)
		}
		if c.cond != "" && !regexp.MustCompile(`Index Cond: .*\b`+c.cond+`\b`).MatchString(plan) {
			t.Errorf("%s: no index range on %s:\n%s", c.name, c.cond, plan)
		}
		if c.sorted && strings.Contains(plan, "Sort") {
			t.Errorf("%s sorts:\n%s", c.name, plan)
		}
	}
}

// seedForPlans writes groups and users with distinct names and gathers
// statistics, so the planner chooses as on a real directory rather than
// on empty tables.
func seedForPlans(t *testing.T, s *Store) directory.TenantID {
	t.Helper()
	ctx := context.Background()
	tn := directory.Tenant{ID: directory.NewTenantID(), DisplayName: "t", IsDefault: true,
		Domains: []directory.Domain{{Name: "t.example", IsDefault: true}}}
	err := s.Update(ctx, func(tx directory.Tx) error {
		if err := tx.InsertTenant(ctx, tn); err != nil {
			return err
		}
		for i := range 2000 {
			name := fmt.Sprintf("name %d", i)
			g := directory.Group{ID: directory.NewObjectID(), TenantID: tn.ID, DisplayName: name,
				MailNickname: fmt.Sprintf("n%d", i), Mail: fmt.Sprintf("n%d@t.example", i), SecurityEnabled: true}
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
	if _, err := s.pool.Exec(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	return tn.ID
}
