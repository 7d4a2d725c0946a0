package provision_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"groupd/internal/directory"
)

func keys(list []any) []string {
	var out []string
	for _, h := range list {
		out = append(out, h.(map[string]any)["key"].(string))
	}
	return out
}

func headerValue(list []any, key string) string {
	for _, h := range list {
		m := h.(map[string]any)
		if m["key"] == key {
			return m["value"].([]any)[0].(string)
		}
	}
	return ""
}

var wantVersion11 = map[string]any{"major": 1.0, "minor": 1.0, "build": -1.0, "revision": -1.0, "majorRevision": -1.0, "minorRevision": -1.0}
var wantVersion20 = map[string]any{"major": 2.0, "minor": 0.0, "build": -1.0, "revision": -1.0, "majorRevision": -1.0, "minorRevision": -1.0}

// TestSeedSample replays the seed: a token by client credentials, then the
// sample payload; 201 with the serialized response object, and a group
// with 2 owners and 4 members (the owners are members too).
func TestSeedSample(t *testing.T) {
	e := newEnv(t)
	r := e.provision(seedPayload, header("client-request-id", "82239735-900c-4d5a-bd08-1749b932e56e"))
	if r.code != http.StatusCreated {
		t.Fatalf("status %d: %s", r.code, r.body)
	}
	if ct := r.h.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	m := r.obj(t)
	wantKeys := []string{"version", "content", "statusCode", "reasonPhrase", "headers", "requestMessage", "isSuccessStatusCode"}
	if len(m) != len(wantKeys) {
		t.Errorf("keys %v, want %v", m, wantKeys)
	}
	if !reflect.DeepEqual(m["version"], wantVersion11) {
		t.Errorf("version %v", m["version"])
	}
	ch := m["content"].(map[string]any)["headers"].([]any)
	if !reflect.DeepEqual(keys(ch), []string{"Content-Type"}) || headerValue(ch, "Content-Type") !=
		"application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8" {
		t.Errorf("content.headers %v", ch)
	}
	if m["statusCode"] != 201.0 || m["reasonPhrase"] != "Created" || m["isSuccessStatusCode"] != true {
		t.Errorf("status fields %v %v %v", m["statusCode"], m["reasonPhrase"], m["isSuccessStatusCode"])
	}
	hs := m["headers"].([]any)
	if got := keys(hs); !reflect.DeepEqual(got, []string{"Cache-Control", "Location", "request-id", "client-request-id", "OData-Version", "Duration", "Date"}) {
		t.Errorf("header keys %v", got)
	}
	loc := headerValue(hs, "Location")
	if !strings.HasPrefix(loc, e.url+"/v1.0/groups/") || r.h.Get("Location") != loc {
		t.Errorf("Location %q (header %q)", loc, r.h.Get("Location"))
	}
	if headerValue(hs, "request-id") != r.h.Get("request-id") || headerValue(hs, "client-request-id") != "82239735-900c-4d5a-bd08-1749b932e56e" {
		t.Errorf("ids %v, response request-id %s", hs, r.h.Get("request-id"))
	}
	if _, err := strconv.ParseFloat(headerValue(hs, "Duration"), 64); err != nil {
		t.Errorf("Duration %q", headerValue(hs, "Duration"))
	}
	if _, err := http.ParseTime(headerValue(hs, "Date")); err != nil {
		t.Errorf("Date %q", headerValue(hs, "Date"))
	}
	rm := m["requestMessage"].(map[string]any)
	if !reflect.DeepEqual(rm["version"], wantVersion20) || !reflect.DeepEqual(rm["method"], map[string]any{"method": "POST"}) ||
		rm["requestUri"] != e.url+"/v1.0/groups" || !reflect.DeepEqual(rm["properties"], map[string]any{}) {
		t.Errorf("requestMessage %v", rm)
	}
	rch := rm["content"].(map[string]any)["headers"].([]any)
	if n, err := strconv.Atoi(headerValue(rch, "Content-Length")); err != nil || n < len(`{"displayName":"My Group 10"}`) ||
		headerValue(rch, "Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("requestMessage.content.headers %v", rch)
	}
	if got := keys(rm["headers"].([]any)); !reflect.DeepEqual(got, []string{"Authorization", "Accept", "Request-Id"}) {
		t.Errorf("requestMessage.headers %v", got)
	}
	if strings.Contains(string(r.body), e.token) {
		t.Error("the response echoes the caller's token")
	}

	// Location resolves in groupd to the new Microsoft 365 group.
	g := e.do(http.MethodGet, strings.TrimPrefix(loc, e.url), nil)
	if g.code != http.StatusOK {
		t.Fatalf("GET Location: %d %s", g.code, g.body)
	}
	gm := g.obj(t)
	if gm["displayName"] != "My Group 10" || gm["mailNickname"] != "mygroup10" || gm["description"] != "This is my project group 10" ||
		gm["visibility"] != "Private" || !reflect.DeepEqual(gm["groupTypes"], []any{"Unified"}) || gm["mailEnabled"] != true ||
		gm["securityEnabled"] != false || !strings.EqualFold(gm["mail"].(string), "mygroup10@"+domain) {
		t.Errorf("group %v", gm)
	}
	members := e.do(http.MethodGet, strings.TrimPrefix(loc, e.url)+"/members", nil).obj(t)["value"].([]any)
	owners := e.do(http.MethodGet, strings.TrimPrefix(loc, e.url)+"/owners", nil).obj(t)["value"].([]any)
	if len(members) != 4 || len(owners) != 2 {
		t.Fatalf("%d members, %d owners; want 4 and 2", len(members), len(owners))
	}
	ownerUPNs := map[string]bool{}
	for _, o := range owners {
		ownerUPNs[o.(map[string]any)["userPrincipalName"].(string)] = true
	}
	if !ownerUPNs["nestorw@"+domain] || !ownerUPNs["biancap@"+domain] {
		t.Errorf("owners %v", ownerUPNs)
	}
	if _, err := e.dir.Team(context.Background(), e.tenant, gm["id"].(string)); err == nil {
		t.Error("createTeam false made a team")
	}
}

