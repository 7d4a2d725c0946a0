package msgraph_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"groupd/internal/directory"
)

// validationDetails returns the details of a 422 from validateProperties.
func validationDetails(t *testing.T, r *resp) []map[string]string {
	t.Helper()
	r.want(t, http.StatusUnprocessableEntity)
	var body struct {
		Error struct {
			Code, Message string
			InnerError    map[string]string `json:"innerError"`
			Details       []map[string]string
		}
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatal(err)
	}
	if body.Error.Code != "Request_UnprocessableEntity" || body.Error.Message != "The values provided contain one or more validation errors." ||
		body.Error.InnerError["request-id"] != r.h.Get("request-id") {
		t.Errorf("422 body %s", r.body)
	}
	return body.Error.Details
}

func TestValidateProperties(t *testing.T) {
	e := newEnv(t)
	jim, ann := e.user("jim"), e.user("ann")
	e.do(http.MethodPatch, "/users/"+jim, map[string]any{"department": "Sales"}).want(t, http.StatusNoContent)
	e.do(http.MethodPatch, "/users/"+ann, map[string]any{"department": "Ops"}).want(t, http.StatusNoContent)
	asJim := as("jim@example.org", adminPass)
	validate := func(body map[string]any, opts ...reqOpt) *resp {
		return e.do(http.MethodPost, "/directoryObjects/validateProperties", body, opts...)
	}
	names := func(display, nick string) map[string]any {
		return map[string]any{"entityType": "Group", "displayName": display, "mailNickname": nick}
	}

	// Without a Group.Unified setting every well-formed name passes.
	validate(names("Team", "team"), asJim).want(t, http.StatusNoContent)

	if _, err := e.dir.SetUnifiedSettings(context.Background(), e.tenant, []directory.SettingValue{
		{Name: "PrefixSuffixNamingRequirement", Value: "GRP [Department]_[GroupName]_X"},
		{Name: "CustomBlockedWordsList", Value: "Payroll,CEO"},
	}); err != nil {
		t.Fatal(err)
	}
	validate(names("GRP Sales_Team_X", "GRPSales_Team_X"), asJim).want(t, http.StatusNoContent)
	// A Global Administrator is exempt from the rules on names, as the
	// administrator's own call or on its behalf; the conflict still counts.
	validate(names("Payroll CEO", "payroll")).want(t, http.StatusNoContent)
	onBehalf := names("Payroll CEO", "payroll")
	onBehalf["onBehalfOfUserId"] = string(e.admin)
	validate(onBehalf, asJim).want(t, http.StatusNoContent)
	// Graph's SDKs call it on /groups as well.
	e.do(http.MethodPost, "/groups/validateProperties", names("GRP Sales_Team_X", "GRPSales_Team_X"), asJim).want(t, http.StatusNoContent)
	if d := validationDetails(t, e.do(http.MethodPost, "/groups/validateProperties", names("Team", "team"), asJim)); len(d) == 0 {
		t.Error("/groups/validateProperties passed a name without the prefix")
	}

	// Every name missing the prefix or suffix is reported at once; the
	// nickname's leave out what a nickname cannot hold.
	got := validationDetails(t, validate(names("Team", "team"), asJim))
	want := []map[string]string{
		{"target": "displayName", "code": "MissingPrefixSuffix", "prefix": "GRP Sales_", "suffix": "_X",
			"message": "Property displayName is missing a required prefix/suffix per your organization's Group naming requirements."},
		{"target": "mailNickname", "code": "MissingPrefixSuffix", "prefix": "GRPSales_", "suffix": "_X",
			"message": "Property mailNickname is missing a required prefix/suffix per your organization's Group naming requirements."},
	}
	if !equalDetails(got, want) {
		t.Errorf("details %v\nwant %v", got, want)
	}

	// The tokens come from onBehalfOfUserId when given.
	body := names("GRP Ops_Team_X", "GRPOps_Team_X")
	body["onBehalfOfUserId"] = ann
	validate(body).want(t, http.StatusNoContent)

	// Then blocked words, the first found only.
	got = validationDetails(t, validate(names("GRP Sales_Payroll CEO_X", "GRPSales_ok_X"), asJim))
	want = []map[string]string{{"target": "displayName", "code": "ContainsBlockedWord", "blockedWord": "Payroll",
		"message": "Property displayName contains the blocked word 'Payroll' per your organization's Group naming requirements."}}
	if !equalDetails(got, want) {
		t.Errorf("details %v\nwant %v", got, want)
	}

	// Then a nickname already taken, for a new group only.
	taken := e.unified("GRPSales_Taken_X")
	got = validationDetails(t, validate(names("GRP Sales_Taken_X", "GRPSales_Taken_X"), asJim))
	want = []map[string]string{{"target": "mailNickname", "code": "PropertyConflict",
		"message": "Another object with the same value for property mailNickname already exists."}}
	if !equalDetails(got, want) {
		t.Errorf("details %v\nwant %v", got, want)
	}
	// A security group without mail shares its nickname, as creating the
	// Microsoft 365 group would.
	e.secGroup("GRPSales_Sec_X")
	validate(names("GRP Sales_Sec_X", "GRPSales_Sec_X"), asJim).want(t, http.StatusNoContent)
	e.do(http.MethodPost, "/groups/"+taken+"/validateProperties", map[string]any{"mailNickname": "GRPSales_Taken_X"}, asJim).
		want(t, http.StatusNoContent)
	if got := validationDetails(t, e.do(http.MethodPost, "/groups/"+taken+"/validateProperties", map[string]any{"displayName": "Renamed"}, asJim)); len(got) != 1 || got[0]["code"] != "MissingPrefixSuffix" {
		t.Errorf("rename without the prefix: %v", got)
	}

	for _, c := range []struct {
		path          string
		body          any
		status        int
		code, message string
		detail        []string
	}{
		{"/directoryObjects/validateProperties", map[string]any{"displayName": "x"}, 400, "Request_BadRequest",
			"Property entityType must be Group: validateProperties checks the names of Microsoft 365 groups.", []string{"entityType", "InvalidValue"}},
		{"/directoryObjects/validateProperties", map[string]any{"entityType": "User", "displayName": "x"}, 400, "Request_BadRequest",
			"Property entityType must be Group: validateProperties checks the names of Microsoft 365 groups.", []string{"entityType", "InvalidValue"}},
		{"/directoryObjects/validateProperties", map[string]any{"entityType": "Group"}, 400, "Request_BadRequest",
			"At least one of displayName and mailNickname is required.", nil},
		{"/directoryObjects/validateProperties", map[string]any{"entityType": "Group", "displayName": "x", "description": "y"}, 400, "BadRequest",
			"The parameter 'description' in the request payload is not a valid parameter for the operation 'validateProperties'.", nil},
		{"/directoryObjects/validateProperties", map[string]any{"entityType": "Group", "displayName": "x", "onBehalfOfUserId": "jim"}, 400, "Request_BadRequest",
			"Invalid object identifier 'jim'.", nil},
		{"/directoryObjects/validateProperties", map[string]any{"entityType": "Group", "displayName": "x", "onBehalfOfUserId": "00000000-0000-0000-0000-000000000000"}, 404, "Request_ResourceNotFound",
			"Resource '00000000-0000-0000-0000-000000000000' does not exist or one of its queried reference-property objects are not present.", nil},
		{"/groups/" + taken + "/validateProperties", map[string]any{"entityType": "Group", "displayName": "x"}, 400, "BadRequest",
			"The parameter 'entityType' in the request payload is not a valid parameter for the operation 'validateProperties'.", nil},
		{"/groups/00000000-0000-0000-0000-000000000000/validateProperties", map[string]any{"displayName": "x"}, 404, "Request_ResourceNotFound",
			"Resource '00000000-0000-0000-0000-000000000000' does not exist or one of its queried reference-property objects are not present.", nil},
	} {
		e.do(http.MethodPost, c.path, c.body, asJim).wantError(t, c.status, c.code, c.message, c.detail...)
	}
}

func equalDetails(got, want []map[string]string) bool {
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	return string(g) == string(w)
}
