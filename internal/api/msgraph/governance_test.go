package msgraph_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"groupd/internal/directory"
)

const (
	unifiedTemplate = "62375ab9-6b52-47ed-826b-58e47e0e304b"
	guestTemplate   = "08d542b9-071f-4e16-94b0-74abb372e3d9"
)

func TestGroupSettingTemplates(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/groupSettingTemplates", nil).want(t, http.StatusOK)
	m := r.obj(t)
	if m["@odata.context"] != e.base+"/$metadata#groupSettingTemplates" {
		t.Errorf("context %v", m["@odata.context"])
	}
	list := m["value"].([]any)
	if len(list) != 2 {
		t.Fatalf("templates %v", list)
	}
	guest := list[1].(map[string]any)
	if guest["id"] != guestTemplate || guest["displayName"] != "Group.Unified.Guest" ||
		fmt.Sprint(guest["values"]) != "[map[defaultValue:true description:Flag indicating if guests are allowed in a specific Unified Group. name:AllowToAddGuests type:System.Boolean]]" {
		t.Errorf("guest template %v", guest)
	}
	tpl := list[0].(map[string]any)
	if tpl["id"] != unifiedTemplate || tpl["displayName"] != "Group.Unified" || tpl["deletedDateTime"] != nil {
		t.Errorf("template %v", tpl)
	}
	found := map[string]map[string]any{}
	for _, v := range tpl["values"].([]any) {
		d := v.(map[string]any)
		found[d["name"].(string)] = d
	}
	for name, def := range map[string]string{"ClassificationList": "", "DefaultClassification": "", "PrefixSuffixNamingRequirement": "",
		"CustomBlockedWordsList": "", "EnableGroupCreation": "true", "GroupCreationAllowedGroupId": "",
		"AllowGuestsToBeGroupOwner": "false", "AllowToAddGuests": "true", "UsageGuidelinesUrl": ""} {
		if d, ok := found[name]; !ok || d["defaultValue"] != def || d["type"] == "" || d["description"] == "" {
			t.Errorf("%s: %v", name, d)
		}
	}
	one := e.do("GET", "/groupSettingTemplates/"+strings.ToUpper(unifiedTemplate), nil).want(t, http.StatusOK).obj(t)
	if one["@odata.context"] != e.base+"/$metadata#groupSettingTemplates/$entity" || one["id"] != unifiedTemplate {
		t.Errorf("entity %v", one)
	}
	e.do("GET", "/groupSettingTemplates/nope", nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound",
		"Resource 'nope' does not exist or one of its queried reference-property objects are not present.")
}

func TestGroupSettingsCRUD(t *testing.T) {
	e := newEnv(t)
	if v := e.do("GET", "/groupSettings", nil).want(t, http.StatusOK).obj(t)["value"].([]any); len(v) != 0 {
		t.Fatalf("settings before create %v", v)
	}
	body := map[string]any{"templateId": unifiedTemplate, "values": []map[string]string{
		{"name": "ClassificationList", "value": "low,high"}, {"name": "DefaultClassification", "value": "low"}}}
	r := e.do("POST", "/groupSettings", body).want(t, http.StatusCreated)
	s := r.obj(t)
	id, _ := s["id"].(string)
	if r.h.Get("Location") != e.base+"/groupSettings/"+id || s["templateId"] != unifiedTemplate || s["displayName"] != "Group.Unified" ||
		s["@odata.context"] != e.base+"/$metadata#groupSettings/$entity" {
		t.Errorf("created %v (Location %s)", s, r.h.Get("Location"))
	}
	if got := strings.Join(keys(t, r.body), ","); got != "@odata.context,id,displayName,templateId,values" {
		t.Errorf("keys %s", got)
	}
	values := map[string]string{}
	for _, v := range s["values"].([]any) {
		m := v.(map[string]any)
		values[m["name"].(string)] = m["value"].(string)
	}
	if len(values) != 15 || values["ClassificationList"] != "low,high" || values["DefaultClassification"] != "low" || values["EnableGroupCreation"] != "true" {
		t.Errorf("values %v", values)
	}
	e.do("POST", "/groupSettings", body).wantError(t, http.StatusBadRequest, "Request_BadRequest",
		"A conflicting object with one or more of the specified property values is present in the directory.", "templateId", "ObjectConflict")
	e.do("PATCH", "/groupSettings/"+id, map[string]any{"values": []map[string]string{{"name": "Shoes", "value": "x"}}}).
		wantError(t, http.StatusBadRequest, "Request_BadRequest", "Property values has an invalid value. The template Group.Unified has no setting named Shoes.", "values", "InvalidValue")
	e.do("PATCH", "/groupSettings/"+id, map[string]any{"values": []map[string]string{{"name": "DefaultClassification", "value": "secret"}}}).
		wantError(t, http.StatusBadRequest, "Request_BadRequest", "Property DefaultClassification has an invalid value. The default classification must be one of the ClassificationList.", "DefaultClassification", "InvalidValue")
	e.do("PATCH", "/groupSettings/"+id, map[string]any{"templateId": unifiedTemplate}).
		wantError(t, http.StatusBadRequest, "Request_BadRequest", "Property 'templateId' is read-only and cannot be set.", "templateId", "ReadOnlyProperty")
	if r := e.do("PATCH", "/groupSettings/"+id, map[string]any{"values": []map[string]string{{"name": "CustomBlockedWordsList", "value": "CEO"}}}); r.code != http.StatusNoContent {
		t.Fatalf("PATCH: %d %s", r.code, r.body)
	}
	got := e.do("GET", "/groupSettings/"+id, nil).want(t, http.StatusOK).obj(t)
	if !strings.Contains(toJSON(t, got["values"]), `{"name":"CustomBlockedWordsList","value":"CEO"}`) ||
		!strings.Contains(toJSON(t, got["values"]), `{"name":"ClassificationList","value":"low,high"}`) {
		t.Errorf("after PATCH %v", got["values"])
	}
	e.do("POST", "/groupSettings", map[string]any{"values": []any{}}).
		wantError(t, http.StatusBadRequest, "Request_BadRequest", "Invalid value specified for property 'templateId' of resource 'GroupSetting'. The property is required.", "templateId", "PropertyRequired")
	if r := e.do("DELETE", "/groupSettings/"+id, nil); r.code != http.StatusNoContent {
		t.Fatalf("DELETE: %d %s", r.code, r.body)
	}
	e.do("GET", "/groupSettings/"+id, nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound",
		"Resource '"+id+"' does not exist or one of its queried reference-property objects are not present.")
	e.do("GET", "/groupSettings/"+id+"/extra", nil).wantError(t, http.StatusBadRequest, "BadRequest", "Resource not found for the segment 'extra'.")
}

