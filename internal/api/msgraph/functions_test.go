package msgraph_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"groupd/internal/directory"
)

// wantIDs checks a function's answer byte for byte: the context, then the
// ids in order.
func wantIDs(t *testing.T, e *env, r *resp, ids ...string) {
	t.Helper()
	r.want(t, http.StatusOK)
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = `"` + id + `"`
	}
	want := `{"@odata.context":"` + e.base + `/$metadata#Collection(Edm.String)","value":[` + strings.Join(quoted, ",") + `]}`
	if string(r.body) != want {
		t.Errorf("body %s\nwant %s", r.body, want)
	}
}

func TestMemberFunctions(t *testing.T) {
	n := newNesting(t)
	e := n.e
	other := e.secGroup("other")
	security := sortedIDs(n.leaf, n.mid, n.top)
	all := sortedIDs(n.leaf, n.mid, n.top, n.uni)
	for _, prefix := range []string{"/users/" + n.ann, "/users/ann@example.org", "/directoryObjects/" + n.ann} {
		// Answers keep the order of the question and drop repeats.
		wantIDs(t, e, e.do("POST", prefix+"/checkMemberGroups", map[string]any{"groupIds": []string{n.uni, other, n.top, n.uni}}), n.uni, n.top)
		wantIDs(t, e, e.do("POST", prefix+"/checkMemberObjects", map[string]any{"ids": []string{n.mid, n.bob, other}}), n.mid)
		wantIDs(t, e, e.do("POST", prefix+"/checkMemberGroups", map[string]any{"groupIds": []string{}}))
		wantIDs(t, e, e.do("POST", prefix+"/getMemberGroups", map[string]any{"securityEnabledOnly": true}), security...)
		wantIDs(t, e, e.do("POST", prefix+"/getMemberGroups", map[string]any{"securityEnabledOnly": false}), all...)
		wantIDs(t, e, e.do("POST", prefix+"/getMemberObjects", map[string]any{"securityEnabledOnly": false}), all...)
	}
	for _, prefix := range []string{"/groups/" + n.leaf, "/directoryObjects/" + n.leaf} {
		wantIDs(t, e, e.do("POST", prefix+"/getMemberGroups", map[string]any{"securityEnabledOnly": false}), sortedIDs(n.mid, n.top)...)
		wantIDs(t, e, e.do("POST", prefix+"/checkMemberGroups", map[string]any{"groupIds": []string{n.top, n.leaf}}), n.top)
	}
	wantIDs(t, e, e.do("POST", "/groups/"+other+"/getMemberObjects", map[string]any{"securityEnabledOnly": true}))

	// A write is seen by the next call.
	e.do("DELETE", "/groups/"+n.mid+"/members/"+n.leaf+"/$ref", nil).want(t, http.StatusNoContent)
	wantIDs(t, e, e.do("POST", "/users/"+n.ann+"/getMemberGroups", map[string]any{"securityEnabledOnly": true}), n.leaf)
	e.do("POST", "/groups/"+other+"/members/$ref", ref(e, "groups", n.leaf)).want(t, http.StatusNoContent)
	wantIDs(t, e, e.do("POST", "/users/"+n.ann+"/checkMemberGroups", map[string]any{"groupIds": []string{other, n.top}}), other)
}

