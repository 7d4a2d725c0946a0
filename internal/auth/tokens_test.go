package auth_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"groupd/internal/auth"
	"groupd/internal/directory"
	"groupd/internal/store/sqlite"
)

func setup(t *testing.T) (*directory.Service, *auth.Tokens, directory.Application, directory.Tenant) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	dir := directory.New(st, directory.WithPasswordCost(4))
	boot, err := dir.Bootstrap(ctx, "example.org", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	other, err := dir.CreateTenant(ctx, "Other", "other.example")
	if err != nil {
		t.Fatal(err)
	}
	app, _, err := dir.CreateApplication(ctx, boot.Tenant.ID, "a", []string{"Group.Read.All"})
	if err != nil {
		t.Fatal(err)
	}
	tokens := auth.NewTokens(dir)
	if err := tokens.Init(ctx); err != nil {
		t.Fatal(err)
	}
	return dir, tokens, app, other
}

// TestVerifyWants covers what a request adds to a token's own checks: the
// origin it reached, the audiences of the dialect, the addressed tenant,
// and expiry against the clock, also for a token verified before (cached).
func TestVerifyWants(t *testing.T) {
	ctx := context.Background()
	_, tokens, app, other := setup(t)
	const origin = "https://groupd.example:9200"
	raw, exp, err := tokens.Issue(ctx, origin, app, auth.AudienceGraph)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(exp); d < 59*time.Minute || d > time.Hour {
		t.Errorf("expiry in %v", d)
	}
	good := auth.Want{Origin: origin, Audiences: []string{auth.AudienceGraph}}
	p, err := tokens.Verify(ctx, raw, good)
	if err != nil || p.TenantID != app.TenantID || p.Kind != directory.ActorApp || p.ID != string(app.ServicePrincipalID) ||
		!p.Has(directory.PermGroupReadAll) || p.Has(directory.PermGroupReadWriteAll) {
		t.Fatalf("Verify: %+v, %v", p, err)
	}
	for name, w := range map[string]auth.Want{
		"other origin":   {Origin: "https://127.0.0.1:9200", Audiences: good.Audiences},
		"other audience": {Origin: origin, Audiences: []string{auth.AudienceAADGraph}},
		"other tenant":   {Origin: origin, Audiences: good.Audiences, Tenant: other.ID},
	} {
		if _, err := tokens.Verify(ctx, raw, w); !errors.Is(err, auth.ErrInvalidToken) || !errors.Is(err, directory.ErrUnauthorized) {
			t.Errorf("%s: %v", name, err)
		}
	}
	tokens.SetClock(func() time.Time { return exp.Add(auth.ClockSkew - time.Second) })
	if _, err := tokens.Verify(ctx, raw, good); err != nil {
		t.Errorf("within the skew: %v", err)
	}
	tokens.SetClock(func() time.Time { return exp.Add(auth.ClockSkew + time.Second) })
	if _, err := tokens.Verify(ctx, raw, good); !errors.Is(err, auth.ErrExpiredToken) {
		t.Errorf("past the skew (cached token): %v", err)
	}
}

// TestAllowed: a Need is all of its sets, each any of its permissions.
func TestAllowed(t *testing.T) {
	app := func(roles ...directory.Permission) auth.Principal {
		return auth.Principal{ID: "x", Kind: directory.ActorApp, Roles: roles}
	}
	cases := []struct {
		p    auth.Principal
		need auth.Need
		want bool
	}{
		{app(directory.PermGroupReadAll), auth.NeedGroupRead, true},
		{app(directory.PermUserReadAll), auth.NeedGroupRead, false},
		{app(directory.PermUserReadAll), auth.NeedUserMemberOf, false},
		{app(directory.PermUserReadAll, directory.PermGroupMemberReadAll), auth.NeedUserMemberOf, true},
		{app(directory.PermDirectoryReadAll), auth.NeedUserMemberOf, true},
		{app(), auth.NeedSignedIn, true},
		{auth.Principal{}, auth.NeedSignedIn, false},
		{auth.Principal{ID: "u", Kind: directory.ActorUser}, auth.NeedGroupRead, true},
		{auth.Principal{ID: "u", Kind: directory.ActorUser}, auth.NeedGroupWrite, false},
		{auth.Principal{ID: "u", Kind: directory.ActorUser, IsAdmin: true}, auth.NeedDirWrite, true},
	}
	for i, c := range cases {
		if got := c.p.Allowed(c.need); got != c.want {
			t.Errorf("case %d: Allowed = %v, want %v", i, got, c.want)
		}
	}
}
