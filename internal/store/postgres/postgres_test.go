package postgres

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"

	"groupd/internal/directory"
	"groupd/internal/store/pgtest"
	"groupd/internal/store/storetest"
)

// TestMain runs the package's tests against one throwaway cluster, started
// on first use and stopped at the end, with a migrated template database
// cloned for every test.
func TestMain(m *testing.M) {
	pgtest.Main(m, func(ctx context.Context, dsn string) error {
		s, err := Open(ctx, dsn, Options{MaxConns: 2})
		if err != nil {
			return err
		}
		return s.Close()
	})
}

// openTest opens a store on a fresh database for t.
func openTest(t testing.TB) *Store {
	t.Helper()
	return openURL(t, pgtest.NewDatabase(t))
}

func openURL(t testing.TB, dsn string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn, Options{MaxConns: 4})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) directory.Store { return openTest(t) })
}

var _ storetest.Explainer = (*Store)(nil)

// seqScan matches a plan line that reads a whole table of ours. Sequential
// scans are disabled for the plan, so one appears only where no index can
// serve the query.
var seqScan = regexp.MustCompile(`Seq Scan on (users|groups|memberships|ownerships|tenants|domains|changes)\b`)

func TestHotQueriesUseIndexes(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	tid := string(directory.NewTenantID())
	id := string(directory.NewObjectID())
	list := []string{id}
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
		{"expand members", qExpandMembers, []any{list, tid, 20}},
		{"objects", qObjects, []any{list, tid}},
		{"existing members", members.existing, []any{id, tid, list}},
		{"count owners", owners.count, []any{id, tid}},
		{"add members", members.add, []any{id, tid, list, []string{""}}},
		{"remove member", members.remove, []any{id, id, tid}},
		{"displayName taken", qDisplayNameTaken, []any{tid, "x", id}},
		{"mailNickname taken", qMailNicknameTaken, []any{tid, "x", true}},
		{"delete group", qDeleteGroup, []any{id, tid}},
		{"tenant by domain", qTenantByDomain, []any{"contoso.example"}},
		{"changes", qChanges, []any{0, 0, 100}},
		{"visible users", qVisibleUsers, []any{tid, list}},
		{"user ids by UPN", qUserIDsByUPN, []any{tid, []string{"a@contoso.example", "b@contoso.example"}}},
		{"relate new group", qRelateNewGroup, []any{id, tid, list, list, list, ""}},
	}
	for _, c := range cases {
		plan, err := s.ExplainQueryPlan(ctx, c.query, c.args...)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if m := seqScan.FindString(plan); m != "" {
			t.Errorf("%s scans a table: %q\nplan:\n%s", c.name, m, plan)
		}
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	s := openURL(t, dsn)
	if _, err := s.pool.Exec(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (9999, true)`); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(ctx, dsn, Options{})
	if !errors.Is(err, ErrSchemaTooNew) {
		if s2 != nil {
			s2.Close()
		}
		t.Fatalf("open of a newer schema: got %v, want ErrSchemaTooNew", err)
	}
}

// TestConcurrentMigrations starts several instances at once on an empty
// database: the advisory lock lets one migrate while the others wait and
// then find the schema current.
func TestConcurrentMigrations(t *testing.T) {
	dsn := pgtest.NewEmptyDatabase(t)
	const n = 4
	stores := make([]*Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = Open(context.Background(), dsn, Options{MaxConns: 2})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	v, err := stores[0].SchemaVersion(context.Background())
	if want := embeddedVersion(); err != nil || v != want {
		t.Errorf("SchemaVersion = %d, %v; want %d", v, err, want)
	}
}

func TestOpenBadURL(t *testing.T) {
	ctx := context.Background()
	for _, dsn := range []string{
		"postgres://u@127.0.0.1:1/x?serialization_retries=many",
		"postgres://u@127.0.0.1:1/x?statement_timeout=soon",
		"mysql://u@localhost/x",
	} {
		if s, err := Open(ctx, dsn, Options{}); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", dsn)
		}
	}
	// Nothing listens on port 1: the engine cannot be reached, and the
	// error says so without the password.
	_, err := Open(ctx, "postgres://u:secret@127.0.0.1:1/x?connect_timeout=2", Options{})
	if !errors.Is(err, directory.ErrUnavailable) {
		t.Errorf("Open of a dead server: got %v, want ErrUnavailable", err)
	}
	if err != nil && strings.Contains(err.Error(), "secret") {
		t.Errorf("error shows the password: %v", err)
	}
}