// TestPoliciesOnCreate: the tenant's Group.Unified setting holds for
// Microsoft 365 groups created through POST /v1.0/groups, and not for
// security groups; a Global Administrator is exempt from the rules on
// names, as in Entra.
func TestPoliciesOnCreate(t *testing.T) {
	e := newEnv(t)
	e.do("POST", "/groupSettings", map[string]any{"templateId": unifiedTemplate, "values": []map[string]string{
		{"name": "ClassificationList", "value": "low,high"}, {"name": "DefaultClassification", "value": "low"},
		{"name": "PrefixSuffixNamingRequirement", "value": "GRP_[GroupName]_[Department]"},
		{"name": "CustomBlockedWordsList", "value": "payroll"}}}).want(t, http.StatusCreated)
	app := header("Authorization", "Bearer "+e.appToken("Group.ReadWrite.All"))
	unifiedAs := func(who reqOpt, name, nick string, extra map[string]any) *resp {
		b := map[string]any{"displayName": name, "mailNickname": nick, "mailEnabled": true, "securityEnabled": false, "groupTypes": []string{"Unified"}}
		for k, v := range extra {
			b[k] = v
		}
		return e.do("POST", "/groups", b, who)
	}
	unified := func(name, nick string, extra map[string]any) *resp { return unifiedAs(app, name, nick, extra) }
	g := unified("Launch", "launch", nil).want(t, http.StatusCreated).obj(t)
	// An application's tokens come from the first owner; without one they
	// resolve to "".
	if g["displayName"] != "GRP_Launch_" || g["classification"] != "low" {
		t.Errorf("group %v %v", g["displayName"], g["classification"])
	}
	if g := unified("Plan", "plan", map[string]any{"classification": "HIGH"}).want(t, http.StatusCreated).obj(t); g["classification"] != "high" {
		t.Errorf("classification %v", g["classification"])
	}
	before := e.groupCount()
	unified("Secret", "secret", map[string]any{"classification": "secret"}).
		wantError(t, http.StatusBadRequest, "Request_BadRequest", "Property classification has an invalid value.", "classification", "InvalidValue")
	unified("Payroll 2026", "p2026", nil).wantError(t, http.StatusBadRequest, "Request_BadRequest",
		"Property displayName has an invalid value. The displayName contains the blocked word 'payroll'.", "displayName", "InvalidValue")
	if n := e.groupCount(); n != before {
		t.Fatalf("refused creates left %d groups, want %d", n, before)
	}
	// The administrator's names stand as given; classification still holds.
	adm := unifiedAs(func(*http.Request) {}, "Payroll 2026", "p2026", nil).want(t, http.StatusCreated).obj(t)
	if adm["displayName"] != "Payroll 2026" || adm["mailNickname"] != "p2026" || adm["classification"] != "low" {
		t.Errorf("administrator's group %v %v %v", adm["displayName"], adm["mailNickname"], adm["classification"])
	}
	unifiedAs(func(*http.Request) {}, "Secret", "secret", map[string]any{"classification": "secret"}).
		wantError(t, http.StatusBadRequest, "Request_BadRequest", "Property classification has an invalid value.", "classification", "InvalidValue")
	sec := e.do("POST", "/groups", map[string]any{"displayName": "Payroll", "mailNickname": "payroll", "mailEnabled": false,
		"securityEnabled": true, "classification": "anything"}).want(t, http.StatusCreated).obj(t)
	if sec["displayName"] != "Payroll" || sec["classification"] != "anything" {
		t.Errorf("security group %v %v", sec["displayName"], sec["classification"])
	}
}

