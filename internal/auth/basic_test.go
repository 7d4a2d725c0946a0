package auth_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"groupd/internal/auth"
	"groupd/internal/directory"
	"groupd/internal/store"
)

// A cached Basic credential skips only bcrypt: a password change, a
// disabled account, a revoked role or a deletion takes effect on the very
// next request.
func TestBasicCacheFollowsTheUser(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	dir := directory.New(st, directory.WithPasswordCost(4), directory.WithReadCache(100))
	boot, err := dir.Bootstrap(ctx, "example.org", "Adm1n-pass")
	if err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	yes, no := true, false
	u, err := dir.CreateUser(ctx, boot.Tenant.ID, directory.UserFields{AccountEnabled: &yes, DisplayName: str("Ada"),
		MailNickname: str("ada"), UserPrincipalName: str("ada@example.org"), Password: str("Lovelace-1815"), IsAdmin: &yes},
		directory.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	b := auth.NewBasic(dir, time.Hour)
	login := func(user, pw string) (auth.Principal, error) {
		r := httptest.NewRequest("GET", "/", nil)
		r.SetBasicAuth(user, pw)
		return b.Authenticate(ctx, r)
	}
	mustFail := func(what, user, pw string) {
		t.Helper()
		if _, err := login(user, pw); !errors.Is(err, directory.ErrUnauthorized) {
			t.Fatalf("%s: want ErrUnauthorized, got %v", what, err)
		}
	}
	p, err := login("ada@example.org", "Lovelace-1815")
	if err != nil || !p.IsAdmin {
		t.Fatalf("first login: %+v %v", p, err)
	}
	if _, err := dir.UpdateUser(ctx, boot.Tenant.ID, string(u.ID), directory.UserFields{IsAdmin: &no}); err != nil {
		t.Fatal(err)
	}
	if p, err := login("ada@example.org", "Lovelace-1815"); err != nil || p.IsAdmin {
		t.Fatalf("after revoking the role: %+v %v", p, err)
	}
	if _, err := dir.UpdateUser(ctx, boot.Tenant.ID, string(u.ID), directory.UserFields{Password: str("Babbage-1834")}); err != nil {
		t.Fatal(err)
	}
	mustFail("old password after a change", "ada@example.org", "Lovelace-1815")
	if _, err := login("ada@example.org", "Babbage-1834"); err != nil {
		t.Fatalf("new password: %v", err)
	}
	if _, err := dir.UpdateUser(ctx, boot.Tenant.ID, string(u.ID), directory.UserFields{AccountEnabled: &no}); err != nil {
		t.Fatal(err)
	}
	mustFail("disabled account", "ada@example.org", "Babbage-1834")
	if _, err := dir.UpdateUser(ctx, boot.Tenant.ID, string(u.ID), directory.UserFields{AccountEnabled: &yes}); err != nil {
		t.Fatal(err)
	}
	if _, err := login("ada@example.org", "Babbage-1834"); err != nil {
		t.Fatalf("enabled again: %v", err)
	}
	if err := dir.DeleteUser(ctx, boot.Tenant.ID, string(u.ID)); err != nil {
		t.Fatal(err)
	}
	mustFail("deleted user", "ada@example.org", "Babbage-1834")
}
