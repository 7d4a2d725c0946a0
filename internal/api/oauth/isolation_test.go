package oauth_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"groupd/internal/directory"
)

// TestGroupCreateOwnership: an app with Group.Create becomes the owner of
// the groups it creates, listed as a service principal, and may manage
// those and no others.
func TestGroupCreateOwnership(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	creator := e.app(e.tenant.ID, "Group.Create")
	tok := e.token(creator)
	r := e.call(http.MethodPost, "/v1.0/groups", tok,
		`{"@odata.type":"#microsoft.graph.group","displayName":"mine","mailNickname":"mine","mailEnabled":false,"securityEnabled":true}`)
	if r.code != http.StatusCreated {
		t.Fatalf("create: %d %s", r.code, r.body)
	}
	mine := r.json(t)["id"].(string)
	// The owners list of the domain carries the service principal.
	owners, err := e.dir.Owners(ctx, e.tenant.ID, mine, directory.PageRequest{})
	if err != nil || len(owners.Items) != 1 || owners.Items[0].ServicePrincipal == nil ||
		owners.Items[0].ServicePrincipal.AppID != creator.id || string(owners.Items[0].ID()) != claimsOf(t, tok)["oid"] {
		t.Errorf("owners of the created group: %+v, %v", owners.Items, err)
	}
	reader := e.token(e.app(e.tenant.ID, "Group.Read.All"))
	r = e.call(http.MethodGet, "/v1.0/groups/"+mine+"/owners", reader, "")
	var list struct {
		Value []map[string]any `json:"value"`
	}
	if err := json.Unmarshal(r.body, &list); err != nil || len(list.Value) != 1 ||
		list.Value[0]["@odata.type"] != "#microsoft.graph.servicePrincipal" || list.Value[0]["appId"] != creator.id {
		t.Errorf("GET owners of the created group: %d %s", r.code, r.body)
	}
	if r := e.call(http.MethodPatch, "/v1.0/groups/"+mine, tok, `{"description":"changed"}`); r.code != http.StatusNoContent {
		t.Errorf("patch own group: %d %s", r.code, r.body)
	}
	other, err := e.dir.CreateGroup(ctx, e.tenant.ID, directory.GroupCreate{Fields: directory.GroupFields{
		DisplayName: ptr("theirs"), MailNickname: ptr("theirs"), MailEnabled: ptr(false), SecurityEnabled: ptr(true)}})
	if err != nil {
		t.Fatal(err)
	}
	if r := e.call(http.MethodPatch, "/v1.0/groups/"+string(other.ID), tok, `{"description":"x"}`); r.code != http.StatusForbidden {
		t.Errorf("patch a group the app does not own: %d %s", r.code, r.body)
	}
	if r := e.call(http.MethodDelete, "/v1.0/groups/"+string(other.ID), tok, ""); r.code != http.StatusForbidden {
		t.Errorf("delete a group the app does not own: %d", r.code)
	}
	// An administrator may take the application off the owners.
	oid := claimsOf(t, tok)["oid"].(string)
	if r := e.basic(http.MethodDelete, "/v1.0/groups/"+mine+"/owners/"+oid+"/$ref", "", "admin"); r.code != http.StatusNoContent {
		t.Errorf("remove the app owner: %d %s", r.code, r.body)
	}
	if r := e.call(http.MethodPatch, "/v1.0/groups/"+mine, tok, `{"description":"again"}`); r.code != http.StatusForbidden {
		t.Errorf("patch after losing ownership: %d %s", r.code, r.body)
	}
	r = e.call(http.MethodPost, "/v1.0/groups", tok, `{"displayName":"mine2","mailNickname":"mine2","mailEnabled":false,"securityEnabled":true}`)
	if r.code != http.StatusCreated {
		t.Fatalf("create: %d %s", r.code, r.body)
	}
	mine = r.json(t)["id"].(string)
	if r := e.call(http.MethodDelete, "/v1.0/groups/"+mine, tok, ""); r.code != http.StatusNoContent {
		t.Errorf("delete own group: %d %s", r.code, r.body)
	}
	// Group members that are users need a User permission besides the
	// group one; with both the create succeeds.
	u, err := e.dir.CreateUser(ctx, e.tenant.ID, directory.UserFields{AccountEnabled: ptr(true),
		DisplayName: ptr("M"), MailNickname: ptr("m"), UserPrincipalName: ptr("m@example.org"), Password: ptr(adminPass)}, directory.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	body := `{"displayName":"with users","mailNickname":"withusers","mailEnabled":false,"securityEnabled":true,` +
		`"members@odata.bind":["https://graph.microsoft.com/v1.0/users/` + string(u.ID) + `"]}`
	if r := e.call(http.MethodPost, "/v1.0/groups", tok, body); r.code != http.StatusForbidden {
		t.Errorf("Group.Create alone, with user members: %d %s", r.code, r.body)
	}
	both := e.token(e.app(e.tenant.ID, "Group.Create", "User.Read.All"))
	if r := e.call(http.MethodPost, "/v1.0/groups", both, body); r.code != http.StatusCreated {
		t.Errorf("Group.Create + User.Read.All, with user members: %d %s", r.code, r.body)
	}
}

// TestTenantIsolation: with an app in each tenant, nothing of one tenant is
// reachable or named through the other: ids are 404, $ref to a foreign
// object is 404, a token is only issued where the app lives, and no answer
// contains the other tenant's ids.
func TestTenantIsolation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.app(e.tenant.ID, "Directory.ReadWrite.All")
	b := e.app(e.other.ID, "Directory.ReadWrite.All")
	ta, tb := e.token(a), e.token(b)
	if claimsOf(t, tb)["tid"] != string(e.other.ID) {
		t.Fatalf("token of tenant B has tid %v", claimsOf(t, tb)["tid"])
	}
	ga, err := e.dir.CreateGroup(ctx, e.tenant.ID, directory.GroupCreate{Fields: directory.GroupFields{
		DisplayName: ptr("a-group"), MailNickname: ptr("agroup"), MailEnabled: ptr(false), SecurityEnabled: ptr(true)}})
	if err != nil {
		t.Fatal(err)
	}
	ua, err := e.dir.CreateUser(ctx, e.tenant.ID, directory.UserFields{AccountEnabled: ptr(true),
		DisplayName: ptr("A"), MailNickname: ptr("a"), UserPrincipalName: ptr("a@example.org"), Password: ptr(adminPass)}, directory.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	r := e.call(http.MethodPost, "/v1.0/groups", tb, `{"displayName":"b-group","mailNickname":"bgroup","mailEnabled":false,"securityEnabled":true}`)
	if r.code != http.StatusCreated {
		t.Fatalf("create in B: %d %s", r.code, r.body)
	}
	gb := r.json(t)["id"].(string)

	secrets := []string{string(e.tenant.ID), string(ga.ID), string(ua.ID), a.id}
	var answers []*resp
	check := func(name string, r *resp, want int) {
		t.Helper()
		if r.code != want {
			t.Errorf("%s: %d, want %d: %s", name, r.code, want, r.body)
		}
		answers = append(answers, r)
	}
	check("GET A's group as B", e.call(http.MethodGet, "/v1.0/groups/"+string(ga.ID), tb, ""), 404)
	check("GET A's group as B (LibreGraph)", e.call(http.MethodGet, "/graph/v1.0/groups/"+string(ga.ID), tb, ""), 404)
	check("GET A's user as B", e.call(http.MethodGet, "/v1.0/users/"+string(ua.ID), tb, ""), 404)
	check("GET A's user by UPN as B", e.call(http.MethodGet, "/v1.0/users/a@example.org", tb, ""), 404)
	check("GET A's object as B", e.call(http.MethodGet, "/v1.0/directoryObjects/"+string(ua.ID), tb, ""), 404)
	check("PATCH A's group as B", e.call(http.MethodPatch, "/v1.0/groups/"+string(ga.ID), tb, `{"description":"x"}`), 404)
	check("DELETE A's group as B", e.call(http.MethodDelete, "/v1.0/groups/"+string(ga.ID), tb, ""), 404)
	check("$ref A's user into B's group", e.call(http.MethodPost, "/v1.0/groups/"+gb+"/members/$ref", tb,
		`{"@odata.id":"https://graph.microsoft.com/v1.0/directoryObjects/`+string(ua.ID)+`"}`), 404)
	check("bind A's user into B's group", e.call(http.MethodPatch, "/v1.0/groups/"+gb, tb,
		`{"members@odata.bind":["https://graph.microsoft.com/v1.0/users/`+string(ua.ID)+`"]}`), 404)
	check("A's group's members as B", e.call(http.MethodGet, "/v1.0/groups/"+string(ga.ID)+"/members", tb, ""), 404)
	r = e.call(http.MethodGet, "/v1.0/groups", tb, "")
	check("list groups as B", r, 200)
	if !strings.Contains(string(r.body), gb) {
		t.Errorf("B's list lacks its own group: %s", r.body)
	}
	r = e.call(http.MethodGet, "/v1.0/users", tb, "")
	check("list users as B", r, 200)
	r = e.call(http.MethodGet, "/v1.0/organization", tb, "")
	check("organization as B", r, 200)
	// A's app asking for a token at B's endpoints: the same answer as a
	// wrong secret, whether by id or by domain.
	for _, path := range []string{"/" + string(e.other.ID), "/fabrikam.example"} {
		r := e.post(path+"/oauth2/v2.0/token", secretForm(a, "https://graph.microsoft.com/.default"))
		wrong := e.post(path+"/oauth2/v2.0/token", url.Values{"grant_type": {"client_credentials"},
			"client_id": {"11111111-2222-3333-4444-555555555555"}, "client_secret": {a.secret},
			"scope": {"https://graph.microsoft.com/.default"}})
		rb, wb := r.json(t), wrong.json(t)
		if r.code != wrong.code || rb["error"] != wb["error"] || rb["error"] != "invalid_client" ||
			rb["error_codes"].([]any)[0] != wb["error_codes"].([]any)[0] {
			t.Errorf("A's app at %s: %d %s vs unknown app %d %s", path, r.code, r.body, wrong.code, wrong.body)
		}
	}
	// A's token works for A only: its objects are A's.
	if r := e.call(http.MethodGet, "/v1.0/groups/"+gb, ta, ""); r.code != 404 {
		t.Errorf("B's group as A: %d", r.code)
	}
	for _, r := range answers {
		for _, s := range secrets {
			if s != "" && strings.Contains(string(r.body), s) && !strings.Contains(string(r.body), "Resource '"+s+"'") {
				t.Errorf("an answer to B names A's %s: %s", s, r.body)
			}
		}
	}
}