// TestPoliciesOnRename: Entra enforces the rules on names when a Microsoft
// 365 group is renamed too, with the same administrator override; a
// refused rename changes nothing.
func TestPoliciesOnRename(t *testing.T) {
	e := newEnv(t)
	e.do("POST", "/groupSettings", map[string]any{"templateId": unifiedTemplate, "values": []map[string]string{
		{"name": "PrefixSuffixNamingRequirement", "value": "GRP_[GroupName]_[Department]"},
		{"name": "CustomBlockedWordsList", "value": "payroll"}}}).want(t, http.StatusCreated)
	lead := e.user("lead")
	e.do("PATCH", "/users/"+lead, map[string]any{"department": "Sales"}).want(t, http.StatusNoContent)
	app := header("Authorization", "Bearer "+e.appToken("Group.ReadWrite.All", "User.Read.All"))
	id := e.do("POST", "/groups", map[string]any{"displayName": "Launch", "mailNickname": "launch", "mailEnabled": true,
		"securityEnabled": false, "groupTypes": []string{"Unified"}, "owners@odata.bind": refs(e, "users", lead)}, app).
		want(t, http.StatusCreated).obj(t)["id"].(string)
	names := func() string {
		g := e.do("GET", "/groups/"+id+"?$select=displayName,mailNickname", nil).want(t, http.StatusOK).obj(t)
		return g["displayName"].(string) + " " + g["mailNickname"].(string)
	}
	if got := names(); got != "GRP_Launch_Sales launch" {
		t.Fatalf("created %q", got)
	}
	e.do("PATCH", "/groups/"+id, map[string]any{"displayName": "Payroll plan"}, app).wantError(t, http.StatusBadRequest,
		"Request_BadRequest", "Property displayName has an invalid value. The displayName contains the blocked word 'payroll'.", "displayName", "InvalidValue")
	e.do("PATCH", "/groups/"+id, map[string]any{"mailNickname": "payroll", "description": "x"}, app).wantError(t, http.StatusBadRequest,
		"Request_BadRequest", "Property mailNickname has an invalid value. The mailNickname contains the blocked word 'payroll'.", "mailNickname", "InvalidValue")
	if got := names(); got != "GRP_Launch_Sales launch" {
		t.Fatalf("after refused renames %q", got)
	}
	// The policy's affixes come from the group's owner, and a name that
	// already carries them is kept as it is.
	e.do("PATCH", "/groups/"+id, map[string]any{"displayName": "Relaunch"}, app).want(t, http.StatusNoContent)
	if got := names(); got != "GRP_Relaunch_Sales launch" {
		t.Errorf("renamed %q", got)
	}
	e.do("PATCH", "/groups/"+id, map[string]any{"displayName": "GRP_Relaunch_Sales"}, app).want(t, http.StatusNoContent)
	if got := names(); got != "GRP_Relaunch_Sales launch" {
		t.Errorf("renamed to the policy's form %q", got)
	}
	// The administrator renames as it likes.
	e.do("PATCH", "/groups/"+id, map[string]any{"displayName": "Payroll plan", "mailNickname": "payroll"}).want(t, http.StatusNoContent)
	if got := names(); got != "Payroll plan payroll" {
		t.Errorf("administrator's rename %q", got)
	}
	// Security groups are not Microsoft 365 groups.
	sec := e.secGroup("ops")
	e.do("PATCH", "/groups/"+sec, map[string]any{"displayName": "Payroll"}, app).want(t, http.StatusNoContent)
}

