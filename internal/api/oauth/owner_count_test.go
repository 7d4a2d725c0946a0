package oauth_test

import (
	"context"
	"net/http"
	"testing"

	"groupd/internal/directory"
)

// An application that owns a Microsoft 365 group is an owner like any
// other: with it still there, the last user owner may go, and without any
// other owner the application itself is the last one and stays.
func TestAppOwnerCountsAsOwner(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	creator := e.app(e.tenant.ID, "Group.Create", "User.Read.All")
	tok := e.token(creator)
	u, err := e.dir.CreateUser(ctx, e.tenant.ID, directory.UserFields{AccountEnabled: ptr(true),
		DisplayName: ptr("O"), MailNickname: ptr("o"), UserPrincipalName: ptr("o@example.org"), Password: ptr(adminPass)}, directory.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	r := e.call(http.MethodPost, "/v1.0/groups", tok, `{"displayName":"team","mailNickname":"team","mailEnabled":true,`+
		`"securityEnabled":false,"groupTypes":["Unified"],"owners@odata.bind":["https://graph.microsoft.com/v1.0/users/`+string(u.ID)+`"]}`)
	if r.code != http.StatusCreated {
		t.Fatalf("create: %d %s", r.code, r.body)
	}
	team := r.json(t)["id"].(string)
	if r := e.basic(http.MethodDelete, "/v1.0/groups/"+team+"/owners/"+string(u.ID)+"/$ref", "", "admin"); r.code != http.StatusNoContent {
		t.Fatalf("remove the user owner while the app owns the group: %d %s", r.code, r.body)
	}
	oid := claimsOf(t, tok)["oid"].(string)
	if r := e.basic(http.MethodDelete, "/v1.0/groups/"+team+"/owners/"+oid+"/$ref", "", "admin"); r.code != http.StatusBadRequest {
		t.Fatalf("remove the last owner, the app: %d %s", r.code, r.body)
	}
}
