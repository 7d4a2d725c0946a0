package postgres

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"groupd/internal/directory"
	"groupd/internal/store/listsql"
	"groupd/internal/store/storetest"
)

// TestTransitiveWalksProbeByID checks the plans of the upward walks (the
// statements behind getMemberGroups, checkMemberGroups and
// transitiveMemberOf) on a nested directory with about ten memberships per
// member, where PostgreSQL guesses a walk returns more rows than there are
// groups: each step and each group read must be an index probe (a nested
// loop), never a hash or merge join over a whole table, both in the plan
// for the given values and in the generic plan of the prepared statement
// that the pool's statement cache runs after a few executions.
func TestTransitiveWalksProbeByID(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	g := storetest.GenerateNesting(t, s, storetest.NestShape{Users: 2000, Groups: 2000, Memberships: 20000, Depth: 5}, 1)
	if _, err := s.pool.Exec(ctx, "VACUUM ANALYZE"); err != nil {
		t.Fatal(err)
	}
	var jit string
	if err := s.pool.QueryRow(ctx, "SHOW jit").Scan(&jit); err != nil || jit != "off" {
		t.Errorf("jit %q (%v): the walks' guessed costs would compile each one", jit, err)
	}
	user := g.Users[0]
	type stmt struct {
		name string
		text string
		args []any
	}
	stmts := []stmt{{"member groups", qMemberGroups, []any{string(user), string(g.Tenant), false, 11001}}}
	for _, count := range []bool{false, true} {
		q := directory.ListQuery{Source: directory.SourceTransitiveMemberOf, Of: user}
		src, _ := listsql.SourceOf(q)
		text, args, err := listsql.Page(pg, g.Tenant, q, src, 101, false)
		name := "transitiveMemberOf page"
		if count {
			text, args, err = listsql.Count(pg, g.Tenant, q, src)
			name = "transitiveMemberOf count"
		}
		if err != nil {
			t.Fatal(err)
		}
		stmts = append(stmts, stmt{name, text, args})
	}
	wholeJoin := regexp.MustCompile(`Hash Join|Merge Join|Seq Scan on (users|groups|memberships)\b`)
	for _, st := range stmts {
		for _, generic := range []bool{false, true} {
			plan := explainPrepared(t, s, st.text, st.args, generic)
			t.Logf("%s (generic %v):\n%s", st.name, generic, plan)
			if m := wholeJoin.FindString(plan); m != "" {
				t.Errorf("%s (generic %v) reads a whole table: %q\n%s", st.name, generic, m, plan)
			}
			if !regexp.MustCompile(`Index (Only )?Scan using memberships_member on memberships`).MatchString(plan) {
				t.Errorf("%s (generic %v) does not walk memberships_member:\n%s", st.name, generic, plan)
			}
		}
	}
}

// explainPrepared is the plan of text prepared and executed with args
// (strings, bools, ints), custom or generic, the planner's settings as
// the server has them.
func explainPrepared(t *testing.T, s *Store, text string, args []any, generic bool) string {
	t.Helper()
	ctx := context.Background()
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	mode := "force_custom_plan"
	if generic {
		mode = "force_generic_plan"
	}
	if _, err := tx.Exec(ctx, "SET LOCAL plan_cache_mode = "+mode); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "PREPARE explained AS "+text); err != nil {
		t.Fatalf("prepare: %v\n%s", err, text)
	}
	defer func() { _, _ = tx.Exec(ctx, "DEALLOCATE explained") }()
	lits := make([]string, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			lits[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
		case bool, int, int64:
			lits[i] = fmt.Sprint(v)
		default:
			t.Fatalf("argument %d: %T", i+1, a)
		}
	}
	var lines []string
	rows, err := tx.Query(ctx, "EXPLAIN EXECUTE explained("+strings.Join(lits, ", ")+")")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}
