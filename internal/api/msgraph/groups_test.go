package msgraph_test

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// groupKeys is every Graph group property in Graph's order (REFERENCE.md,
// "Properties returned").
const groupKeys = "id,deletedDateTime,classification,createdDateTime,creationOptions,description,displayName," +
	"expirationDateTime,groupTypes,isAssignableToRole,mail,mailEnabled,mailNickname,membershipRule," +
	"membershipRuleProcessingState,onPremisesDomainName,onPremisesLastSyncDateTime,onPremisesNetBiosName," +
	"onPremisesSamAccountName,onPremisesSecurityIdentifier,onPremisesSyncEnabled,preferredDataLocation," +
	"preferredLanguage,proxyAddresses,renewedDateTime,resourceBehaviorOptions,resourceProvisioningOptions," +
	"securityEnabled,securityIdentifier,theme,visibility,onPremisesProvisioningErrors,serviceProvisioningErrors"

var graphTime = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

func TestGroupLifecycle(t *testing.T) {
	e := newEnv(t)
	before := time.Now().UTC().Add(-time.Second)
	r := e.do("POST", "/groups", map[string]any{"@odata.type": "#microsoft.graph.group", "displayName": "Sales",
		"description": "Sales team", "mailNickname": "sales", "mailEnabled": false, "securityEnabled": true}).want(t, http.StatusCreated)
	if got := strings.Join(keys(t, r.body), ","); got != "@odata.context,"+groupKeys {
		t.Errorf("keys\n%s\nwant\n@odata.context,%s", got, groupKeys)
	}
	m := r.obj(t)
	id := m["id"].(string)
	if loc := r.h.Get("Location"); loc != e.base+"/groups/"+id {
		t.Errorf("Location %q", loc)
	}
	want := map[string]any{
		"@odata.context": e.base + "/$metadata#groups/$entity", "description": "Sales team", "displayName": "Sales",
		"mailNickname": "sales", "mailEnabled": false, "securityEnabled": true, "isAssignableToRole": false,
	}
	for _, k := range []string{"deletedDateTime", "classification", "expirationDateTime", "mail", "membershipRule",
		"membershipRuleProcessingState", "onPremisesDomainName", "onPremisesLastSyncDateTime", "onPremisesNetBiosName",
		"onPremisesSamAccountName", "onPremisesSecurityIdentifier", "onPremisesSyncEnabled", "preferredDataLocation",
		"preferredLanguage", "theme", "visibility"} {
		want[k] = nil
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %#v, want %#v", k, m[k], v)
		}
	}
	for _, k := range []string{"creationOptions", "groupTypes", "proxyAddresses", "resourceBehaviorOptions",
		"resourceProvisioningOptions", "onPremisesProvisioningErrors", "serviceProvisioningErrors"} {
		if l, ok := m[k].([]any); !ok || len(l) != 0 {
			t.Errorf("%s = %#v, want []", k, m[k])
		}
	}
	created, _ := m["createdDateTime"].(string)
	if ct, err := time.Parse(time.RFC3339, created); !graphTime.MatchString(created) || err != nil || ct.Before(before) || m["renewedDateTime"] != created {
		t.Errorf("createdDateTime %q renewedDateTime %v", created, m["renewedDateTime"])
	}
	if sid, _ := m["securityIdentifier"].(string); !strings.HasPrefix(sid, "S-1-12-1-") {
		t.Errorf("securityIdentifier %q", sid)
	}

	got := e.do("GET", "/groups/"+id, nil).want(t, http.StatusOK)
	if !bytes.Equal(got.body, r.body) {
		t.Errorf("GET differs from the create answer:\n%s\n%s", got.body, r.body)
	}
	e.do("GET", "/groups/"+strings.ToUpper(id), nil).want(t, http.StatusOK)

	e.do("PATCH", "/groups/"+id, map[string]any{"@odata.type": "#microsoft.graph.group", "description": "Renamed",
		"visibility": "Private", "classification": "internal"}).want(t, http.StatusNoContent)
	m = e.do("GET", "/groups/"+id, nil).want(t, http.StatusOK).obj(t)
	if m["description"] != "Renamed" || m["visibility"] != "Private" || m["classification"] != "internal" || m["displayName"] != "Sales" {
		t.Errorf("after PATCH: %v", m)
	}
	e.do("PATCH", "/groups/"+id, map[string]any{"description": nil}).want(t, http.StatusNoContent)
	if m = e.do("GET", "/groups/"+id, nil).obj(t); m["description"] != nil {
		t.Errorf("description %v, want null", m["description"])
	}

	e.do("DELETE", "/groups/"+id, nil).want(t, http.StatusNoContent)
	notFound := "Resource '" + id + "' does not exist or one of its queried reference-property objects are not present."
	e.do("GET", "/groups/"+id, nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound", notFound)
	e.do("DELETE", "/groups/"+id, nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound", notFound)
	e.do("PATCH", "/groups/"+id, map[string]any{"description": "x"}).wantError(t, http.StatusNotFound, "Request_ResourceNotFound", notFound)
	e.do("GET", "/groups/not-a-guid", nil).wantError(t, http.StatusBadRequest, "Request_BadRequest",
		"Invalid object identifier 'not-a-guid'.")
}

func TestUnifiedGroupDefaults(t *testing.T) {
	e := newEnv(t)
	id := e.unified("Team")
	m := e.do("GET", "/groups/"+id, nil).want(t, http.StatusOK).obj(t)
	if m["mail"] != "Team@example.org" || m["visibility"] != "Public" {
		t.Errorf("mail %v visibility %v", m["mail"], m["visibility"])
	}
	if gt := m["groupTypes"].([]any); len(gt) != 1 || gt[0] != "Unified" {
		t.Errorf("groupTypes %v", gt)
	}
	if pa := m["proxyAddresses"].([]any); len(pa) != 1 || pa[0] != "SMTP:Team@example.org" {
		t.Errorf("proxyAddresses %v", pa)
	}
}

func TestGroupSelect(t *testing.T) {
	e := newEnv(t)
	id := e.secGroup("Selected")
	r := e.do("GET", "/groups/"+id+"?$select=displayName,id,DisplayName", nil).want(t, http.StatusOK)
	if got := strings.Join(keys(t, r.body), ","); got != "@odata.context,id,displayName" {
		t.Errorf("keys %s", got)
	}
	m := r.obj(t)
	if m["@odata.context"] != e.base+"/$metadata#groups(displayName,id)/$entity" || m["id"] != id || m["displayName"] != "Selected" {
		t.Errorf("body %v", m)
	}
	// Selectable beyond the default set.
	r = e.do("GET", "/groups/"+id+"?$select=hideFromOutlookClients,assignedLabels", nil).want(t, http.StatusOK)
	if string(r.body) != `{"@odata.context":"`+e.base+`/$metadata#groups(hideFromOutlookClients,assignedLabels)/$entity","assignedLabels":[],"hideFromOutlookClients":null}` {
		t.Errorf("body %s", r.body)
	}
}

func TestGroupWriteErrors(t *testing.T) {
	e := newEnv(t)
	e.unified("taken")
	valid := func(extra ...any) map[string]any {
		m := map[string]any{"displayName": "x", "mailNickname": "x", "mailEnabled": false, "securityEnabled": true}
		for i := 0; i+1 < len(extra); i += 2 {
			if extra[i+1] == "-" {
				delete(m, extra[i].(string))
			} else {
				m[extra[i].(string)] = extra[i+1]
			}
		}
		return m
	}
	required := func(p string) string {
		return "Invalid value specified for property '" + p + "' of resource 'Group'. The property is required."
	}
	const nickRule = `Property mailNickname has an invalid value. mailNickname may contain only ASCII characters except @ ( ) \ [ ] " ; : < > , and space.`
	for _, tc := range []struct {
		name       string
		body       any
		status     int
		code, msg  string
		detail     []string
		reqOptions []reqOpt
	}{
		{"no displayName", valid("displayName", "-"), 400, "Request_BadRequest", required("displayName"), []string{"displayName", "PropertyRequired"}, nil},
		{"no mailNickname", valid("mailNickname", "-"), 400, "Request_BadRequest", required("mailNickname"), []string{"mailNickname", "PropertyRequired"}, nil},
		{"no mailEnabled", valid("mailEnabled", "-"), 400, "Request_BadRequest", required("mailEnabled"), []string{"mailEnabled", "PropertyRequired"}, nil},
		{"no securityEnabled", valid("securityEnabled", "-"), 400, "Request_BadRequest", required("securityEnabled"), []string{"securityEnabled", "PropertyRequired"}, nil},
		{"empty displayName", valid("displayName", " "), 400, "Request_BadRequest", required("displayName"), []string{"displayName", "PropertyRequired"}, nil},
		{"long displayName", valid("displayName", strings.Repeat("é", 257)), 400, "Request_BadRequest",
			"Property displayName has an invalid value. It must be at most 256 characters.", []string{"displayName", "InvalidLength"}, nil},
		{"long mailNickname", valid("mailNickname", strings.Repeat("n", 65)), 400, "Request_BadRequest",
			"Property mailNickname has an invalid value. It must be at most 64 characters.", []string{"mailNickname", "InvalidLength"}, nil},
		{"nickname space", valid("mailNickname", "two words"), 400, "Request_BadRequest", nickRule, []string{"mailNickname", "InvalidValue"}, nil},
		{"nickname at", valid("mailNickname", "a@b"), 400, "Request_BadRequest", nickRule, []string{"mailNickname", "InvalidValue"}, nil},
		{"nickname non-ASCII", valid("mailNickname", "café"), 400, "Request_BadRequest", nickRule, []string{"mailNickname", "InvalidValue"}, nil},
		{"bad visibility", valid("visibility", "Secret"), 400, "Request_BadRequest",
			"Property visibility has an invalid value. Allowed values are Private, Public, HiddenMembership.", []string{"visibility", "InvalidValue"}, nil},
		{"bad groupTypes", valid("groupTypes", []string{"Bogus"}), 400, "Request_BadRequest",
			"Property groupTypes has an invalid value. Allowed values are Unified, DynamicMembership.", []string{"groupTypes", "InvalidValue"}, nil},
		{"taken nickname", valid("mailNickname", "TAKEN", "mailEnabled", true, "groupTypes", []string{"Unified"}), 400, "Request_BadRequest",
			"Another object with the same value for property mailNickname already exists.", []string{"mailNickname", "ObjectConflict"}, nil},
		{"unknown property", valid("color", "red"), 400, "Request_BadRequest", "Invalid property 'color'.", []string{"color", "InvalidProperty"}, nil},
		{"first offender wins", `{"bogus":1,"id":"x","displayName":5}`, 400, "Request_BadRequest", "Invalid property 'bogus'.", []string{"bogus", "InvalidProperty"}, nil},
		{"read-only first", `{"id":"x","bogus":1}`, 400, "Request_BadRequest", "Property 'id' is read-only and cannot be set.", []string{"id", "ReadOnlyProperty"}, nil},
		{"wrong type", `{"displayName":5,"bogus":1}`, 400, "Request_BadRequest",
			"Invalid value specified for property 'displayName' of resource 'Group'.", []string{"displayName", "InvalidValue"}, nil},
		{"wrong bool", valid("mailEnabled", "yes"), 400, "Request_BadRequest",
			"Invalid value specified for property 'mailEnabled' of resource 'Group'.", []string{"mailEnabled", "InvalidValue"}, nil},
		{"groupTypes not a list", valid("groupTypes", "Unified"), 400, "Request_BadRequest",
			"Invalid value specified for property 'groupTypes' of resource 'Group'.", []string{"groupTypes", "InvalidValue"}, nil},
		{"duplicate property", `{"displayName":"a","displayName":"b"}`, 400, "BadRequest",
			"The property 'displayName' is given more than once in the request body.", nil, nil},
		{"malformed JSON", `{"displayName":`, 400, "BadRequest", "The request body is not valid JSON: unexpected end of input.", nil, nil},
		{"not an object", `["x"]`, 400, "BadRequest", "The request body must be a JSON object.", nil, nil},
		{"empty body", "", 400, "BadRequest", "Empty Payload. JSON content expected.", nil, nil},
		{"form", "displayName=x", 415, "UnsupportedMediaType", "Content-Type 'application/x-www-form-urlencoded' is not supported; send application/json.",
			nil, []reqOpt{header("Content-Type", "application/x-www-form-urlencoded")}},
		{"too large", `{"description":"` + strings.Repeat("a", 4<<20) + `"}`, 413, "RequestEntityTooLarge",
			"The request body is larger than the 4 MiB limit.", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.do("POST", "/groups", tc.body, tc.reqOptions...).wantError(t, tc.status, tc.code, tc.msg, tc.detail...)
		})
	}
	for _, p := range []string{"id", "createdDateTime", "deletedDateTime", "renewedDateTime", "mail", "proxyAddresses",
		"securityIdentifier", "onPremisesSyncEnabled", "onPremisesSamAccountName", "expirationDateTime"} {
		e.do("POST", "/groups", valid(p, nil)).wantError(t, 400, "Request_BadRequest",
			"Property '"+p+"' is read-only and cannot be set.", p, "ReadOnlyProperty")
	}
	// Writable in Graph, not kept here: said so, not called read-only.
	for _, p := range []string{"theme", "preferredLanguage", "preferredDataLocation"} {
		e.do("POST", "/groups", valid(p, "x")).wantError(t, 400, "Request_BadRequest",
			"Property '"+p+"' cannot be set: groupd does not support it.", p, "NotSupported")
	}
	if n := e.groupCount(); n != 1 {
		t.Errorf("%d groups after refused creates, want 1", n)
	}
}

