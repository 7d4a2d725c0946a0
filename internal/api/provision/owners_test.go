package provision_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"groupd/internal/directory"
)

// TestProvisionByGroupCreateApp: an application holding Group.Create only
// owns the group it provisions, beside the owners named, and counts
// toward the owner limit; a call over it leaves nothing behind.
func TestProvisionByGroupCreateApp(t *testing.T) {
	e := newEnv(t)
	e.token = e.appToken("Group.Create", "User.Read.All")
	owners := make([]string, directory.MaxOwners)
	for i := range owners {
		owners[i] = e.user(fmt.Sprintf("own%03d", i), "").UserPrincipalName
	}
	body := func(nick string, owners []string) map[string]any {
		return map[string]any{"displayName": nick, "mailNickname": nick, "ownerUPNs": owners,
			"memberUPNs": []string{"raulr@" + domain}, "visibility": "Private", "createTeam": true}
	}
	before := e.groupCount()
	e.provision(body("full", owners)).
		wantError(t, http.StatusBadRequest, "Request_BadRequest", "At most 100 values are allowed in owners.", "owners", "LimitExceeded")
	if n := e.groupCount(); n != before {
		t.Fatalf("%d groups after the refused call, want %d", n, before)
	}

	if r := e.provision(body("fits", owners[1:])); r.code != http.StatusCreated {
		t.Fatalf("status %d: %s", r.code, r.body)
	}
	ctx := context.Background()
	p, err := e.dir.Groups(ctx, e.tenant, directory.GroupListRequest{Page: directory.PageRequest{Top: 999}})
	if err != nil {
		t.Fatal(err)
	}
	var g directory.Group
	for _, x := range p.Items {
		if x.MailNickname == "fits" {
			g = x
		}
	}
	users, apps := 0, 0
	for page := (directory.PageRequest{Top: 50}); ; {
		o, err := e.dir.Owners(ctx, e.tenant, string(g.ID), page)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range o.Items {
			switch {
			case x.User != nil:
				users++
			case x.ServicePrincipal != nil:
				apps++
			}
		}
		if o.Next == "" {
			break
		}
		page.After = o.Next
	}
	if users != directory.MaxOwners-1 || apps != 1 {
		t.Fatalf("%d user owners and %d application owners, want %d and 1", users, apps, directory.MaxOwners-1)
	}
	members, err := e.dir.Members(ctx, e.tenant, string(g.ID), directory.PageRequest{Top: 999})
	if err != nil || len(members.Items) != directory.MaxOwners {
		t.Fatalf("%d members, %v; want the owners and raulr", len(members.Items), err)
	}
}
