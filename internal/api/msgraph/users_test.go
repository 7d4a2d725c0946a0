package msgraph_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// userKeys is Graph's default user property set, in Graph's order.
const userKeys = "businessPhones,displayName,givenName,jobTitle,mail,mobilePhone,officeLocation,preferredLanguage,surname,userPrincipalName,id"

func newUser(alias string, extra ...any) map[string]any {
	m := map[string]any{"@odata.type": "#microsoft.graph.user", "accountEnabled": true, "displayName": "User " + alias,
		"mailNickname": alias, "userPrincipalName": alias + "@example.org",
		"passwordProfile": map[string]any{"forceChangePasswordNextSignIn": false, "password": "Str0ng!pass"}}
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] == "-" {
			delete(m, extra[i].(string))
		} else {
			m[extra[i].(string)] = extra[i+1]
		}
	}
	return m
}

func TestUserLifecycle(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", "/users", newUser("ann", "givenName", "Ann", "surname", "Lee", "jobTitle", "Engineer",
		"businessPhones", []string{"+1 555 0100"})).want(t, http.StatusCreated)
	if got := strings.Join(keys(t, r.body), ","); got != "@odata.context,"+userKeys {
		t.Errorf("keys %s", got)
	}
	m := r.obj(t)
	id := m["id"].(string)
	if loc := r.h.Get("Location"); loc != e.base+"/users/"+id {
		t.Errorf("Location %q", loc)
	}
	want := map[string]any{"@odata.context": e.base + "/$metadata#users/$entity", "displayName": "User ann", "givenName": "Ann",
		"surname": "Lee", "jobTitle": "Engineer", "mail": nil, "mobilePhone": nil, "officeLocation": nil,
		"preferredLanguage": nil, "userPrincipalName": "ann@example.org"}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %#v, want %#v", k, m[k], v)
		}
	}
	if bp := m["businessPhones"].([]any); len(bp) != 1 || bp[0] != "+1 555 0100" {
		t.Errorf("businessPhones %v", bp)
	}
	for _, key := range []string{id, "ann@example.org", "ANN@Example.org"} {
		if got := e.do("GET", "/users/"+key, nil).want(t, http.StatusOK); !bytes.Equal(got.body, r.body) {
			t.Errorf("GET /users/%s differs from the create answer:\n%s", key, got.body)
		}
	}
	// The new user signs in with its password.
	e.do("GET", "/organization", nil, as("ann@example.org", "Str0ng!pass")).want(t, http.StatusOK)

	r = e.do("GET", "/users/"+id+"?$select=displayName,accountEnabled,createdDateTime,onPremisesSamAccountName,city", nil).want(t, http.StatusOK)
	if got := strings.Join(keys(t, r.body), ","); got != "@odata.context,displayName,accountEnabled,city,createdDateTime,onPremisesSamAccountName" {
		t.Errorf("keys %s", got)
	}
	m = r.obj(t)
	if m["@odata.context"] != e.base+"/$metadata#users(displayName,accountEnabled,createdDateTime,onPremisesSamAccountName,city)/$entity" ||
		m["accountEnabled"] != true || !graphTime.MatchString(m["createdDateTime"].(string)) || m["city"] != nil {
		t.Errorf("selected %v", m)
	}

	e.do("PATCH", "/users/ann@example.org", map[string]any{"jobTitle": "Lead", "department": "R&D", "otherMails": []string{"ann@home.test"}}).want(t, http.StatusNoContent)
	m = e.do("GET", "/users/"+id+"?$select=jobTitle,department,otherMails", nil).want(t, http.StatusOK).obj(t)
	if m["jobTitle"] != "Lead" || m["department"] != "R&D" || m["otherMails"].([]any)[0] != "ann@home.test" {
		t.Errorf("after PATCH %v", m)
	}

	e.do("DELETE", "/users/"+id, nil).want(t, http.StatusNoContent)
	e.do("GET", "/users/"+id, nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound",
		"Resource '"+id+"' does not exist or one of its queried reference-property objects are not present.")
	e.do("GET", "/users/ann@example.org", nil).want(t, http.StatusNotFound)
	// Its name is free again.
	e.do("POST", "/users", newUser("ann")).want(t, http.StatusCreated)
	// The bootstrap administrator stays.
	e.do("DELETE", "/users/"+string(e.admin), nil).wantError(t, http.StatusForbidden, "Authorization_RequestDenied",
		"Insufficient privileges to complete the operation.")
}

func TestUserList(t *testing.T) {
	e := newEnv(t)
	e.user("bob")
	r := e.do("GET", "/users?$select=userPrincipalName", nil).want(t, http.StatusOK)
	m := r.obj(t)
	if m["@odata.context"] != e.base+"/$metadata#users(userPrincipalName)" || m["@odata.nextLink"] != nil {
		t.Errorf("list %v", m)
	}
	var upns []string
	for _, v := range m["value"].([]any) {
		u := v.(map[string]any)
		if len(u) != 1 {
			t.Errorf("item %v has more than the selected property", u)
		}
		upns = append(upns, u["userPrincipalName"].(string))
	}
	if len(upns) != 2 || !strings.Contains(strings.Join(upns, " "), "admin@example.org") || !strings.Contains(strings.Join(upns, " "), "bob@example.org") {
		t.Errorf("users %v", upns)
	}
}

