package msgraph_test

import (
	"net/http"
	"testing"

	"groupd/internal/directory"
)

// TestDuplicateBodyMembers: a member given twice is refused in every body
// this dialect reads, whatever came before it, and nothing changes.
func TestDuplicateBodyMembers(t *testing.T) {
	e := newEnv(t)
	jim := e.user("jim")
	gid := e.secGroup("Team")
	ref := `"` + e.base + `/directoryObjects/` + jim + `"`
	for _, c := range []struct{ path, body, name string }{
		{"/groups/" + gid + "/members/$ref", `{"@odata.id":` + ref + `,"@odata.id":` + ref + `}`, "@odata.id"},
		{"/groups", `{"displayName":"A","displayName":"B","mailNickname":"a","mailEnabled":false,"securityEnabled":true}`, "displayName"},
		{"/users/" + jim + "/checkMemberGroups", `{"groupIds":["` + gid + `"],"groupIds":["` + gid + `"]}`, "groupIds"},
		{"/groupSettings", `{"templateId":"` + directory.UnifiedTemplateID + `","templateId":"` + directory.UnifiedTemplateID + `","values":[]}`, "templateId"},
		{"/directoryObjects/getByIds", `{"ids":["` + jim + `"],"ids":["` + jim + `"]}`, "ids"},
		{"/directoryObjects/validateProperties", `{"entityType":"Group","displayName":"a","displayName":"b"}`, "displayName"},
		{"/me/changePassword", `{"currentPassword":"` + adminPass + `","newPassword":"Fresh-Pass9","newPassword":"Other-Pass9"}`, "newPassword"},
	} {
		e.do(http.MethodPost, c.path, c.body).wantError(t, http.StatusBadRequest, "BadRequest",
			"The property '"+c.name+"' is given more than once in the request body.")
	}
	if ids := e.ids(gid, "members"); len(ids) != 0 {
		t.Errorf("members %v after refused adds", ids)
	}
	if n := e.groupCount(); n != 1 {
		t.Errorf("%d groups after a refused create", n)
	}
	e.do(http.MethodGet, "/me", nil).want(t, http.StatusOK) // the password did not change
}
