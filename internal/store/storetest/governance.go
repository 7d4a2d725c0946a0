package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"groupd/internal/directory"
)

func testGroupSettings(t *testing.T, f *fixture) {
	st := directory.GroupSetting{ID: directory.NewObjectID(), TenantID: f.tenant.ID, TemplateID: directory.UnifiedTemplateID,
		DisplayName: "Group.Unified", CreatedAt: f.now,
		Values: []directory.SettingValue{{Name: "ClassificationList", Value: "low,high"}, {Name: "EnableGroupCreation", Value: "true"}}}
	f.update(func(tx directory.Tx) error { return tx.InsertGroupSetting(f.ctx, st) })
	got, err := f.s.GroupSettings(f.ctx, f.tenant.ID, "")
	if err != nil || len(got) != 1 || !reflect.DeepEqual(got[0], st) {
		t.Fatalf("GroupSettings = %+v, %v; want [%+v]", got, err, st)
	}
	// One setting per template and tenant.
	dup := st
	dup.ID = directory.NewObjectID()
	var ce *directory.ConflictError
	if err := f.s.Update(f.ctx, func(tx directory.Tx) error { return tx.InsertGroupSetting(f.ctx, dup) }); !errors.As(err, &ce) || ce.Property != "templateId" {
		t.Fatalf("second setting of a template: %v, want *ConflictError naming templateId", err)
	}
	// Another tenant neither sees it nor collides with it.
	other := f.otherTenant("fabrikam.example")
	if l, err := f.s.GroupSettings(f.ctx, other.ID, ""); err != nil || len(l) != 0 {
		t.Fatalf("other tenant sees %+v, %v", l, err)
	}
	dup.TenantID = other.ID
	f.update(func(tx directory.Tx) error { return tx.InsertGroupSetting(f.ctx, dup) })

	st.Values = []directory.SettingValue{{Name: "ClassificationList", Value: "secret"}}
	f.update(func(tx directory.Tx) error { return tx.ReplaceGroupSetting(f.ctx, st) })
	got, _ = f.s.GroupSettings(f.ctx, f.tenant.ID, "")
	if len(got) != 1 || !reflect.DeepEqual(got[0].Values, st.Values) {
		t.Fatalf("after replace: %+v", got)
	}
	f.update(func(tx directory.Tx) error { return tx.DeleteGroupSetting(f.ctx, f.tenant.ID, st.ID) })
	if err := f.s.Update(f.ctx, func(tx directory.Tx) error { return tx.DeleteGroupSetting(f.ctx, f.tenant.ID, st.ID) }); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("delete twice: %v, want not found", err)
	}
	if l, _ := f.s.GroupSettings(f.ctx, f.tenant.ID, ""); len(l) != 0 {
		t.Fatalf("after delete: %+v", l)
	}
	testGroupScopedSettings(t, f)
}

// testGroupScopedSettings: a group's settings are apart from the
// tenant's, one per template and group, and go with the group when it is
// deleted for good.
func testGroupScopedSettings(t *testing.T, f *fixture) {
	g, h := f.insertGroup(f.newUnified("guestless")), f.insertGroup(f.newUnified("other"))
	tenantWide := directory.GroupSetting{ID: directory.NewObjectID(), TenantID: f.tenant.ID, TemplateID: directory.GuestTemplateID,
		DisplayName: "Group.Unified.Guest", CreatedAt: f.now, Values: []directory.SettingValue{{Name: "AllowToAddGuests", Value: "true"}}}
	own := tenantWide
	own.ID, own.GroupID = directory.NewObjectID(), g.ID
	own.Values = []directory.SettingValue{{Name: "AllowToAddGuests", Value: "false"}}
	f.update(func(tx directory.Tx) error { return tx.InsertGroupSetting(f.ctx, own) })
	f.update(func(tx directory.Tx) error { return tx.InsertGroupSetting(f.ctx, tenantWide) })
	if got, err := f.s.GroupSettings(f.ctx, f.tenant.ID, g.ID); err != nil || len(got) != 1 || !reflect.DeepEqual(got[0], own) {
		t.Fatalf("settings of the group = %+v, %v; want [%+v]", got, err, own)
	}
	if got, _ := f.s.GroupSettings(f.ctx, f.tenant.ID, ""); len(got) != 1 || got[0].ID != tenantWide.ID {
		t.Fatalf("settings of the tenant = %+v, want the tenant's alone", got)
	}
	if got, _ := f.s.GroupSettings(f.ctx, f.tenant.ID, h.ID); len(got) != 0 {
		t.Fatalf("settings of another group = %+v", got)
	}
	dup := own
	dup.ID = directory.NewObjectID()
	var ce *directory.ConflictError
	if err := f.s.Update(f.ctx, func(tx directory.Tx) error { return tx.InsertGroupSetting(f.ctx, dup) }); !errors.As(err, &ce) || ce.Property != "templateId" {
		t.Fatalf("second setting of a template for one group: %v, want *ConflictError naming templateId", err)
	}
	f.update(func(tx directory.Tx) error { return tx.SoftDeleteGroup(f.ctx, f.tenant.ID, g.ID, f.now) })
	if got, _ := f.s.GroupSettings(f.ctx, f.tenant.ID, g.ID); len(got) != 1 {
		t.Fatalf("a soft-deleted group keeps its settings for a restore: %+v", got)
	}
	f.update(func(tx directory.Tx) error { return tx.DeleteGroup(f.ctx, f.tenant.ID, g.ID) })
	if got, _ := f.s.GroupSettings(f.ctx, f.tenant.ID, g.ID); len(got) != 0 {
		t.Fatalf("settings outlive their group: %+v", got)
	}
	f.update(func(tx directory.Tx) error { return tx.DeleteGroupSetting(f.ctx, f.tenant.ID, tenantWide.ID) })
}