// TestSeedErrors replays every error example of the seed, and the other
// refusals the reference names; none of them creates anything.
func TestSeedErrors(t *testing.T) {
	e := newEnv(t)
	if _, err := e.dir.SetUnifiedSettings(context.Background(), e.tenant, []directory.SettingValue{
		{Name: "ClassificationList", Value: "internal,confidential"}}); err != nil {
		t.Fatal(err)
	}
	if r := e.provision(seedPayload); r.code != http.StatusCreated {
		t.Fatalf("first provisioning: %d %s", r.code, r.body)
	}
	before := e.groupCount()
	body := func(change func(m map[string]any)) string {
		var m map[string]any
		if err := json.Unmarshal([]byte(seedPayload), &m); err != nil {
			t.Fatal(err)
		}
		m["mailNickname"] = "fresh"
		change(m)
		b, _ := json.Marshal(m)
		return string(b)
	}
	same := func(m map[string]any) {}

	t.Run("InvalidToken", func(t *testing.T) {
		r := e.provision(body(same), bearer("eyJ0eXAiOiJKV1QiLCJub25jZSI6IkFRQUJBQUFBQUFEQ29NcGpKWHJ4VHE5Vkc5dGUtN0ZY"))
		r.wantError(t, http.StatusUnauthorized, "InvalidAuthenticationToken", "CompactToken parsing failed with error code: 80049217", "", "")
		if !strings.HasPrefix(r.h.Get("WWW-Authenticate"), "Bearer ") {
			t.Errorf("WWW-Authenticate %q", r.h.Get("WWW-Authenticate"))
		}
	})
	// A token that parses but is not for this API is not "parsing failed".
	t.Run("WrongAudience", func(t *testing.T) {
		aad, _ := e.appTokenAt("/oauth2/token", url.Values{"resource": {"https://graph.windows.net"}}, "Group.ReadWrite.All", "User.Read.All")
		e.provision(body(same), bearer(aad)).wantError(t, http.StatusUnauthorized, "InvalidAuthenticationToken",
			"Access token validation failure. Invalid audience.", "", "")
	})
	t.Run("DeletedApp", func(t *testing.T) {
		tok, appID := e.appTokenAt("/oauth2/v2.0/token", url.Values{"scope": {"https://graph.microsoft.com/.default"}}, "Group.ReadWrite.All", "User.Read.All")
		if err := e.dir.DeleteApplication(context.Background(), e.tenant, appID); err != nil {
			t.Fatal(err)
		}
		e.provision(body(same), bearer(tok)).wantError(t, http.StatusUnauthorized, "InvalidAuthenticationToken",
			"Access token validation failure.", "", "")
	})
	t.Run("NoToken", func(t *testing.T) {
		e.provision(body(same), func(r *http.Request) { r.Header.Del("Authorization") }).
			wantError(t, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token is empty.", "", "")
	})
	t.Run("Visibility", func(t *testing.T) {
		for _, b := range []string{
			body(func(m map[string]any) { delete(m, "visibility") }),
			body(func(m map[string]any) { m["visibility"] = "Secret" }),
			body(func(m map[string]any) { m["visibility"] = 1 }),
		} {
			r := e.provision(b)
			if r.code != http.StatusBadRequest || r.h.Get("Content-Type") != "text/plain; charset=utf-8" ||
				string(r.body) != "No visibility (Private|Public) was provided or had a wrong label." {
				t.Errorf("%s: %d %q %s", b, r.code, r.h.Get("Content-Type"), r.body)
			}
		}
	})
	t.Run("Classification", func(t *testing.T) {
		e.provision(body(func(m map[string]any) { m["classification"] = "topsecret" })).
			wantError(t, http.StatusBadRequest, "Request_BadRequest", "Property classification has an invalid value.", "classification", "InvalidValue")
	})
	t.Run("MailNicknameTaken", func(t *testing.T) {
		e.provision(body(func(m map[string]any) { m["mailNickname"] = "MyGroup10" })).
			wantError(t, http.StatusBadRequest, "Request_BadRequest", "Another object with the same value for property mailNickname already exists.", "mailNickname", "ObjectConflict")
	})
	t.Run("UnknownOwner", func(t *testing.T) {
		e.provision(body(func(m map[string]any) {
			m["ownerUPNs"] = []string{"nestorw@" + domain, "5a6b746c-57eb-4d74-85c8-101af25d8b70"}
		})).
			wantError(t, http.StatusBadRequest, "InvalidRequest", "Team owner not found for 5a6b746c-57eb-4d74-85c8-101af25d8b70.", "", "")
		e.provision(body(func(m map[string]any) { m["ownerUPNs"] = []string{"ghost@" + domain} })).
			wantError(t, http.StatusBadRequest, "InvalidRequest", "Team owner not found for ghost@"+domain+".", "", "")
	})
	t.Run("UnknownMember", func(t *testing.T) {
		e.provision(body(func(m map[string]any) { m["memberUPNs"] = []string{"raulr@" + domain, "nobody@" + domain} })).
			wantError(t, http.StatusBadRequest, "InvalidRequest", "Member not found for nobody@"+domain+".", "", "")
	})
	t.Run("MissingKeys", func(t *testing.T) {
		for _, k := range []string{"displayName", "mailNickname", "ownerUPNs"} {
			e.provision(body(func(m map[string]any) { delete(m, k) })).
				wantError(t, http.StatusBadRequest, "Request_BadRequest", "Property "+k+" is required.", k, "PropertyRequired")
		}
	})
	t.Run("WrongTypes", func(t *testing.T) {
		e.provision(body(func(m map[string]any) { m["createTeam"] = "yes" })).
			wantError(t, http.StatusBadRequest, "Request_BadRequest", "Property createTeam has an invalid value: give true or false.", "createTeam", "InvalidValue")
		e.provision(body(func(m map[string]any) { m["ownerUPNs"] = "nestorw@" + domain })).
			wantError(t, http.StatusBadRequest, "Request_BadRequest", "Property ownerUPNs has an invalid value: give an array of user principal names.", "ownerUPNs", "InvalidValue")
		e.provision(body(func(m map[string]any) { m["owners"] = []string{} })).
			wantError(t, http.StatusBadRequest, "Request_BadRequest", "Key owners is not known. The keys are displayName, mailNickname, "+
				"description, ownerUPNs, memberUPNs, createTeam, visibility and classification.", "owners", "InvalidProperty")
	})
	t.Run("MalformedJSON", func(t *testing.T) {
		e.provision(`{"displayName": "x",`).
			wantError(t, http.StatusBadRequest, "BadRequest", "The request body is not valid JSON: unexpected end of input.", "", "")
		e.provision(``).
			wantError(t, http.StatusBadRequest, "BadRequest", "The request body is empty; a JSON object is required.", "", "")
	})
	t.Run("Owners", func(t *testing.T) {
		e.provision(body(func(m map[string]any) { m["ownerUPNs"] = []string{} })).
			wantError(t, http.StatusBadRequest, "Request_BadRequest", "Property ownerUPNs must name at least one owner.", "ownerUPNs", "PropertyRequired")
		e.provision(body(func(m map[string]any) { m["ownerUPNs"] = []string{"u0@" + domain, " "} })).
			wantError(t, http.StatusBadRequest, "Request_BadRequest", "Property ownerUPNs has an empty user principal name at index 1.", "ownerUPNs", "InvalidValue")
		many := make([]string, directory.MaxOwners+1)
		for i := range many {
			many[i] = "u" + strconv.Itoa(i) + "@" + domain
		}
		e.provision(body(func(m map[string]any) { m["ownerUPNs"] = many })).
			wantError(t, http.StatusBadRequest, "Request_BadRequest", "At most 100 values are allowed in ownerUPNs.", "ownerUPNs", "LimitExceeded")
	})
	t.Run("Members", func(t *testing.T) {
		many := make([]string, directory.MaxProvisionMembers+1)
		for i := range many {
			many[i] = "m" + strconv.Itoa(i) + "@" + domain
		}
		e.provision(body(func(m map[string]any) { m["memberUPNs"] = many })).
			wantError(t, http.StatusBadRequest, "Request_BadRequest", "At most 1000 values are allowed in memberUPNs.", "memberUPNs", "LimitExceeded")
		e.provision(body(func(m map[string]any) { m["memberUPNs"] = []string{" "} })).
			wantError(t, http.StatusBadRequest, "Request_BadRequest", "Property memberUPNs has an empty user principal name at index 0.", "memberUPNs", "InvalidValue")
	})
	t.Run("IdempotencyKey", func(t *testing.T) {
		e.provision(body(same), header("Idempotency-Key", strings.Repeat("k", 256))).
			wantError(t, http.StatusBadRequest, "InvalidRequest", "The Idempotency-Key header is longer than 255 characters.", "", "")
	})
	t.Run("Permission", func(t *testing.T) {
		e.provision(body(same), bearer(e.appToken("Group.ReadWrite.All"))).
			wantError(t, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.", "", "")
	})
	t.Run("Routes", func(t *testing.T) {
		r := e.do(http.MethodGet, "/api/ProvisionGroup", nil)
		r.wantError(t, http.StatusMethodNotAllowed, "MethodNotAllowed", "The method GET is not allowed; use POST.", "", "")
		if r.h.Get("Allow") != "POST" {
			t.Errorf("Allow %q", r.h.Get("Allow"))
		}
		e.do(http.MethodPost, "/api/Other", body(same)).
			wantError(t, http.StatusNotFound, "NotFound", "No API operation at /Other. The provisioning API is POST /api/ProvisionGroup.", "", "")
	})
	if n := e.groupCount(); n != before {
		t.Fatalf("%d groups after the refused calls, want %d", n, before)
	}
	// The classification policy accepts a listed value, in its spelling.
	r := e.provision(body(func(m map[string]any) { m["classification"] = "Confidential" }))
	if r.code != http.StatusCreated {
		t.Fatalf("listed classification: %d %s", r.code, r.body)
	}
	g := e.do(http.MethodGet, strings.TrimPrefix(r.h.Get("Location"), e.url), nil).obj(t)
	if g["classification"] != "confidential" {
		t.Errorf("classification %v", g["classification"])
	}
}
