package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"groupd/internal/directory"
)

// appStore returns the engine's application support, skipping loudly when
// the engine has none yet (the optional interface becomes part of Store
// once every engine implements it).
func appStore(t *testing.T, f *fixture) directory.AppReader {
	t.Helper()
	r, ok := f.s.(directory.AppReader)
	if !ok {
		t.Skip("SKIP (engine gap): this engine does not implement directory.AppReader/AppTx yet")
	}
	return r
}

func (f *fixture) newApp(tenant directory.TenantID, name string) directory.Application {
	return directory.Application{
		ID: directory.NewObjectID(), AppID: uuid.NewString(), TenantID: tenant, DisplayName: name,
		Roles: []directory.Permission{directory.PermGroupReadAll}, Enabled: true,
		ServicePrincipalID: directory.NewObjectID(), CreatedAt: f.now,
		Secrets: []directory.Secret{{KeyID: uuid.NewString(), Hint: "abc", Hash: "00ff",
			CreatedAt: f.now, ExpiresAt: f.now.Add(time.Hour)}},
	}
}

func appTx(t *testing.T, tx directory.Tx) directory.AppTx {
	at, ok := tx.(directory.AppTx)
	if !ok {
		t.Fatal("store reads applications but its Tx cannot write them")
	}
	return at
}

// testApps covers the application contract: round trip of every field,
// replace, tenant walls, appId conflicts, delete.
func testApps(t *testing.T, f *fixture) {
	r := appStore(t, f)
	ctx := f.ctx
	a := f.newApp(f.tenant.ID, "reporting")
	a.Certificates = []directory.Certificate{{KeyID: uuid.NewString(), Thumbprint: "x5t", PEM: "pem",
		CreatedAt: f.now, ExpiresAt: f.now.Add(24 * time.Hour)}}
	f.update(func(tx directory.Tx) error { return appTx(t, tx).InsertApplication(ctx, a) })

	got, err := r.Application(ctx, f.tenant.ID, a.AppID)
	if err != nil {
		t.Fatalf("Application: %v", err)
	}
	if !reflect.DeepEqual(got, a) {
		t.Errorf("Application round trip:\n got %+v\nwant %+v", got, a)
	}

	other := f.otherTenant("fabrikam.example")
	if _, err := r.Application(ctx, other.ID, a.AppID); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("Application from another tenant: err %v, want ErrNotFound", err)
	}
	if sps, err := r.ServicePrincipals(ctx, other.ID, []directory.ObjectID{a.ServicePrincipalID}); err != nil || len(sps) != 0 {
		t.Errorf("ServicePrincipals from another tenant: %v, %v", sps, err)
	}
	if page, err := r.Applications(ctx, other.ID, directory.PageRequest{}); err != nil || len(page.Items) != 0 {
		t.Errorf("Applications of another tenant: %v, %v", page.Items, err)
	}

	dup := f.newApp(other.ID, "dup")
	dup.AppID = a.AppID
	err = f.s.Update(ctx, func(tx directory.Tx) error { return appTx(t, tx).InsertApplication(ctx, dup) })
	var ce *directory.ConflictError
	if !errors.As(err, &ce) || ce.Property != "appId" {
		t.Errorf("duplicate appId: err %v, want ConflictError appId", err)
	}

	a.DisplayName, a.Enabled, a.Secrets = "renamed", false, nil
	a.Roles = []directory.Permission{directory.PermGroupCreate, directory.PermUserReadAll}
	f.update(func(tx directory.Tx) error { return appTx(t, tx).ReplaceApplication(ctx, a) })
	got, err = r.Application(ctx, f.tenant.ID, a.AppID)
	if err != nil || got.DisplayName != "renamed" || got.Enabled || len(got.Secrets) != 0 || len(got.Roles) != 2 {
		t.Errorf("after replace: %+v, %v", got, err)
	}
	sps, err := r.ServicePrincipals(ctx, f.tenant.ID, []directory.ObjectID{a.ServicePrincipalID, directory.NewObjectID()})
	if err != nil || len(sps) != 1 || sps[0].ID != a.ID {
		t.Errorf("ServicePrincipals: %v, %v", sps, err)
	}

	// A service principal may own a group (Group.Create); AppOwners
	// finds it, another tenant does not, and deleting the app drops it.
	g := f.group()
	f.update(func(tx directory.Tx) error {
		return tx.AddOwners(ctx, f.tenant.ID, g.ID, []directory.MemberRef{{ID: a.ServicePrincipalID, Kind: directory.KindServicePrincipal}})
	})
	if owners, err := r.AppOwners(ctx, f.tenant.ID, g.ID); err != nil || len(owners) != 1 || owners[0].ID != a.ID {
		t.Errorf("AppOwners: %+v, %v", owners, err)
	}
	if owners, err := r.AppOwners(ctx, other.ID, g.ID); err != nil || len(owners) != 0 {
		t.Errorf("AppOwners through another tenant: %+v, %v", owners, err)
	}
	// RelateNewGroup makes the creating application an owner beside the
	// users, as AddOwners does, and counts it as AddOwners does.
	h, u := f.newUnified("app-made"), f.user()
	f.update(func(tx directory.Tx) error {
		if err := tx.InsertGroup(ctx, h); err != nil {
			return err
		}
		return tx.RelateNewGroup(ctx, f.tenant.ID, h.ID, a.ServicePrincipalID, []directory.ObjectID{u.ID}, []directory.ObjectID{u.ID})
	})
	if owners, err := r.AppOwners(ctx, f.tenant.ID, h.ID); err != nil || len(owners) != 1 || owners[0].ID != a.ID {
		t.Errorf("AppOwners of a group related with its creator: %+v, %v", owners, err)
	}
	f.update(func(tx directory.Tx) error {
		return tx.AddOwners(ctx, f.tenant.ID, g.ID, []directory.MemberRef{{ID: u.ID, Kind: directory.KindUser}})
	})
	byAdd, err1 := f.s.CountOwners(ctx, f.tenant.ID, g.ID)
	byRelate, err2 := f.s.CountOwners(ctx, f.tenant.ID, h.ID)
	if err1 != nil || err2 != nil || byAdd != byRelate {
		t.Errorf("CountOwners: %d after AddOwners, %d after RelateNewGroup (%v, %v)", byAdd, byRelate, err1, err2)
	}
	if in, err := f.s.Contains(ctx, f.tenant.ID, h.ID, u.ID); err != nil || !in {
		t.Errorf("member of the group related with its creator: %v, %v", in, err)
	}

	b := f.insertAppN(f.tenant.ID, "second")
	page, err := r.Applications(ctx, f.tenant.ID, directory.PageRequest{Top: 1})
	if err != nil || len(page.Items) != 1 || page.Next == "" {
		t.Fatalf("Applications page 1: %+v, %v", page, err)
	}
	page2, err := r.Applications(ctx, f.tenant.ID, directory.PageRequest{Top: 1, After: page.Next})
	if err != nil || len(page2.Items) != 1 || page2.Next != "" || page2.Items[0].ID == page.Items[0].ID {
		t.Errorf("Applications page 2: %+v, %v", page2, err)
	}

	f.update(func(tx directory.Tx) error { return appTx(t, tx).DeleteApplication(ctx, f.tenant.ID, a.ID) })
	if _, err := r.Application(ctx, f.tenant.ID, a.AppID); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("deleted application: err %v", err)
	}
	// The ownership row went with the app: a new app reusing the service
	// principal id does not inherit it.
	reuse := f.newApp(f.tenant.ID, "reuse")
	reuse.ServicePrincipalID = a.ServicePrincipalID
	f.update(func(tx directory.Tx) error { return appTx(t, tx).InsertApplication(ctx, reuse) })
	if owners, err := r.AppOwners(ctx, f.tenant.ID, g.ID); err != nil || len(owners) != 0 {
		t.Errorf("ownership survived the app's deletion: %+v, %v", owners, err)
	}
	err = f.s.Update(ctx, func(tx directory.Tx) error { return appTx(t, tx).DeleteApplication(ctx, other.ID, b.ID) })
	if !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("delete through another tenant: err %v, want ErrNotFound", err)
	}
}

