package msgraph_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"groupd/internal/directory"
	"groupd/internal/store/testdb"
)

// BenchmarkDeltaPage measures one delta page (200 log rows, the default)
// read from the start of a backlog of 100,000 changes: user updates for
// /users/delta, member adds spread over 200 groups for /groups/delta.
// Every iteration reads the same page from the same token, through the
// whole server handler.
func BenchmarkDeltaPage(b *testing.B) {
	const (
		nUsers   = 2000
		nGroups  = 200
		nChanges = 100_000
	)
	ctx := context.Background()
	url := testdb.URL(b, testdb.Engine())
	e := newEnvOn(b, openURL(b, url))
	st := e.dir.Store()
	now := time.Now().UTC()
	users := make([]directory.User, nUsers)
	groups := make([]directory.Group, nGroups)
	err := st.Update(ctx, func(tx directory.Tx) error {
		for i := range users {
			users[i] = directory.User{ID: directory.NewObjectID(), TenantID: e.tenant, DisplayName: fmt.Sprint("user ", i),
				UserPrincipalName: fmt.Sprintf("bench%d@example.org", i), MailNickname: fmt.Sprint("bench", i),
				AccountEnabled: true, CreatedAt: now}
			if err := tx.InsertUser(ctx, users[i]); err != nil {
				return err
			}
		}
		for i := range groups {
			groups[i] = directory.Group{ID: directory.NewObjectID(), TenantID: e.tenant, DisplayName: fmt.Sprint("group ", i),
				MailNickname: fmt.Sprint("bgroup", i), SecurityEnabled: true, CreatedAt: now}
			if err := tx.InsertGroup(ctx, groups[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	start := map[string]string{}
	for _, kind := range []string{"users", "groups"} {
		p := e.delta(b, "/"+kind+"/delta?$deltatoken=latest")
		start[kind] = p.Delta
	}
	const batch = 10_000
	for n := 0; n < nChanges; n += batch {
		rows := make([]directory.Change, 0, batch)
		for i := n; i < n+batch; i++ {
			c := directory.Change{TenantID: e.tenant, At: now}
			if i%2 == 0 {
				u := users[i/2%nUsers]
				c.ObjectID, c.ObjectKind, c.Op, c.Properties = u.ID, directory.KindUser, directory.OpUpdated, []string{"displayName"}
			} else {
				g, u := groups[i/2%nGroups], users[i/2%nUsers]
				c.ObjectID, c.ObjectKind, c.Op = g.ID, directory.KindGroup, directory.OpMemberAdded
				c.RelatedID, c.RelatedKind = u.ID, directory.KindUser
			}
			rows = append(rows, c)
		}
		if err := st.Update(ctx, func(tx directory.Tx) error { return tx.AppendChanges(ctx, rows) }); err != nil {
			b.Fatal(err)
		}
	}
	if testdb.Engine() == testdb.Postgres {
		// What autovacuum does after such a load; without statistics the
		// planner takes the fresh log for a few rows and sorts all of it.
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := conn.Exec(ctx, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
		_ = conn.Close(ctx)
	}
	for _, kind := range []string{"users", "groups"} {
		b.Run(kind, func(b *testing.B) {
			var items int
			for b.Loop() {
				p := e.delta(b, start[kind])
				items = len(p.Value)
				if !strings.Contains(p.Next, "$skiptoken=") {
					b.Fatalf("want a nextLink into the backlog")
				}
			}
			b.ReportMetric(float64(items), "items/page")
		})
	}
}
