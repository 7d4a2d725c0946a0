package libregraph_test

import (
	"context"
	"net/http"
	"testing"

	"groupd/internal/directory"
)

// TestRenameAccount: renaming onPremisesSamAccountName frees the old name,
// as oCIS's rename of the LDAP entry does: the userPrincipalName and
// mailNickname derived from it follow, and a new user may take the old
// name. Values not derived from the old name stay.
func TestRenameAccount(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tn, err := e.dir.DefaultTenant(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stored := func(id string) directory.User {
		t.Helper()
		u, err := e.dir.User(ctx, tn.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}

	id := e.created(e.do("POST", "/users", `{"displayName":"Marie Curie","onPremisesSamAccountName":"marie","mail":"marie@example.org"}`), "users")
	marie := userJSON("Marie Curie", id, "marie@example.org", "mcurie")
	e.want(e.do("PATCH", "/users/marie", `{"onPremisesSamAccountName":"mcurie"}`), http.StatusOK, marie)
	if u := stored(id); u.UserPrincipalName != "mcurie@example.org" || u.MailNickname != "mcurie" {
		t.Fatalf("after rename: userPrincipalName %q, mailNickname %q", u.UserPrincipalName, u.MailNickname)
	}
	for _, key := range []string{"mcurie", "mcurie@example.org", id} {
		e.want(e.do("GET", "/users/"+key, ""), http.StatusOK, marie)
	}
	e.wantError(e.do("GET", "/users/marie", ""), http.StatusNotFound, "itemNotFound", "not found")
	e.wantError(e.do("GET", "/users/marie@example.org", ""), http.StatusNotFound, "itemNotFound", "not found")
	other := e.created(e.do("POST", "/users", `{"displayName":"Another Marie","onPremisesSamAccountName":"marie"}`), "users")
	if u := stored(other); u.UserPrincipalName != "marie@example.org" {
		t.Fatalf("new user's userPrincipalName %q", u.UserPrincipalName)
	}
	// Renaming onto a taken account name is oCIS's 409, and changes nothing.
	before := e.state()
	e.wantError(e.do("PATCH", "/users/mcurie", `{"onPremisesSamAccountName":"MARIE"}`), http.StatusConflict,
		"nameAlreadyExists", "a user with that name already exists")
	e.unchanged(before)

	// A principal name set through Microsoft Graph is not derived: it stays.
	str := func(v string) *string { return &v }
	yes := true
	custom, err := e.dir.CreateUser(ctx, tn.ID, directory.UserFields{DisplayName: str("Custom"), AccountEnabled: &yes,
		UserPrincipalName: str("custom.name@example.org"), MailNickname: str("customnick"),
		OnPremisesSamAccountName: str("c1"), Password: str("Relativ1ty!")}, directory.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	e.want(e.do("PATCH", "/users/c1", `{"onPremisesSamAccountName":"c2"}`), http.StatusOK,
		`{"displayName":"Custom","id":"`+string(custom.ID)+`","onPremisesSamAccountName":"c2"}`)
	if u := stored(string(custom.ID)); u.UserPrincipalName != "custom.name@example.org" || u.MailNickname != "customnick" {
		t.Fatalf("custom names changed: %q, %q", u.UserPrincipalName, u.MailNickname)
	}

	// An account name that forms no valid principal name or nickname (a
	// trailing period) is renamed alone.
	p := e.created(e.do("POST", "/users", `{"displayName":"Pierre","onPremisesSamAccountName":"pierre"}`), "users")
	e.want(e.do("PATCH", "/users/"+p, `{"onPremisesSamAccountName":"pierre."}`), http.StatusOK,
		`{"displayName":"Pierre","id":"`+p+`","onPremisesSamAccountName":"pierre."}`)
	if u := stored(p); u.UserPrincipalName != "pierre@example.org" || u.MailNickname != "pierre" {
		t.Fatalf("underivable rename: %q, %q", u.UserPrincipalName, u.MailNickname)
	}
	// The name it left behind is free as an account name, but its principal
	// name is not; the 409 names the principal name, not the account name.
	before = e.state()
	e.wantError(e.do("POST", "/users", `{"displayName":"P2","onPremisesSamAccountName":"Pierre"}`), http.StatusConflict,
		"nameAlreadyExists", "a user with the userPrincipalName 'Pierre@example.org' already exists")
	e.unchanged(before)
	// An invalid account name is still named as such, not as the principal
	// name derived from it.
	e.wantError(e.do("PATCH", "/users/"+p, `{"onPremisesSamAccountName":"pi erre"}`), http.StatusBadRequest, "invalidRequest",
		"Invalid onPremisesSamAccountName: contains characters that are not allowed: must start with a letter or _ and contain only letters, digits, _ . -")
}
