package msgraph_test

import (
	"net/http"
	"net/url"
	"testing"
)

// auditCount counts the audit entries that name id.
func (e *env) auditCount(t *testing.T, id string) int {
	t.Helper()
	q := url.Values{"$filter": {"targetResources/any(t:t/id eq '" + id + "')"}, "$top": {"999"}}
	r := e.do("GET", "/auditLogs/directoryAudits?"+q.Encode(), nil).want(t, http.StatusOK)
	return len(r.obj(t)["value"].([]any))
}

// TestGroupSettingPatchBody: a groupSetting PATCH refuses read-only
// properties, values that are no array and a name given twice, on the
// tenant's settings and a group's alike; a refused PATCH, and one naming
// no value, changes nothing and is not audited.
func TestGroupSettingPatchBody(t *testing.T) {
	e := newEnv(t)
	tenant := e.do("POST", "/groupSettings", map[string]any{"templateId": unifiedTemplate, "values": []map[string]string{
		{"name": "ClassificationList", "value": "low,high"}}}).want(t, http.StatusCreated).obj(t)["id"].(string)
	gid := e.unified("Guarded")
	own := e.do("POST", "/groups/"+gid+"/settings", map[string]any{"templateId": guestTemplate, "values": []map[string]string{
		{"name": "AllowToAddGuests", "value": "false"}}}).want(t, http.StatusCreated).obj(t)["id"].(string)
	for _, path := range []string{"/groupSettings/" + tenant, "/groups/" + gid + "/settings/" + own} {
		id := path[len(path)-36:]
		before := e.auditCount(t, id)
		setting := string(e.do("GET", path, nil).want(t, http.StatusOK).body)
		for _, tc := range []struct {
			body         any
			msg          string
			target, code string
		}{
			{map[string]any{"displayName": "x"}, "Property 'displayName' is read-only and cannot be set.", "displayName", "ReadOnlyProperty"},
			{map[string]any{"templateId": unifiedTemplate}, "Property 'templateId' is read-only and cannot be set.", "templateId", "ReadOnlyProperty"},
			{map[string]any{"values": nil}, "Invalid value specified for property 'values' of resource 'GroupSetting'.", "values", "InvalidValue"},
			{map[string]any{"values": map[string]string{"name": "AllowToAddGuests", "value": "true"}},
				"Invalid value specified for property 'values' of resource 'GroupSetting'.", "values", "InvalidValue"},
			{map[string]any{"values": []map[string]string{{"name": "AllowToAddGuests", "value": "true"}, {"name": "allowtoaddguests", "value": "false"}}},
				"The setting 'allowtoaddguests' is given more than once in values.", "values", "InvalidValue"},
			{map[string]any{"@odata.type": "#microsoft.graph.group"}, "A resource with type 'microsoft.graph.group' was found, but it is not assignable to the expected type " +
				"'microsoft.graph.groupSetting'. The type specified in the resource must be equal to either the expected type or a derived type.", "", ""},
		} {
			r := e.do("PATCH", path, tc.body)
			if tc.target == "" {
				r.wantError(t, http.StatusBadRequest, "Request_BadRequest", tc.msg)
			} else {
				r.wantError(t, http.StatusBadRequest, "Request_BadRequest", tc.msg, tc.target, tc.code)
			}
		}
		// Naming no value is no change.
		e.do("PATCH", path, map[string]any{}).want(t, http.StatusNoContent)
		e.do("PATCH", path, map[string]any{"@odata.type": "#microsoft.graph.groupSetting", "values": []any{}}).want(t, http.StatusNoContent)
		if got := string(e.do("GET", path, nil).want(t, http.StatusOK).body); got != setting {
			t.Errorf("%s after refused and empty PATCHes:\n%s\nwant\n%s", path, got, setting)
		}
		if n := e.auditCount(t, id); n != before {
			t.Errorf("%s: %d audit entries, want %d", path, n, before)
		}
	}
}

// TestDefaultClassificationSpelling: a default classification written in
// another letter case is stored in ClassificationList's spelling, which
// new groups then get, as a group naming it itself does.
func TestDefaultClassificationSpelling(t *testing.T) {
	e := newEnv(t)
	id := e.do("POST", "/groupSettings", map[string]any{"templateId": unifiedTemplate, "values": []map[string]string{
		{"name": "ClassificationList", "value": "low,high"}}}).want(t, http.StatusCreated).obj(t)["id"].(string)
	e.do("PATCH", "/groupSettings/"+id, map[string]any{"values": []map[string]string{
		{"name": "DefaultClassification", "value": "LOW"}}}).want(t, http.StatusNoContent)
	for _, v := range e.do("GET", "/groupSettings/"+id, nil).want(t, http.StatusOK).obj(t)["values"].([]any) {
		if v := v.(map[string]any); v["name"] == "DefaultClassification" && v["value"] != "low" {
			t.Errorf("DefaultClassification %v, want low", v["value"])
		}
	}
	gid := e.unified("Classified")
	if g := e.do("GET", "/groups/"+gid+"?$select=classification", nil).want(t, http.StatusOK).obj(t); g["classification"] != "low" {
		t.Errorf("classification %v, want low", g["classification"])
	}
}
