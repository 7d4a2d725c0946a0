package postgres

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"groupd/internal/directory"
	"groupd/internal/odata"
	"groupd/internal/store/listsql"
	"groupd/internal/store/pgtest"
)

// TestListQueriesUseIndexes checks the plans of the hot list queries of
// the query targets: ordered pages (first and later), startsWith, $search and
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
		{"ownedObjects", directory.SourceOwnedObjects, odata.GroupSchema, "", "", false, false, ""},
		{"directReports", directory.SourceDirectReports, odata.UserSchema, "", "", false, false, "manager_id"},
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
		src, _ := listsql.SourceOf(q)
		var text string
		var args []any
		if c.count {
			text, args, err = listsql.Count(pg, tid, q, src)
		} else {
			text, args, err = listsql.Page(pg, tid, q, src, 101, false)
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

// TestStartsWithAfterBulkLoad: right after a bulk load, before autovacuum
// has analyzed (here: never), a store opening on the database analyzes
// the lagging tables, so that startsWith on displayName is one range of
// groups_display_name rather than a walk of the tenant through whichever
// tenant index the planner picks when it believes the tenant is empty.
func TestStartsWithAfterBulkLoad(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	s := openURL(t, dsn)
	ctx := context.Background()
	if _, err := s.pool.Exec(ctx, "ALTER TABLE groups SET (autovacuum_enabled = off)"); err != nil {
		t.Fatal(err)
	}
	tn := directory.Tenant{ID: directory.NewTenantID(), DisplayName: "t", IsDefault: true,
		Domains: []directory.Domain{{Name: "t.example", IsDefault: true}}}
	const n = 5000
	err := s.Update(ctx, func(tx directory.Tx) error {
		if err := tx.InsertTenant(ctx, tn); err != nil {
			return err
		}
		for i := range n {
			g := directory.Group{ID: directory.NewObjectID(), TenantID: tn.ID, DisplayName: fmt.Sprintf("w%d x", i),
				MailNickname: fmt.Sprintf("n%d", i), Mail: fmt.Sprintf("n%d@t.example", i), SecurityEnabled: true}
			if err := tx.InsertGroup(ctx, g); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Backends report their counters to the statistics system about once
	// a second.
	for deadline := time.Now().Add(10 * time.Second); ; {
		var mods int64
		err := s.pool.QueryRow(ctx, `SELECT n_mod_since_analyze FROM pg_stat_user_tables WHERE relname = 'groups'`).Scan(&mods)
		if err != nil {
			t.Fatal(err)
		}
		if mods >= n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("statistics show %d changed rows of %d", mods, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	v, _ := url.ParseQuery("$filter=" + url.QueryEscape("startsWith(displayName,'w123')"))
	pq, err := odata.Parse(v, odata.GroupSchema, odata.Options{Allowed: odata.ListOptions, Eventual: true})
	if err != nil {
		t.Fatal(err)
	}
	q := directory.ListQuery{Source: directory.SourceGroups, Filter: pq.Filter}
	src, _ := listsql.SourceOf(q)
	text, args, err := listsql.Page(pg, tn.ID, q, src, 101, false)
	if err != nil {
		t.Fatal(err)
	}
	before, err := s.ExplainQueryPlan(ctx, text, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("stale statistics:\n%s", before)

	s2 := openURL(t, dsn)
	plan, err := s2.ExplainQueryPlan(ctx, text, args...)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`Index (Only )?Scan using groups_display_name on groups`).MatchString(plan) ||
		!regexp.MustCompile(`Index Cond: .*display_name_key >= `).MatchString(plan) {
		t.Errorf("startsWith after reopening is not a range of groups_display_name:\n%s", plan)
	}
}