func TestTeams(t *testing.T) {
	e := newEnv(t)
	owner := e.user("owner")
	gid := e.group(map[string]any{"displayName": "Project", "mailNickname": "project", "description": "Our project",
		"mailEnabled": true, "securityEnabled": false, "groupTypes": []string{"Unified"}, "visibility": "Private",
		"owners@odata.bind": refs(e, "users", owner)})
	e.do("GET", "/groups/"+gid+"/team", nil).wantError(t, http.StatusNotFound, "NotFound", "No team found with Group Id "+gid+".")
	r := e.do("PUT", "/groups/"+gid+"/team", map[string]any{"memberSettings": map[string]any{"allowCreateUpdateChannels": false}}).want(t, http.StatusCreated)
	if got := strings.Join(keys(t, r.body), ","); got != "@odata.context,id,createdDateTime,displayName,description,internalId,classification,"+
		"specialization,visibility,webUrl,isArchived,isMembershipLimitedToOwners,tenantId,memberSettings,guestSettings,messagingSettings,funSettings" {
		t.Errorf("keys %s", got)
	}
	tm := r.obj(t)
	if tm["id"] != gid || tm["displayName"] != "Project" || tm["description"] != "Our project" || tm["visibility"] != "private" ||
		tm["isArchived"] != false || tm["tenantId"] != string(e.tenant) || r.h.Get("Location") != e.base+"/teams/"+gid ||
		!strings.HasPrefix(tm["internalId"].(string), "19:") || !strings.Contains(tm["webUrl"].(string), "groupId="+gid) ||
		tm["@odata.context"] != e.base+"/$metadata#teams/$entity" {
		t.Errorf("team %v", tm)
	}
	if toJSON(t, tm["memberSettings"]) != `{"allowAddRemoveApps":true,"allowCreatePrivateChannels":true,"allowCreateUpdateChannels":false,`+
		`"allowCreateUpdateRemoveConnectors":true,"allowCreateUpdateRemoveTabs":true,"allowDeleteChannels":true}` ||
		toJSON(t, tm["funSettings"]) != `{"allowCustomMemes":true,"allowGiphy":true,"allowStickersAndMemes":true,"giphyContentRating":"moderate"}` {
		t.Errorf("settings %v %v", tm["memberSettings"], tm["funSettings"])
	}
	e.do("PUT", "/groups/"+gid+"/team", map[string]any{}).wantError(t, http.StatusConflict, "Conflict", "A team already exists for group "+gid+".")
	if r := e.do("PATCH", "/teams/"+gid, map[string]any{"funSettings": map[string]any{"giphyContentRating": "Strict"}}); r.code != http.StatusNoContent {
		t.Fatalf("PATCH: %d %s", r.code, r.body)
	}
	got := e.do("GET", "/teams/"+gid, nil).want(t, http.StatusOK).obj(t)
	if got["funSettings"].(map[string]any)["giphyContentRating"] != "strict" || got["memberSettings"].(map[string]any)["allowCreateUpdateChannels"] != false {
		t.Errorf("after PATCH %v", got)
	}
	if viaGroup := e.do("GET", "/groups/"+gid+"/team", nil).want(t, http.StatusOK).obj(t); viaGroup["id"] != gid {
		t.Errorf("GET /groups/{id}/team %v", viaGroup)
	}
	e.do("PATCH", "/teams/"+gid, map[string]any{"funSettings": map[string]any{"giphyContentRating": "wild"}}).
		wantError(t, http.StatusBadRequest, "Request_BadRequest", "Property funSettings.giphyContentRating has an invalid value. The value must be moderate or strict.", "funSettings.giphyContentRating", "InvalidValue")
	e.do("PATCH", "/teams/"+gid, map[string]any{"memberSettings": map[string]any{"allowEverything": true}}).
		wantError(t, http.StatusBadRequest, "Request_BadRequest", "Invalid property 'memberSettings.allowEverything'.", "memberSettings.allowEverything", "InvalidProperty")
	e.do("PATCH", "/teams/"+gid, map[string]any{"isArchived": true}).
		wantError(t, http.StatusBadRequest, "Request_BadRequest", "Property 'isArchived' is read-only and cannot be set.", "isArchived", "ReadOnlyProperty")

	sec := e.secGroup("sec")
	e.do("PUT", "/groups/"+sec+"/team", nil).wantError(t, http.StatusBadRequest, "BadRequest",
		"Group "+sec+" is not a Microsoft 365 group; only those can have a team.")
	lonely := e.unified("lonely")
	e.do("PUT", "/groups/"+lonely+"/team", nil).wantError(t, http.StatusBadRequest, "BadRequest",
		"A team needs an owner: add an owner to group "+lonely+" first.")
	missing := string(directory.NewObjectID())
	e.do("GET", "/teams/"+missing, nil).wantError(t, http.StatusNotFound, "NotFound", "No team found with Group Id "+missing+".")
	e.do("PATCH", "/teams/"+missing, map[string]any{}).wantError(t, http.StatusNotFound, "NotFound", "No team found with Group Id "+missing+".")
}

func toJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