func TestGroupPatchErrorsChangeNothing(t *testing.T) {
	e := newEnv(t)
	id := e.unified("keep")
	before := e.do("GET", "/groups/"+id, nil).want(t, http.StatusOK).body
	e.do("PATCH", "/groups/"+id, map[string]any{"description": "new", "displayName": ""}).wantError(t, 400, "Request_BadRequest",
		"Invalid value specified for property 'displayName' of resource 'Group'. The property is required.", "displayName", "PropertyRequired")
	e.do("PATCH", "/groups/"+id, map[string]any{"description": "new", "groupTypes": []string{}}).wantError(t, 400, "Request_BadRequest",
		"Property groupTypes has an invalid value. A group cannot be changed between security and Microsoft 365 group.", "groupTypes", "InvalidValue")
	e.do("PATCH", "/groups/"+id, map[string]any{"description": "new", "isAssignableToRole": true}).wantError(t, 400, "Request_BadRequest",
		"Property 'isAssignableToRole' is read-only and cannot be set.", "isAssignableToRole", "ReadOnlyProperty")
	e.do("PATCH", "/groups/"+id, map[string]any{"description": "new", "mail": "x@example.org"}).wantError(t, 400, "Request_BadRequest",
		"Property 'mail' is read-only and cannot be set.", "mail", "ReadOnlyProperty")
	if after := e.do("GET", "/groups/"+id, nil).body; !bytes.Equal(before, after) {
		t.Errorf("refused PATCH changed the group:\n%s\n%s", before, after)
	}
}

func TestGzipBody(t *testing.T) {
	e := newEnv(t)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(`{"@odata.type":"#microsoft.graph.group","displayName":"Zipped","mailNickname":"zipped","mailEnabled":false,"securityEnabled":true}`))
	zw.Close()
	r := e.do("POST", "/groups", buf.Bytes(), header("Content-Encoding", "gzip")).want(t, http.StatusCreated)
	if m := r.obj(t); m["displayName"] != "Zipped" {
		t.Errorf("body %v", m)
	}
}
