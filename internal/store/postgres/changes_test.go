package postgres

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"groupd/internal/directory"
	"groupd/internal/store/pgtest"
)

func change(tid directory.TenantID, req string) directory.Change {
	return directory.Change{TenantID: tid, ObjectID: directory.NewObjectID(), ObjectKind: directory.KindUser,
		Op: directory.OpCreated, RequestID: req, At: time.Now().UTC()}
}

// openTx runs an update that appends one change row and then waits for
// release before committing; appended is closed once the row is written.
func openTx(ctx context.Context, s *Store, c directory.Change) (appended, release chan struct{}, done chan error) {
	appended, release, done = make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- s.Update(ctx, func(tx directory.Tx) error {
			if err := tx.AppendChanges(ctx, []directory.Change{c}); err != nil {
				return err
			}
			// The row waits for the next statement (pipeline.go); this
			// read sends it now.
			if _, err := tx.ChangePosition(ctx); err != nil {
				return err
			}
			close(appended)
			<-release
			return nil
		})
	}()
	return appended, release, done
}

func requests(rows []directory.Change) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.RequestID)
	}
	return out
}

// TestChangesLateCommit: a transaction that wrote its row first but
// commits last is never skipped by a follower, whichever of the two
// transactions took its id first.
func TestChangesLateCommit(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	tid := seedTenant(t, s)
	base, err := s.Changes(ctx, 0, 100)
	if err != nil || len(base) != 0 {
		t.Fatalf("fresh log: %v, %v", base, err)
	}
	follow := func(after int64) ([]directory.Change, int64) {
		t.Helper()
		rows, err := s.Changes(ctx, after, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.Cursor <= after {
				t.Fatalf("cursor %d returned after %d", r.Cursor, after)
			}
			after = r.Cursor
		}
		return rows, after
	}

	// A writes its row (taking the older transaction id), B writes and
	// commits, A commits last. B's row is held back while A is open, so a
	// follower cannot read past A's place.
	aDone, aRelease, aErr := openTx(ctx, s, change(tid, "A"))
	<-aDone
	if err := s.Update(ctx, func(tx directory.Tx) error { return tx.AppendChanges(ctx, []directory.Change{change(tid, "B")}) }); err != nil {
		t.Fatal(err)
	}
	rows, cursor := follow(0)
	if len(rows) != 0 {
		t.Fatalf("while A is open the follower got %v; B must wait for A", requests(rows))
	}
	close(aRelease)
	if err := <-aErr; err != nil {
		t.Fatal(err)
	}
	rows, cursor = follow(cursor)
	if got := requests(rows); len(got) != 2 || got[0] != "A" || got[1] != "B" {
		t.Fatalf("after A commits the follower got %v, want [A B]", got)
	}

	// C takes its id first and commits first; D, younger, stays open. The
	// follower reads up to C's cursor, and later still gets D's row.
	if err := s.Update(ctx, func(tx directory.Tx) error { return tx.AppendChanges(ctx, []directory.Change{change(tid, "C")}) }); err != nil {
		t.Fatal(err)
	}
	dDone, dRelease, dErr := openTx(ctx, s, change(tid, "D"))
	<-dDone
	rows, cursor = follow(cursor)
	if got := requests(rows); len(got) != 1 || got[0] != "C" {
		t.Fatalf("with D open the follower got %v, want [C]", got)
	}
	close(dRelease)
	if err := <-dErr; err != nil {
		t.Fatal(err)
	}
	rows, _ = follow(cursor)
	if got := requests(rows); len(got) != 1 || got[0] != "D" {
		t.Fatalf("after D commits the follower got %v, want [D]", got)
	}
	all, _ := follow(0)
	if got := requests(all); len(got) != 4 {
		t.Fatalf("whole log %v, want [A B C D]", got)
	}
}