func testTeams(t *testing.T, f *fixture) {
	g := f.insertGroup(f.newUnified("Project"))
	if _, err := f.s.Team(f.ctx, f.tenant.ID, g.ID); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("team before insert: %v", err)
	}
	tm := directory.Team{GroupID: g.ID, TenantID: f.tenant.ID, InternalID: "19:abc@thread.tacv2", CreatedAt: f.now,
		Settings: directory.DefaultTeamSettings()}
	f.update(func(tx directory.Tx) error { return tx.InsertTeam(f.ctx, tm) })
	got, err := f.s.Team(f.ctx, f.tenant.ID, g.ID)
	if err != nil || !reflect.DeepEqual(got, tm) {
		t.Fatalf("Team = %+v, %v; want %+v", got, err, tm)
	}
	var ce *directory.ConflictError
	if err := f.s.Update(f.ctx, func(tx directory.Tx) error { return tx.InsertTeam(f.ctx, tm) }); !errors.As(err, &ce) || ce.Property != "team" {
		t.Fatalf("second team: %v, want *ConflictError naming team", err)
	}
	tm.IsArchived = true
	tm.Settings["funSettings"]["giphyContentRating"] = "strict"
	f.update(func(tx directory.Tx) error { return tx.UpdateTeam(f.ctx, tm) })
	if got, _ = f.s.Team(f.ctx, f.tenant.ID, g.ID); !reflect.DeepEqual(got, tm) {
		t.Fatalf("after update: %+v", got)
	}
	if _, err := f.s.Team(f.ctx, f.otherTenant("fabrikam.example").ID, g.ID); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("team from another tenant: %v", err)
	}
	// Hidden with its soft-deleted group, gone with its removed group.
	f.update(func(tx directory.Tx) error { return tx.SoftDeleteGroup(f.ctx, f.tenant.ID, g.ID, f.now) })
	if _, err := f.s.Team(f.ctx, f.tenant.ID, g.ID); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("team of a deleted group: %v", err)
	}
	f.update(func(tx directory.Tx) error { return tx.DeleteGroup(f.ctx, f.tenant.ID, g.ID) })
	g2 := f.insertGroup(f.newUnified("Other"))
	if err := f.s.Update(f.ctx, func(tx directory.Tx) error {
		return tx.UpdateTeam(f.ctx, directory.Team{GroupID: g2.ID, TenantID: f.tenant.ID})
	}); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("update of no team: %v", err)
	}
}

func testUsersByUPN(t *testing.T, f *fixture) {
	a := f.insertUser(f.newUser("adele"))
	b := f.insertUser(f.newUser("bianca"))
	gone := f.insertUser(f.newUser("gone"))
	f.update(func(tx directory.Tx) error { return tx.SoftDeleteUser(f.ctx, f.tenant.ID, gone.ID, f.now) })
	got, err := f.s.UsersByUPN(f.ctx, f.tenant.ID, []string{"ADELE@contoso.example", "bianca@CONTOSO.example", "nobody@contoso.example", "gone@contoso.example"})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[directory.ObjectID]bool{}
	for _, u := range got {
		ids[u.ID] = true
	}
	if len(got) != 2 || !ids[a.ID] || !ids[b.ID] {
		t.Fatalf("UsersByUPN = %+v, want adele and bianca", got)
	}
	if got, _ := f.s.UsersByUPN(f.ctx, f.otherTenant("fabrikam.example").ID, []string{"adele@contoso.example"}); len(got) != 0 {
		t.Fatalf("other tenant resolves %+v", got)
	}
}

func testIdempotency(t *testing.T, f *fixture) {
	if _, err := f.s.IdempotencyRecord(f.ctx, f.tenant.ID, "app", "k1"); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("before put: %v", err)
	}
	rec := directory.IdempotencyRecord{TenantID: f.tenant.ID, Principal: "app", Key: "k1", Fingerprint: "fp",
		GroupID: directory.NewObjectID(), Response: []byte(`{"a":1}`), CreatedAt: f.now}
	f.update(func(tx directory.Tx) error { return tx.PutIdempotencyRecord(f.ctx, rec) })
	got, err := f.s.IdempotencyRecord(f.ctx, f.tenant.ID, "app", "k1")
	if err != nil || !reflect.DeepEqual(got, rec) {
		t.Fatalf("record = %+v, %v; want %+v", got, err, rec)
	}
	// Keys are per principal.
	if _, err := f.s.IdempotencyRecord(f.ctx, f.tenant.ID, "other-app", "k1"); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("other principal: %v", err)
	}
	rec.Response, rec.CreatedAt = []byte(`{"b":2}`), f.now.Add(time.Hour)
	f.update(func(tx directory.Tx) error { return tx.PutIdempotencyRecord(f.ctx, rec) })
	if got, _ = f.s.IdempotencyRecord(f.ctx, f.tenant.ID, "app", "k1"); !reflect.DeepEqual(got, rec) {
		t.Fatalf("after replace: %+v", got)
	}
	// A rolled-back transaction stores nothing.
	boom := errors.New("boom")
	err = f.s.Update(f.ctx, func(tx directory.Tx) error {
		if err := tx.PutIdempotencyRecord(f.ctx, directory.IdempotencyRecord{TenantID: f.tenant.ID, Principal: "app",
			Key: "k2", Response: []byte("x"), CreatedAt: f.now}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if _, err := f.s.IdempotencyRecord(f.ctx, f.tenant.ID, "app", "k2"); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("rolled back record visible: %v", err)
	}
}
