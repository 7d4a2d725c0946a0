package storetest

import (
	"slices"
	"testing"
	"time"

	"groupd/internal/directory"
)

// pendingRow is a change row naming a fresh user, for PendingChanges.
func (f *fixture) pendingRow(tenant directory.TenantID) directory.Change {
	return directory.Change{TenantID: tenant, ObjectID: directory.NewObjectID(), ObjectKind: directory.KindUser,
		Op: directory.OpUpdated, Properties: []string{"displayName"}, At: f.now}
}

func pendingIDs(p directory.Pending) []directory.ObjectID {
	var out []directory.ObjectID
	for _, c := range p.Changes {
		out = append(out, c.ObjectID)
	}
	return out
}

func testPendingChanges(t *testing.T, f *fixture) {
	ctx := f.ctx
	pending := must[directory.Pending](t, "PendingChanges")
	first := f.pendingRow(f.tenant.ID)
	f.update(func(tx directory.Tx) error { return tx.AppendChanges(ctx, []directory.Change{first}) })
	start := pending(f.s.PendingChanges(ctx, f.tenant.ID, 0, 0, nil))
	if !start.TooMany || start.Changes != nil || start.Horizon <= 0 {
		t.Fatalf("horizon only, after 0 with a row logged: %+v", start)
	}
	other := f.otherTenant("fabrikam.example")
	a, b, c := f.pendingRow(f.tenant.ID), f.pendingRow(other.ID), f.pendingRow(f.tenant.ID)
	a.RelatedID, a.RelatedKind = directory.NewObjectID(), directory.KindGroup
	f.update(func(tx directory.Tx) error { return tx.AppendChanges(ctx, []directory.Change{a, b}) })
	f.update(func(tx directory.Tx) error { return tx.AppendChanges(ctx, []directory.Change{c}) })

	p := pending(f.s.PendingChanges(ctx, f.tenant.ID, start.Horizon, 10, nil))
	if p.TooMany || !slices.Equal(pendingIDs(p), []directory.ObjectID{a.ObjectID, c.ObjectID}) {
		t.Fatalf("pending after the start: %+v, want the tenant's two rows", p)
	}
	got := p.Changes[0]
	if got.TenantID != a.TenantID || got.ObjectKind != a.ObjectKind || got.Op != a.Op ||
		got.RelatedID != a.RelatedID || got.RelatedKind != a.RelatedKind || !slices.Equal(got.Properties, a.Properties) {
		t.Errorf("pending row %+v, appended %+v", got, a)
	}
	if p.Changes[0].Cursor <= start.Horizon || p.Changes[1].Cursor <= p.Changes[0].Cursor || p.Horizon < p.Changes[1].Cursor {
		t.Errorf("cursors %d, %d after %d, horizon %d", p.Changes[0].Cursor, p.Changes[1].Cursor, start.Horizon, p.Horizon)
	}
	if again := pending(f.s.PendingChanges(ctx, f.tenant.ID, p.Horizon, 10, nil)); again.TooMany || len(again.Changes) != 0 || again.Horizon < p.Horizon {
		t.Errorf("pending at the horizon, nothing written: %+v", again)
	}
	if cut := pending(f.s.PendingChanges(ctx, f.tenant.ID, start.Horizon, 1, nil)); !cut.TooMany || cut.Changes != nil {
		t.Errorf("two rows with limit 1: %+v, want TooMany", cut)
	}
	if only := pending(f.s.PendingChanges(ctx, f.tenant.ID, p.Horizon, 0, nil)); only.TooMany || only.Horizon < p.Horizon {
		t.Errorf("horizon only, nothing after: %+v", only)
	}
	// Skipped rows are left out before the limit counts; a range that
	// holds no row of the tenant leaves out nothing.
	ac := directory.CursorRange{First: p.Changes[0].Cursor, Last: p.Changes[0].Cursor}
	skipped := pending(f.s.PendingChanges(ctx, f.tenant.ID, start.Horizon, 1,
		[]directory.CursorRange{{First: 1, Last: start.Horizon}, ac}))
	if skipped.TooMany || !slices.Equal(pendingIDs(skipped), []directory.ObjectID{c.ObjectID}) || skipped.Horizon < p.Horizon {
		t.Errorf("skipping the first row, limit 1: %+v, want the second row alone", skipped)
	}
	both := directory.CursorRange{First: p.Changes[0].Cursor, Last: p.Changes[1].Cursor}
	if none := pending(f.s.PendingChanges(ctx, f.tenant.ID, start.Horizon, 0, []directory.CursorRange{both})); none.TooMany || len(none.Changes) != 0 {
		t.Errorf("skipping every row, limit 0: %+v, want none and no TooMany", none)
	}
}

// testPendingOpenTransaction: a row committed while an older transaction
// is still open is pending at once (a reader must see every acknowledged
// write), and the horizon stays below the open transaction's row, so that
// row is pending once it commits. Engines with one writer at a time make
// the second writer wait; the rule holds there too.
func testPendingOpenTransaction(t *testing.T, f *fixture) {
	ctx := f.ctx
	start := must[directory.Pending](t, "PendingChanges")(f.s.PendingChanges(ctx, f.tenant.ID, 0, 0, nil))
	early, late := f.pendingRow(f.tenant.ID), f.pendingRow(f.tenant.ID)
	appended, release := make(chan struct{}), make(chan struct{})
	earlyDone, lateDone := make(chan error, 1), make(chan error, 1)
	go func() {
		first := true
		earlyDone <- f.s.Update(ctx, func(tx directory.Tx) error {
			if err := tx.AppendChanges(ctx, []directory.Change{early}); err != nil {
				return err
			}
			// A store may hold the row back until the run's next
			// statement (PostgreSQL's pipeline); this read sends it.
			if _, err := tx.ChangePosition(ctx); err != nil {
				return err
			}
			if first {
				first = false
				close(appended)
				<-release
			}
			return nil
		})
	}()
	<-appended
	go func() {
		lateDone <- f.s.Update(ctx, func(tx directory.Tx) error { return tx.AppendChanges(ctx, []directory.Change{late}) })
	}()
	var mid directory.Pending
	select {
	case err := <-lateDone:
		if err != nil {
			t.Fatal(err)
		}
		mid = must[directory.Pending](t, "PendingChanges")(f.s.PendingChanges(ctx, f.tenant.ID, start.Horizon, 10, nil))
		if !slices.Equal(pendingIDs(mid), []directory.ObjectID{late.ObjectID}) {
			t.Fatalf("while an older transaction is open: %+v, want the committed row alone", mid)
		}
		if mid.Horizon >= mid.Changes[0].Cursor {
			t.Fatalf("horizon %d at or above the row %d committed after an open transaction", mid.Horizon, mid.Changes[0].Cursor)
		}
		lateDone <- nil
	case <-time.After(200 * time.Millisecond):
		mid = start // the second writer waits for the first
	}
	close(release)
	if err := <-earlyDone; err != nil {
		t.Fatal(err)
	}
	if err := <-lateDone; err != nil {
		t.Fatal(err)
	}
	end := must[directory.Pending](t, "PendingChanges")(f.s.PendingChanges(ctx, f.tenant.ID, mid.Horizon, 10, nil))
	ids := pendingIDs(end)
	// The late row is above mid's horizon, so it is pending again.
	if !slices.Contains(ids, early.ObjectID) || !slices.Contains(ids, late.ObjectID) {
		t.Fatalf("after both commits, from %d: %v, want %s and %s", mid.Horizon, ids, early.ObjectID, late.ObjectID)
	}
}