// TestListen checks that a committed change is announced with its tenant,
// and a rolled-back one is not.
func TestListen(t *testing.T) {
	s := openTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tid := seedTenant(t, s)
	got := make(chan directory.TenantID, 16)
	done := make(chan error, 1)
	go func() { done <- s.Listen(ctx, func(tn directory.TenantID) { got <- tn }) }()
	expect := func(want directory.TenantID) {
		t.Helper()
		select {
		case tn := <-got:
			if tn != want {
				t.Fatalf("notified %q, want %q", tn, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no notification, want %q", want)
		}
	}
	expect("") // connected: anything may have changed meanwhile

	other := directory.NewTenantID()
	refused := errors.New("refused")
	if err := s.Update(ctx, func(tx directory.Tx) error {
		if err := tx.AppendChanges(ctx, []directory.Change{change(other, "rolled back")}); err != nil {
			return err
		}
		return refused
	}); err != refused {
		t.Fatal(err)
	}
	if err := s.Update(ctx, func(tx directory.Tx) error {
		return tx.AppendChanges(ctx, []directory.Change{change(tid, "1"), change(tid, "2")})
	}); err != nil {
		t.Fatal(err)
	}
	expect(tid) // one per tenant and transaction; the rolled-back one never
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Listen returned %v after its context ended", err)
	}
	select {
	case tn := <-got:
		t.Errorf("unexpected notification %q", tn)
	default:
	}
}

// TestDatabaseGoesAway cuts every connection and refuses new ones: calls
// fail with ErrUnavailable, and work again once the database is back,
// without reopening the store.
func TestDatabaseGoesAway(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	proxy := pgtest.NewProxy(t, dsn)
	s, err := Open(context.Background(), proxy.URL(dsn), Options{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	tid := seedTenant(t, s)
	listened := make(chan directory.TenantID, 16)
	lctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() { _ = s.Listen(lctx, func(tn directory.TenantID) { listened <- tn }) }()
	<-listened

	proxy.Down()
	if err := s.Ping(ctx); !errors.Is(err, directory.ErrUnavailable) {
		t.Errorf("Ping with the database away: %v", err)
	}
	if _, err := s.Tenant(ctx, tid); !errors.Is(err, directory.ErrUnavailable) {
		t.Errorf("read with the database away: %v", err)
	}
	err = s.Update(ctx, func(tx directory.Tx) error { return tx.AppendChanges(ctx, []directory.Change{change(tid, "x")}) })
	if !errors.Is(err, directory.ErrUnavailable) {
		t.Errorf("update with the database away: %v", err)
	}

	proxy.Up()
	deadline := time.Now().Add(10 * time.Second)
	for s.Ping(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatal("Ping still failing 10 s after the database came back")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := s.Tenant(ctx, tid); err != nil {
		t.Errorf("read after the database came back: %v", err)
	}
	if err := s.Update(ctx, func(tx directory.Tx) error { return tx.AppendChanges(ctx, []directory.Change{change(tid, "y")}) }); err != nil {
		t.Errorf("update after the database came back: %v", err)
	}
	// The listener reconnected and says so.
	select {
	case tn := <-listened:
		for tn != "" {
			tn = <-listened
		}
	case <-time.After(10 * time.Second):
		t.Error("the listener did not reconnect")
	}
}

// TestAppChangeKeys: the follower's read of application and signing key
// rows lists those only, as ChangeKeys lists them, after a cursor, and
// reads the partial index changes_apps, also in a generic plan, not the
// other rows.
func TestAppChangeKeys(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	tid := seedTenant(t, s)
	var rows []directory.Change
	for _, k := range []directory.ObjectKind{directory.KindUser, directory.KindApplication, directory.KindGroup,
		directory.KindSigningKey, directory.KindServicePrincipal, directory.KindApplication} {
		rows = append(rows, directory.Change{TenantID: tid, ObjectID: directory.NewObjectID(), ObjectKind: k,
			Op: directory.OpCreated, At: time.Now()})
	}
	if err := s.Update(ctx, func(tx directory.Tx) error { return tx.AppendChanges(ctx, rows) }); err != nil {
		t.Fatal(err)
	}
	all, err := s.ChangeKeys(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var want []directory.Change
	for _, c := range all {
		if c.ObjectKind == directory.KindApplication || c.ObjectKind == directory.KindSigningKey {
			want = append(want, c)
		}
	}
	if len(want) != 3 {
		t.Fatalf("change log %v: want 3 application and key rows", all)
	}
	got, err := s.AppChangeKeys(ctx, 0, 100)
	if err != nil || !slices.EqualFunc(got, want, func(a, b directory.Change) bool {
		return a.Cursor == b.Cursor && a.ObjectID == b.ObjectID && a.ObjectKind == b.ObjectKind
	}) {
		t.Errorf("AppChangeKeys = %v, %v; want %v", got, err, want)
	}
	if after, err := s.AppChangeKeys(ctx, want[0].Cursor, 1); err != nil || len(after) != 1 || after[0].Cursor != want[1].Cursor {
		t.Errorf("after the first, one: %v, %v; want %v", after, err, want[1])
	}
	for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
		plan := explainAnalyze(t, s, mode, qAppChangeKeys, []any{0, 0, 1000})
		if !strings.Contains(plan.String(), "changes_apps") || strings.Contains(plan.String(), "Seq Scan") {
			t.Errorf("%s: the read does not use changes_apps:\n%s", mode, plan)
		}
	}
}