func TestMemberFunctionErrors(t *testing.T) {
	n := newNesting(t)
	e := n.e
	missing := "00000000-0000-0000-0000-00000000abcd"
	tooMany := make([]string, 21)
	for i := range tooMany {
		tooMany[i] = fmt.Sprintf("00000000-0000-0000-0000-%012d", i)
	}
	for _, tc := range []struct {
		path   string
		body   any
		status int
		code   string
		msg    string
		detail []string
	}{
		{"/users/" + n.ann + "/checkMemberGroups", map[string]any{"groupIds": tooMany}, 400, "Request_BadRequest", "The number of 'groupIds' cannot exceed 20.", nil},
		{"/groups/" + n.leaf + "/checkMemberObjects", map[string]any{"ids": tooMany}, 400, "Request_BadRequest", "The number of 'ids' cannot exceed 20.", nil},
		{"/users/" + n.ann + "/checkMemberGroups", map[string]any{"groupIds": []string{"nope"}}, 400, "Request_BadRequest", "Invalid object identifier 'nope'.", nil},
		{"/users/" + n.ann + "/checkMemberGroups", map[string]any{"groupIds": "x"}, 400, "Request_BadRequest",
			"Invalid value specified for property 'groupIds' of resource 'checkMemberGroups'.", []string{"groupIds", "InvalidValue"}},
		{"/users/" + n.ann + "/checkMemberGroups", map[string]any{"ids": []string{}}, 400, "BadRequest",
			"The parameter 'ids' in the request payload is not a valid parameter for the operation 'checkMemberGroups'.", nil},
		{"/users/" + n.ann + "/getMemberGroups", map[string]any{}, 400, "BadRequest",
			"The parameter 'securityEnabledOnly' is missing in the request payload of the operation 'getMemberGroups'.", nil},
		{"/users/" + n.ann + "/getMemberObjects", map[string]any{"securityEnabledOnly": "yes"}, 400, "Request_BadRequest",
			"Invalid value specified for property 'securityEnabledOnly' of resource 'getMemberObjects'.", []string{"securityEnabledOnly", "InvalidValue"}},
		{"/users/" + n.ann + "/getMemberGroups", "", 400, "BadRequest", "Empty Payload. JSON content expected.", nil},
		{"/users/" + missing + "/getMemberGroups", map[string]any{"securityEnabledOnly": true}, 404, "Request_ResourceNotFound", notFoundMsg(missing), nil},
		{"/users/" + n.top + "/getMemberGroups", map[string]any{"securityEnabledOnly": true}, 404, "Request_ResourceNotFound", notFoundMsg(n.top), nil},
		{"/groups/" + n.ann + "/checkMemberGroups", map[string]any{"groupIds": []string{}}, 404, "Request_ResourceNotFound", notFoundMsg(n.ann), nil},
		{"/directoryObjects/nope/getMemberObjects", map[string]any{"securityEnabledOnly": true}, 400, "Request_BadRequest", "Invalid object identifier 'nope'.", nil},
	} {
		t.Run(tc.path, func(t *testing.T) {
			e.do("POST", tc.path, tc.body).wantError(t, tc.status, tc.code, tc.msg, tc.detail...)
		})
	}
	r := e.do("GET", "/users/"+n.ann+"/getMemberGroups", nil)
	r.wantError(t, http.StatusMethodNotAllowed, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")
	if r.h.Get("Allow") != "POST" {
		t.Errorf("Allow %q", r.h.Get("Allow"))
	}
}

// TestResultSizeLimit puts a user in 11,001 groups, one more than
// getMemberGroups answers.
func TestResultSizeLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("creates 11,001 groups")
	}
	e := newEnv(t)
	ctx := context.Background()
	u := directory.ObjectID(e.user("many"))
	// The groups go in through the store, in one transaction, to keep the
	// test fast.
	err := e.dir.Store().Update(ctx, func(tx directory.Tx) error {
		for i := range directory.DefaultResultSizeLimit + 1 {
			g := directory.Group{ID: directory.NewObjectID(), TenantID: e.tenant, DisplayName: fmt.Sprintf("g%05d", i),
				MailNickname: fmt.Sprintf("g%05d", i), SecurityEnabled: true}
			if err := tx.InsertGroup(ctx, g); err != nil {
				return err
			}
			if err := tx.AddMembers(ctx, e.tenant, g.ID, []directory.MemberRef{{ID: u, Kind: directory.KindUser}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e.do("POST", "/users/"+string(u)+"/getMemberGroups", map[string]any{"securityEnabledOnly": false}).
		wantError(t, http.StatusBadRequest, "Directory_ResultSizeLimitExceeded",
			"The number of results exceeds the limit of 11000. Use transitiveMemberOf to list them page by page.")
	// The checks still answer, and the list pages through them all.
	g := e.secGroup("last")
	e.do("POST", "/groups/"+g+"/members/$ref", ref(e, "users", string(u))).want(t, http.StatusNoContent)
	wantIDs(t, e, e.do("POST", "/users/"+string(u)+"/checkMemberGroups", map[string]any{"groupIds": []string{g}}), g)
	r := e.do("GET", "/users/"+string(u)+"/transitiveMemberOf/$count", nil, header("ConsistencyLevel", "eventual"))
	if r.code != http.StatusOK || string(r.body) != "11002" {
		t.Errorf("count %d %s", r.code, r.body)
	}
}