func (f *fixture) insertAppN(tenant directory.TenantID, name string) directory.Application {
	a := f.newApp(tenant, name)
	f.update(func(tx directory.Tx) error { return appTx(f.t, tx).InsertApplication(f.ctx, a) })
	return a
}

// testSigningKeys covers insert, newest-first order, retire and removal.
func testSigningKeys(t *testing.T, f *fixture) {
	r := appStore(t, f)
	ctx := f.ctx
	if keys, err := r.SigningKeys(ctx); err != nil || len(keys) != 0 {
		t.Fatalf("SigningKeys of a new store: %v, %v", keys, err)
	}
	k1 := directory.SigningKey{ID: "k1", PEM: "one", CreatedAt: f.now.Add(-time.Hour)}
	k2 := directory.SigningKey{ID: "k2", PEM: "two", CreatedAt: f.now}
	f.update(func(tx directory.Tx) error { return appTx(t, tx).InsertSigningKey(ctx, k1) })
	f.update(func(tx directory.Tx) error {
		at := appTx(t, tx)
		if err := at.RetireSigningKeys(ctx, f.now); err != nil {
			return err
		}
		return at.InsertSigningKey(ctx, k2)
	})
	keys, err := r.SigningKeys(ctx)
	if err != nil || len(keys) != 2 || keys[0].ID != "k2" || keys[0].RetiredAt != nil ||
		keys[1].RetiredAt == nil || !keys[1].RetiredAt.Equal(f.now) || keys[1].PEM != "one" {
		t.Fatalf("SigningKeys after rotation: %+v, %v", keys, err)
	}
	f.update(func(tx directory.Tx) error { return appTx(t, tx).DeleteSigningKeys(ctx, f.now) })
	if keys, _ := r.SigningKeys(ctx); len(keys) != 2 {
		t.Errorf("a key retired exactly at the cut was removed: %+v", keys)
	}
	f.update(func(tx directory.Tx) error { return appTx(t, tx).DeleteSigningKeys(ctx, f.now.Add(time.Second)) })
	if keys, _ := r.SigningKeys(ctx); len(keys) != 1 || keys[0].ID != "k2" {
		t.Errorf("after removing retired keys: %+v", keys)
	}
}
