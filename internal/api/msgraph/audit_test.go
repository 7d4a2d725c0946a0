package msgraph_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

type auditEntry struct {
	ID                  string
	Category            string
	CorrelationID       *string `json:"correlationId"`
	Result              string
	ResultReason        string
	ActivityDisplayName string
	ActivityDateTime    string
	LoggedByService     string
	OperationType       string
	InitiatedBy         map[string]map[string]any
	TargetResources     []map[string]any
	AdditionalDetails   []map[string]string
}

func audits(t *testing.T, e *env, query string) (entries []auditEntry, next string) {
	t.Helper()
	r := e.do("GET", "/auditLogs/directoryAudits"+query, nil).want(t, http.StatusOK)
	var body struct {
		Context string `json:"@odata.context"`
		Next    string `json:"@odata.nextLink"`
		Value   []auditEntry
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatal(err)
	}
	if body.Context != e.base+"/$metadata#auditLogs/directoryAudits" {
		t.Errorf("@odata.context %q", body.Context)
	}
	return body.Value, body.Next
}

func TestAuditLog(t *testing.T) {
	e := newEnv(t)
	start := time.Now().UTC().Add(-time.Second)
	u := e.user("ada")
	g := e.secGroup("Auditors")
	add := e.do("POST", "/groups/"+g+"/members/$ref", ref(e, "users", u), header("client-request-id", "c-1")).want(t, http.StatusNoContent)
	e.do("PATCH", "/users/"+u, map[string]any{"jobTitle": "Analyst"}).want(t, http.StatusNoContent)

	list, next := audits(t, e, "")
	if next != "" || len(list) < 4 {
		t.Fatalf("%d entries, next %q", len(list), next)
	}
	var names []string
	for _, a := range list[:4] {
		names = append(names, a.ActivityDisplayName)
	}
	if want := []string{"Update user", "Add member to group", "Add group", "Add user"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("newest first: %v, want %v", names, want)
	}

	// "Add member to group", field by field.
	m := list[1]
	if !strings.HasPrefix(m.ID, "Directory_") || m.Category != "GroupManagement" || m.Result != "success" ||
		m.ResultReason != "" || m.LoggedByService != "Core Directory" || m.OperationType != "Assign" {
		t.Errorf("entry %+v", m)
	}
	if m.CorrelationID == nil || *m.CorrelationID != add.h.Get("request-id") {
		t.Errorf("correlationId %v, want request-id %q", m.CorrelationID, add.h.Get("request-id"))
	}
	at, err := time.Parse(time.RFC3339Nano, m.ActivityDateTime)
	if err != nil || at.Before(start) || at.After(time.Now().Add(time.Second)) || len(m.ActivityDateTime) != len("2006-01-02T15:04:05.0000000Z") {
		t.Errorf("activityDateTime %q", m.ActivityDateTime)
	}
	wantBy := map[string]map[string]any{
		"user": {"id": string(e.admin), "displayName": nil, "userPrincipalName": adminLogin, "ipAddress": "127.0.0.1"},
		"app":  nil,
	}
	if !reflect.DeepEqual(m.InitiatedBy, wantBy) {
		t.Errorf("initiatedBy %v\nwant %v", m.InitiatedBy, wantBy)
	}
	wantTargets := []map[string]any{
		{"id": g, "displayName": "Auditors", "type": "Group", "userPrincipalName": nil, "groupType": nil, "modifiedProperties": []any{}},
		{"id": u, "displayName": "ada", "type": "User", "userPrincipalName": "ada@example.org", "groupType": nil, "modifiedProperties": []any{}},
	}
	if !reflect.DeepEqual(m.TargetResources, wantTargets) {
		t.Errorf("targetResources %v\nwant %v", m.TargetResources, wantTargets)
	}
	if want := []map[string]string{{"key": "ClientAddress", "value": "127.0.0.1"}}; !reflect.DeepEqual(m.AdditionalDetails, want) {
		t.Errorf("additionalDetails %v", m.AdditionalDetails)
	}
	if mp := list[0].TargetResources[0]["modifiedProperties"]; !reflect.DeepEqual(mp, []any{map[string]any{"displayName": "jobTitle", "oldValue": nil, "newValue": nil}}) {
		t.Errorf("Update user modifiedProperties %v", mp)
	}
	// The domain's own fixture write has no request: a system actor.
	if last := list[3]; last.InitiatedBy["user"] != nil || last.InitiatedBy["app"]["displayName"] != "groupd" {
		t.Errorf("system initiator %v", last.InitiatedBy)
	}

	// One by id.
	one := e.do("GET", "/auditLogs/directoryAudits/"+m.ID, nil).want(t, http.StatusOK).obj(t)
	if one["id"] != m.ID || one["activityDisplayName"] != "Add member to group" || one["@odata.context"] != e.base+"/$metadata#auditLogs/directoryAudits/$entity" {
		t.Errorf("get by id: %v", one)
	}
	e.do("GET", "/auditLogs/directoryAudits/Directory_999999", nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound",
		"Resource 'Directory_999999' does not exist or one of its queried reference-property objects are not present.")

	// Filters.
	for _, tc := range []struct {
		filter string
		want   []string
	}{
		{"activityDisplayName eq 'Add member to group'", []string{"Add member to group"}},
		{"targetResources/any(t:t/id eq '" + u + "')", []string{"Update user", "Add member to group", "Add user"}},
		{"correlationId eq '" + add.h.Get("request-id") + "'", []string{"Add member to group"}},
		{"initiatedBy/user/id eq '" + string(e.admin) + "' and activityDisplayName eq 'Update user'", []string{"Update user"}},
		{"activityDateTime ge " + m.ActivityDateTime + " and activityDateTime le " + m.ActivityDateTime, []string{"Add member to group"}},
		{"activityDateTime gt " + m.ActivityDateTime + " and activityDisplayName eq 'Add member to group'", nil},
		{"activityDateTime lt " + start.Format(time.RFC3339), nil},
		{"activityDisplayName eq 'No such thing'", nil},
	} {
		got, _ := audits(t, e, "?$filter="+url.QueryEscape(tc.filter))
		var names []string
		for _, a := range got {
			names = append(names, a.ActivityDisplayName)
		}
		if !reflect.DeepEqual(names, tc.want) {
			t.Errorf("%s: %v, want %v", tc.filter, names, tc.want)
		}
	}

	// Paging: $top=2 and @odata.nextLink walk everything once.
	var paged []string
	page, next := audits(t, e, "?$top=2")
	for i := 0; ; i++ {
		for _, a := range page {
			paged = append(paged, a.ID)
		}
		if next == "" || i > 10 {
			break
		}
		if !strings.HasPrefix(next, e.base+"/auditLogs/directoryAudits?$top=2&$skiptoken=") {
			t.Fatalf("nextLink %q", next)
		}
		page, next = audits(t, e, strings.TrimPrefix(next, e.base+"/auditLogs/directoryAudits"))
	}
	var all []string
	for _, a := range list {
		all = append(all, a.ID)
	}
	if !reflect.DeepEqual(paged, all) {
		t.Errorf("paged %v, want %v", paged, all)
	}

	// Refusals.
	e.do("GET", "/auditLogs/directoryAudits?$filter="+url.QueryEscape("category eq 'x'"), nil).wantError(t, http.StatusBadRequest, "BadRequest",
		"Invalid filter clause: 'category eq 'x''. groupd filters directoryAudits on activityDateTime (ge, le, gt, lt), activityDisplayName, correlationId, initiatedBy/user/id, initiatedBy/app/servicePrincipalId (eq) and targetResources/any(t:t/id eq '…'), joined by 'and'.")
	e.do("GET", "/auditLogs/directoryAudits?$filter="+url.QueryEscape("activityDateTime ge yesterday"), nil).wantError(t, http.StatusBadRequest, "BadRequest",
		"The DateTimeOffset literal 'yesterday' is not valid.")
	e.do("GET", "/auditLogs/directoryAudits?$top=1000", nil).wantError(t, http.StatusBadRequest, "BadRequest",
		"Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.")
	e.do("GET", "/auditLogs/directoryAudits?$orderby=activityDateTime", nil).wantError(t, http.StatusBadRequest, "Request_UnsupportedQuery",
		"The query option '$orderby' is not supported on this resource.")
	e.do("GET", "/auditLogs/directoryAudits?$skiptoken=abc", nil).wantError(t, http.StatusBadRequest, "BadRequest",
		"The $skiptoken value 'abc' is not valid.")
	e.do("GET", "/auditLogs/signIns", nil).wantError(t, http.StatusBadRequest, "BadRequest", "Resource not found for the segment 'signIns'.")
}

