package sqlite

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"groupd/internal/directory"
)

// TestProvisionQueriesProbeUsers: the statements of provisioning find each
// user by one probe of a unique index, looping over the request's names
// or ids; the other order reads every user of the tenant per name.
func TestProvisionQueriesProbeUsers(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	tid := string(directory.NewTenantID())
	for _, c := range []struct {
		name, query, want string
		args              []any
	}{
		{"user ids by UPN", qUserIDsByUPN, "SEARCH u USING INDEX users_upn (tenant_id=? AND upn_key=?)",
			[]any{tid, `["a@contoso.example","b@contoso.example"]`}},
		{"first invisible user", qFirstInvisible, "SEARCH u USING INDEX sqlite_autoindex_users_1 (id=?)",
			[]any{tid, `["x","y"]`}},
	} {
		plan, err := s.ExplainQueryPlan(context.Background(), c.query, c.args...)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		lines := strings.Split(plan, "\n")
		if !strings.HasPrefix(strings.TrimLeft(lines[0], "|-` "), "SCAN j") || !strings.Contains(plan, c.want) {
			t.Errorf("%s: want a loop over the request probing users (%s), plan:\n%s", c.name, c.want, plan)
		}
	}
}

// TestUserRemovalsSkipCheck: the removal count moves when a user stops
// being visible, however, and only then; RelateNewGroupAt checks the
// users only when it moved since visibleAt.
func TestUserRemovalsSkipCheck(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	tid := seedTenant(t, s)
	a, b := testUser(tid, "a"), testUser(tid, "b")
	update := func(fn func(tx directory.Tx) error) {
		t.Helper()
		if err := s.Update(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	update(func(tx directory.Tx) error {
		if err := tx.InsertUser(ctx, a); err != nil {
			return err
		}
		return tx.InsertUser(ctx, b)
	})
	count := func() int64 {
		t.Helper()
		n, err := s.UserRemovals(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	start := count()
	for _, step := range []struct {
		name string
		fn   func(tx directory.Tx) error
		add  int64
	}{
		{"update", func(tx directory.Tx) error { a.DisplayName = "A"; return tx.UpdateUser(ctx, a) }, 0},
		{"soft delete", func(tx directory.Tx) error { return tx.SoftDeleteUser(ctx, tid, b.ID, time.Now()) }, 1},
		{"restore", func(tx directory.Tx) error { _, err := tx.RestoreObject(ctx, tid, b.ID); return err }, 0},
		{"soft delete again", func(tx directory.Tx) error { return tx.SoftDeleteUser(ctx, tid, b.ID, time.Now()) }, 1},
		{"purge of a deleted user", func(tx directory.Tx) error { return tx.PurgeObject(ctx, tid, b.ID) }, 0},
		{"delete of a visible user", func(dtx directory.Tx) error {
			_, err := dtx.(*tx).exec(ctx, `DELETE FROM users WHERE id = ?1`, string(a.ID))
			return err
		}, 1},
	} {
		before := count()
		update(step.fn)
		if got := count() - before; got != step.add {
			t.Errorf("%s: count moved by %d, want %d", step.name, got, step.add)
		}
	}
	if count() != start+3 {
		t.Fatalf("count %d after three removals from %d", count(), start)
	}

	// a and b are gone: related at the current count they are not
	// checked, at an earlier one they are.
	relate := func(visibleAt int64) (int64, error) {
		var n int64
		errKept := errors.New("rolled back")
		g := directory.Group{ID: directory.NewObjectID(), TenantID: tid, DisplayName: "g", SecurityEnabled: true, CreatedAt: time.Now()}
		err := s.Update(ctx, func(dtx directory.Tx) error {
			if err := dtx.InsertGroup(ctx, g); err != nil {
				return err
			}
			var err error
			if n, err = dtx.(*tx).RelateNewGroupAt(ctx, tid, g.ID, "", []directory.ObjectID{a.ID}, []directory.ObjectID{b.ID}, visibleAt); err != nil {
				return err
			}
			return errKept
		})
		if errors.Is(err, errKept) {
			err = nil
		}
		return n, err
	}
	if n, err := relate(count()); err != nil || n != count() {
		t.Errorf("relate at the current count: %d, %v; want %d and no check", n, err, count())
	}
	var nf *directory.NotFoundError
	if _, err := relate(count() - 1); !errors.As(err, &nf) || nf.ID != string(a.ID) {
		t.Errorf("relate at an earlier count: %v, want a not found", err)
	}
}
