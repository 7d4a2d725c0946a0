package oauth_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"groupd/internal/directory"
)

// The principals of the permission table: one app per permission, an app
// without permissions, an app with the two permissions a user's memberOf
// needs, the Basic-auth administrator and a Basic-auth user.
const (
	pNone     = "none"
	pCombo    = "User.Read.All+GroupMember.Read.All"
	pAdmin    = "basic:admin"
	pUser     = "basic:user"
	userLogin = "reader@example.org"
)

var singlePerms = []string{"Group.Read.All", "Group.ReadWrite.All", "GroupMember.Read.All",
	"GroupMember.ReadWrite.All", "Group.Create", "User.Read.All", "User.ReadWrite.All",
	"Directory.Read.All", "Directory.ReadWrite.All", "AuditLog.Read.All"}

// The allowed sets, from the reference's permission list (not from the
// code): reads of groups, writes, and so on.
var (
	allowGroupRead = []string{"Group.Read.All", "Group.ReadWrite.All", "GroupMember.Read.All",
		"GroupMember.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All", pCombo, pAdmin, pUser}
	// Group.Create passes the router but owns none of these groups.
	allowGroupWrite      = []string{"Group.ReadWrite.All", "Directory.ReadWrite.All", pAdmin}
	allowGroupCreate     = []string{"Group.Create", "Group.ReadWrite.All", "Directory.ReadWrite.All", pAdmin}
	allowCreateWithUsers = []string{"Directory.ReadWrite.All", pAdmin}
	allowMemberWrite     = []string{"GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All", pAdmin}
	allowUserRead        = []string{"User.Read.All", "User.ReadWrite.All", "Directory.Read.All",
		"Directory.ReadWrite.All", pCombo, pAdmin, pUser}
	allowUserWrite = []string{"User.ReadWrite.All", "Directory.ReadWrite.All", pAdmin}
	// Two permissions: a User one and a Group(Member) one, or Directory.
	allowUserMemberOf = []string{"Directory.Read.All", "Directory.ReadWrite.All", pCombo, pAdmin, pUser}
	allowAuditRead    = []string{"AuditLog.Read.All", "Directory.Read.All", "Directory.ReadWrite.All", pAdmin, pUser}
	allowAnyRead      = []string{"Group.Read.All", "Group.ReadWrite.All", "GroupMember.Read.All",
		"GroupMember.ReadWrite.All", "User.Read.All", "User.ReadWrite.All", "Directory.Read.All",
		"Directory.ReadWrite.All", pCombo, pAdmin, pUser}
)

type endpoint struct {
	method, path, body string
	allowed            []string
}

