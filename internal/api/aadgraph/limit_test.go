package aadgraph_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"groupd/internal/api/aadgraph"
	"groupd/internal/directory"
)

// TestMemberGroupsLimit puts a user in 2,046 groups, all getMemberGroups
// answers in 1.6, then in one more.
func TestMemberGroupsLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("creates 2,047 groups")
	}
	e := newEnv(t)
	ctx := context.Background()
	u := directory.ObjectID(e.user("many"))
	// The groups go in through the store, in one transaction, to keep the
	// test fast.
	err := e.dir.Store().Update(ctx, func(tx directory.Tx) error {
		for i := range aadgraph.MaxMemberGroups {
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
	for _, fn := range []string{"getMemberGroups", "getMemberObjects"} {
		r := e.aad("POST", "/users/"+string(u)+"/"+fn, map[string]bool{"securityEnabledOnly": true}).want(t, http.StatusOK)
		if n := len(r.obj(t)["value"].([]any)); n != aadgraph.MaxMemberGroups {
			t.Errorf("%s: %d groups", fn, n)
		}
	}
	last := e.group("last", "", "last")
	e.addMember(last, string(u))
	for _, fn := range []string{"getMemberGroups", "getMemberObjects"} {
		e.aad("POST", "/users/"+string(u)+"/"+fn, map[string]bool{"securityEnabledOnly": false}).
			wantError(t, http.StatusBadRequest, "Directory_ResultSizeLimitExceeded",
				"The request cannot be fulfilled because the result size limit of 2046 has been exceeded.")
	}
	// The other functions still answer.
	e.wantIDs(e.aad("POST", "/users/"+string(u)+"/checkMemberGroups", map[string][]string{"groupIds": {last}}), last)
	r := e.aad("POST", "/isMemberOf", map[string]string{"groupId": last, "memberId": string(u)}).want(t, http.StatusOK)
	if r.obj(t)["value"] != true {
		t.Errorf("isMemberOf: %s", r.body)
	}
}