// TestAuditRestoreAndPurge: restoring and purging deleted objects are
// audited with Entra's activity names, and the names filter.
func TestAuditRestoreAndPurge(t *testing.T) {
	e := newEnv(t)
	u := e.user("ada")
	e.do("DELETE", "/users/"+u, nil).want(t, http.StatusNoContent)
	e.do("POST", "/directory/deletedItems/"+u+"/restore", nil).want(t, http.StatusOK)
	e.do("DELETE", "/users/"+u, nil).want(t, http.StatusNoContent)
	e.do("DELETE", "/directory/deletedItems/"+u, nil).want(t, http.StatusNoContent)
	entries, _ := audits(t, e, "?$filter="+url.QueryEscape("targetResources/any(t:t/id eq '"+u+"')"))
	var names []string
	for _, a := range entries {
		names = append(names, a.ActivityDisplayName+"/"+a.OperationType)
	}
	want := []string{"Hard Delete user/Delete", "Delete user/Delete", "Restore user/Update", "Delete user/Delete", "Add user/Add"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("activities %v, want %v", names, want)
	}
	if got, _ := audits(t, e, "?$filter="+url.QueryEscape("activityDisplayName eq 'Restore user'")); len(got) != 1 {
		t.Errorf("filter by 'Restore user': %d entries", len(got))
	}
}