// TestPermissionTable calls every endpoint of both dialects as every
// principal: allowed calls must not be 401/403, denied ones must be 403.
func TestPermissionTable(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.dir.CreateUser(ctx, e.tenant.ID, directory.UserFields{
		AccountEnabled: ptr(true), DisplayName: ptr("Reader"), MailNickname: ptr("reader"),
		UserPrincipalName: ptr(userLogin), Password: ptr(adminPass),
	}, directory.Policy{}); err != nil {
		t.Fatal(err)
	}
	u, err := e.dir.CreateUser(ctx, e.tenant.ID, directory.UserFields{
		AccountEnabled: ptr(true), DisplayName: ptr("Member"), MailNickname: ptr("member"),
		UserPrincipalName: ptr("member@example.org"), Password: ptr(adminPass),
	}, directory.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	seq := 0
	newGroup := func() string {
		seq++
		g, err := e.dir.CreateGroup(ctx, e.tenant.ID, directory.GroupCreate{Fields: directory.GroupFields{
			DisplayName: ptr(fmt.Sprintf("fixture %d", seq)), MailNickname: ptr(fmt.Sprintf("fixture%d", seq)),
			MailEnabled: ptr(false), SecurityEnabled: ptr(true)}})
		if err != nil {
			t.Fatal(err)
		}
		return string(g.ID)
	}
	g := newGroup()
	missing := "00000000-0000-0000-0000-0000000000aa"
	ref := `{"@odata.id":"https://graph.microsoft.com/v1.0/directoryObjects/` + string(u.ID) + `"}`
	lgRef := `{"@odata.id":"https://localhost:9200/graph/v1.0/users/` + string(u.ID) + `"}`
	endpoints := []endpoint{
		{"GET", "/v1.0/groups", "", allowGroupRead},
		{"GET", "/v1.0/groups/" + g, "", allowGroupRead},
		{"GET", "/v1.0/groups/" + g + "/members", "", allowGroupRead},
		{"GET", "/v1.0/groups/" + g + "/owners", "", allowGroupRead},
		{"GET", "/v1.0/groups/" + g + "/memberOf", "", allowGroupRead},
		{"POST", "/v1.0/groups", `{"displayName":"n","mailNickname":"n{seq}","mailEnabled":false,"securityEnabled":true}`, allowGroupCreate},
		{"PATCH", "/v1.0/groups/" + g, `{"description":"d"}`, allowGroupWrite},
		// Two permissions: creating a group with user members also needs
		// a User (or Directory) permission.
		{"POST", "/v1.0/groups", `{"displayName":"n","mailNickname":"n{seq}","mailEnabled":false,"securityEnabled":true,"members@odata.bind":["https://graph.microsoft.com/v1.0/users/` + string(u.ID) + `"]}`, allowCreateWithUsers},
		{"DELETE", "/v1.0/groups/{fresh}", "", allowGroupWrite},
		{"POST", "/v1.0/groups/" + g + "/members/$ref", ref, allowMemberWrite},
		{"DELETE", "/v1.0/groups/" + g + "/members/" + string(u.ID) + "/$ref", "", allowMemberWrite},
		{"POST", "/v1.0/groups/" + g + "/owners/$ref", ref, allowGroupWrite},
		{"DELETE", "/v1.0/groups/" + g + "/owners/" + string(u.ID) + "/$ref", "", allowGroupWrite},
		{"GET", "/v1.0/users", "", allowUserRead},
		{"GET", "/v1.0/users/" + string(u.ID), "", allowUserRead},
		{"POST", "/v1.0/users", `{}`, allowUserWrite},
		{"PATCH", "/v1.0/users/" + string(u.ID), `{"jobTitle":"x"}`, allowUserWrite},
		{"DELETE", "/v1.0/users/" + missing, "", allowUserWrite},
		{"GET", "/v1.0/users/" + string(u.ID) + "/memberOf", "", allowUserMemberOf},
		{"GET", "/v1.0/organization", "", allowAnyRead},
		{"GET", "/v1.0/directoryObjects/" + g, "", allowAnyRead},
		{"GET", "/v1.0/auditLogs/directoryAudits", "", allowAuditRead},
		// A refused changeType: allowed callers get 400, others 403.
		{"POST", "/v1.0/subscriptions", `{"resource":"groups","changeType":"x","notificationUrl":"https://h.example","expirationDateTime":"2099-01-01T00:00:00Z"}`, allowGroupRead},
		{"POST", "/v1.0/subscriptions", `{"resource":"users","changeType":"x","notificationUrl":"https://h.example","expirationDateTime":"2099-01-01T00:00:00Z"}`, allowUserRead},

		{"GET", "/graph/v1.0/groups", "", allowGroupRead},
		{"GET", "/graph/v1.0/groups/" + g, "", allowGroupRead},
		{"GET", "/graph/v1.0/groups/" + g + "/members", "", allowGroupRead},
		{"POST", "/graph/v1.0/groups", `{"displayName":"lg{seq}"}`, allowGroupCreate},
		{"PATCH", "/graph/v1.0/groups/" + g, `{"displayName":"renamed{seq}"}`, allowGroupWrite},
		{"DELETE", "/graph/v1.0/groups/{fresh}", "", allowGroupWrite},
		{"POST", "/graph/v1.0/groups/" + g + "/members/$ref", lgRef, allowMemberWrite},
		{"DELETE", "/graph/v1.0/groups/" + g + "/members/" + string(u.ID) + "/$ref", "", allowMemberWrite},
		{"GET", "/graph/v1.0/users", "", allowUserRead},
		{"GET", "/graph/v1.0/users/" + string(u.ID), "", allowUserRead},
		{"POST", "/graph/v1.0/users", `{}`, allowUserWrite},
		{"PATCH", "/graph/v1.0/users/" + string(u.ID), `{"displayName":"Member"}`, allowUserWrite},
		{"DELETE", "/graph/v1.0/users/" + missing, "", allowUserWrite},
	}

	principals := append([]string{pNone, pCombo, pAdmin, pUser}, singlePerms...)
	tokens := map[string]string{}
	for _, p := range principals {
		switch p {
		case pAdmin, pUser:
		case pNone:
			tokens[p] = e.token(e.app(e.tenant.ID))
		default:
			tokens[p] = e.token(e.app(e.tenant.ID, strings.Split(p, "+")...))
		}
	}
	for _, ep := range endpoints {
		for _, p := range principals {
			seq++
			path := strings.ReplaceAll(ep.path, "{fresh}", newGroup())
			body := strings.ReplaceAll(ep.body, "{seq}", fmt.Sprint(seq))
			var r *resp
			switch p {
			case pAdmin, pUser:
				login := "admin"
				if p == pUser {
					login = userLogin
				}
				r = e.basic(ep.method, path, body, login)
			default:
				r = e.call(ep.method, path, tokens[p], body)
			}
			allowed := slices.Contains(ep.allowed, p)
			switch {
			case allowed && (r.code == 401 || r.code == 403 || r.code >= 500):
				t.Errorf("%s %s as %s: %d, want allowed: %s", ep.method, ep.path, p, r.code, r.body)
			case !allowed && r.code != 403:
				t.Errorf("%s %s as %s: %d, want 403", ep.method, ep.path, p, r.code)
			case !allowed && strings.HasPrefix(path, "/v1.0") && !strings.Contains(string(r.body), "Authorization_RequestDenied"):
				t.Errorf("%s %s as %s: body %s", ep.method, ep.path, p, r.body)
			case !allowed && strings.HasPrefix(path, "/graph") && !strings.Contains(string(r.body), `"accessDenied"`) && !strings.Contains(string(r.body), `"notAllowed"`):
				t.Errorf("%s %s as %s: body %s", ep.method, ep.path, p, r.body)
			}
		}
	}
}

func ptr[T any](v T) *T { return &v }

func (e *env) basic(method, path, body, login string) *resp {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.url+path, strings.NewReader(body))
	req.SetBasicAuth(login, adminPass)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return e.send(req)
}