func TestUserWriteErrors(t *testing.T) {
	e := newEnv(t)
	e.user("taken")
	required := func(p string) string {
		return "Invalid value specified for property '" + p + "' of resource 'User'. The property is required."
	}
	for _, tc := range []struct {
		name      string
		body      any
		code, msg string
		detail    []string
	}{
		{"no accountEnabled", newUser("u1", "accountEnabled", "-"), "Request_BadRequest", required("accountEnabled"), []string{"accountEnabled", "PropertyRequired"}},
		{"no displayName", newUser("u1", "displayName", "-"), "Request_BadRequest", required("displayName"), []string{"displayName", "PropertyRequired"}},
		{"no mailNickname", newUser("u1", "mailNickname", "-"), "Request_BadRequest", required("mailNickname"), []string{"mailNickname", "PropertyRequired"}},
		{"no passwordProfile", newUser("u1", "passwordProfile", "-"), "Request_BadRequest", required("passwordProfile"), []string{"passwordProfile", "PropertyRequired"}},
		{"no userPrincipalName", newUser("u1", "userPrincipalName", "-"), "Request_BadRequest", required("userPrincipalName"), []string{"userPrincipalName", "PropertyRequired"}},
		{"unverified domain", newUser("u1", "userPrincipalName", "u1@elsewhere.test"), "Request_BadRequest",
			"The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.",
			[]string{"userPrincipalName", "InvalidValue"}},
		{"UPN shape", newUser("u1", "userPrincipalName", "no-at-sign"), "Request_BadRequest",
			"Property userPrincipalName has an invalid value. userPrincipalName must have the form alias@domain.", []string{"userPrincipalName", "InvalidValue"}},
		{"weak password", newUser("u1", "passwordProfile", map[string]any{"password": "password"}), "Request_BadRequest",
			"The specified password does not comply with password complexity requirements. Please provide a different password.",
			[]string{"passwordProfile", "InvalidValue"}},
		{"password not a string", newUser("u1", "passwordProfile", map[string]any{"password": 12345678}), "Request_BadRequest",
			"Invalid value specified for property 'passwordProfile' of resource 'User'.", []string{"passwordProfile", "InvalidValue"}},
		{"taken UPN", newUser("u1", "userPrincipalName", "TAKEN@example.org"), "Request_BadRequest",
			"Another object with the same value for property userPrincipalName already exists.", []string{"userPrincipalName", "ObjectConflict"}},
		{"long givenName", newUser("u1", "givenName", strings.Repeat("g", 65)), "Request_BadRequest",
			"Property givenName has an invalid value. It must be at most 64 characters.", []string{"givenName", "InvalidLength"}},
		{"nickname chars", newUser("u1", "mailNickname", "a;b"), "Request_BadRequest",
			`Property mailNickname has an invalid value. mailNickname may contain only ASCII characters except @ ( ) \ [ ] " ; : < > , and space.`,
			[]string{"mailNickname", "InvalidValue"}},
		{"read-only sam", newUser("u1", "onPremisesSamAccountName", "u1"), "Request_BadRequest",
			"Property 'onPremisesSamAccountName' is read-only and cannot be set.", []string{"onPremisesSamAccountName", "ReadOnlyProperty"}},
		{"read-only id", newUser("u1", "id", "x"), "Request_BadRequest",
			"Property 'id' is read-only and cannot be set.", []string{"id", "ReadOnlyProperty"}},
		{"unknown", newUser("u1", "favoriteColor", "red"), "Request_BadRequest", "Invalid property 'favoriteColor'.", []string{"favoriteColor", "InvalidProperty"}},
		{"wrong type", newUser("u1", "accountEnabled", "yes"), "Request_BadRequest",
			"Invalid value specified for property 'accountEnabled' of resource 'User'.", []string{"accountEnabled", "InvalidValue"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.do("POST", "/users", tc.body).wantError(t, http.StatusBadRequest, tc.code, tc.msg, tc.detail...)
		})
	}
	m := e.do("GET", "/users", nil).want(t, http.StatusOK).obj(t)
	if n := len(m["value"].([]any)); n != 2 {
		t.Errorf("%d users after refused creates, want 2", n)
	}
	e.do("PATCH", "/users/taken@example.org", map[string]any{"jobTitle": "x", "userPrincipalName": "admin@EXAMPLE.org"}).wantError(t,
		http.StatusBadRequest, "Request_BadRequest", "Another object with the same value for property userPrincipalName already exists.",
		"userPrincipalName", "ObjectConflict")
	if u := e.do("GET", "/users/taken@example.org?$select=jobTitle", nil).want(t, http.StatusOK).obj(t); u["jobTitle"] != nil {
		t.Errorf("refused PATCH changed jobTitle: %v", u)
	}
	e.do("GET", "/users/nobody", nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound",
		"Resource 'nobody' does not exist or one of its queried reference-property objects are not present.")
}
