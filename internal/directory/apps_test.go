package directory_test

import (
	"errors"
	"testing"
	"time"

	"groupd/internal/directory"
)

// TestApplicationLifecycle covers the application rules of the domain:
// validated permissions, secrets that are hashed, expire and can be
// revoked, one error for every failed client authentication, and change
// log rows for every write.
func TestApplicationLifecycle(t *testing.T) {
	e := newEnv(t)
	ctx := e.ctx
	if _, _, err := e.svc.CreateApplication(ctx, e.tenant.ID, "x", []string{"Group.Read.All", "Sites.FullControl.All"}); !errors.Is(err, directory.ErrInvalid) {
		t.Errorf("unknown permission: %v", err)
	}
	if _, _, err := e.svc.CreateApplication(ctx, e.tenant.ID, " ", nil); !errors.Is(err, directory.ErrInvalid) {
		t.Errorf("empty name: %v", err)
	}
	a, secret, err := e.svc.CreateApplication(ctx, e.tenant.ID, "tool", []string{"group.read.all", "Group.Read.All", "User.Read.All"})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Roles) != 2 || a.Roles[0] != directory.PermGroupReadAll || len(secret) != 40 ||
		a.Secrets[0].Hash == secret || a.Secrets[0].Hint != secret[:3] {
		t.Errorf("created %+v with secret %q", a, secret)
	}
	if _, err := e.svc.AuthenticateClient(ctx, e.tenant.ID, a.AppID, secret); err != nil {
		t.Errorf("right secret: %v", err)
	}
	other, err := e.svc.CreateTenant(ctx, "Other", "other.example")
	if err != nil {
		t.Fatal(err)
	}
	var ce *directory.ClientError
	for name, try := range map[string]func() error{
		"wrong secret": func() error { _, err := e.svc.AuthenticateClient(ctx, e.tenant.ID, a.AppID, secret+"x"); return err },
		"other tenant": func() error { _, err := e.svc.AuthenticateClient(ctx, other.ID, a.AppID, secret); return err },
		"unknown app":  func() error { _, err := e.svc.AuthenticateClient(ctx, e.tenant.ID, "not-a-guid", secret); return err },
	} {
		if err := try(); !errors.As(err, &ce) || ce.Reason != directory.ClientInvalid || !errors.Is(err, directory.ErrUnauthorized) {
			t.Errorf("%s: %v", name, err)
		}
	}

	second, s2, err := e.svc.AddSecret(ctx, e.tenant.ID, a.AppID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.RevokeSecret(ctx, e.tenant.ID, a.AppID, a.Secrets[0].KeyID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AuthenticateClient(ctx, e.tenant.ID, a.AppID, secret); !errors.As(err, &ce) {
		t.Errorf("revoked secret: %v", err)
	}
	if _, err := e.svc.AuthenticateClient(ctx, e.tenant.ID, a.AppID, s2); err != nil {
		t.Errorf("second secret: %v", err)
	}
	if err := e.svc.RevokeSecret(ctx, e.tenant.ID, a.AppID, "nope"); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("revoke unknown secret: %v", err)
	}
	// An expired secret never matches.
	late := directory.New(e.st, directory.WithClock(func() time.Time { return second.ExpiresAt.Add(time.Second) }))
	if _, err := late.AuthenticateClient(ctx, e.tenant.ID, a.AppID, s2); !errors.As(err, &ce) {
		t.Errorf("expired secret: %v", err)
	}

	if _, err := e.svc.SetEnabled(ctx, e.tenant.ID, a.AppID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AuthenticateClient(ctx, e.tenant.ID, a.AppID, s2); !errors.As(err, &ce) || ce.Reason != directory.ClientDisabled {
		t.Errorf("disabled app, right secret: %v", err)
	}
	if _, err := e.svc.AuthenticateClient(ctx, e.tenant.ID, a.AppID, "wrong"); !errors.As(err, &ce) || ce.Reason != directory.ClientInvalid {
		t.Errorf("disabled app, wrong secret must not say disabled: %v", err)
	}
	if _, err := e.svc.AddCertificate(ctx, e.tenant.ID, a.AppID, []byte("not pem")); !errors.Is(err, directory.ErrInvalid) {
		t.Errorf("bad certificate: %v", err)
	}
	if _, err := e.svc.SetRoles(ctx, other.ID, a.AppID, nil); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("roles through another tenant: %v", err)
	}
	if err := e.svc.DeleteApplication(ctx, e.tenant.ID, a.AppID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Application(ctx, e.tenant.ID, a.AppID); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("deleted app: %v", err)
	}

	// Written: create, secret add, secret revoke, disable, delete; the
	// refused calls wrote nothing.
	rows, err := e.st.Changes(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	ops := map[directory.ChangeOp]int{}
	for _, r := range rows {
		if r.ObjectKind == directory.KindApplication && r.ObjectID == a.ID {
			ops[r.Op]++
		}
	}
	if ops[directory.OpCreated] != 1 || ops[directory.OpUpdated] != 3 || ops[directory.OpHardDeleted] != 1 {
		t.Errorf("change log rows of the app: %v", ops)
	}
}

// TestSigningKeyRotation: the first key is made on demand, a rotation
// retires it, and a later rotation removes keys retired longer ago than
// the tokens they signed can live.
func TestSigningKeyRotation(t *testing.T) {
	e := newEnv(t)
	keys, err := e.svc.SigningKeys(e.ctx)
	if err != nil || len(keys) != 1 || keys[0].RetiredAt != nil {
		t.Fatalf("first key: %+v, %v", keys, err)
	}
	gen := e.svc.SigningKeysGeneration()
	k2, err := e.svc.RotateSigningKeys(e.ctx, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if e.svc.SigningKeysGeneration() == gen {
		t.Error("rotation did not change the key generation")
	}
	keys, _ = e.svc.SigningKeys(e.ctx)
	if len(keys) != 2 || keys[0].ID != k2.ID || keys[1].RetiredAt == nil {
		t.Fatalf("after rotation: %+v", keys)
	}
	later := directory.New(e.st, directory.WithClock(func() time.Time { return time.Now().Add(2 * time.Hour) }))
	k3, err := later.RotateSigningKeys(e.ctx, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ = e.svc.SigningKeys(e.ctx)
	if len(keys) != 2 || keys[0].ID != k3.ID || keys[1].ID != k2.ID {
		t.Errorf("after a second rotation two hours later: %+v", keys)
	}
}
