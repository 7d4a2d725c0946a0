package oauth_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func claimsOf(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestTokenIssuance follows what MSAL does: discovery by domain, a token
// POST with MSAL's extra fields and scopes, then API calls.
func TestTokenIssuance(t *testing.T) {
	e := newEnv(t)
	a := e.app(e.tenant.ID, "Group.Read.All")
	tid := string(e.tenant.ID)

	d := e.call(http.MethodGet, "/example.org/v2.0/.well-known/openid-configuration", "", "")
	if d.code != http.StatusOK {
		t.Fatalf("discovery: %d %s", d.code, d.body)
	}
	doc := d.json(t)
	for k, want := range map[string]string{
		"issuer":                 e.url + "/" + tid + "/v2.0",
		"token_endpoint":         e.url + "/" + tid + "/oauth2/v2.0/token",
		"authorization_endpoint": e.url + "/" + tid + "/oauth2/v2.0/authorize",
		"jwks_uri":               e.url + "/" + tid + "/discovery/v2.0/keys",
	} {
		if doc[k] != want {
			t.Errorf("discovery %s = %v, want %s", k, doc[k], want)
		}
	}
	if v, ok := doc["tenant_region_scope"]; !ok || v != nil {
		t.Errorf("tenant_region_scope = %v (present %v), want null", v, ok)
	}

	form := secretForm(a, "https://graph.microsoft.com/.default openid offline_access profile")
	for k, v := range map[string]string{"x-client-SKU": "msal.js.node", "x-client-VER": "7.2.0",
		"x-client-OS": "linux", "x-client-CPU": "x64", "x-ms-lib-capability": "retry-after, h429",
		"x-client-current-telemetry": "5|771,2,,,|,", "x-client-last-telemetry": "5|0|||0,0",
		"client-request-id": "1a2b", "claims": `{"access_token":{"xms_cc":{"values":["CP1"]}}}`} {
		form.Set(k, v)
	}
	r := e.post("/example.org/oauth2/v2.0/token?client-request-id=1a2b", form)
	if r.code != http.StatusOK {
		t.Fatalf("token: %d %s", r.code, r.body)
	}
	body := r.json(t)
	if body["token_type"] != "Bearer" || body["expires_in"] != float64(3599) || body["ext_expires_in"] != float64(3599) {
		t.Errorf("token response %v", body)
	}
	if !strings.Contains(string(r.body), `"expires_in":3599,`) {
		t.Errorf("expires_in is not an integer: %s", r.body)
	}
	tok := body["access_token"].(string)
	c := claimsOf(t, tok)
	for k, want := range map[string]any{"iss": e.url + "/" + tid + "/v2.0", "aud": "https://graph.microsoft.com",
		"tid": tid, "appid": a.id, "azp": a.id, "ver": "2.0"} {
		if c[k] != want {
			t.Errorf("claim %s = %v, want %v", k, c[k], want)
		}
	}
	if roles, _ := c["roles"].([]any); len(roles) != 1 || roles[0] != "Group.Read.All" {
		t.Errorf("roles = %v", c["roles"])
	}
	if exp, iat := c["exp"].(float64), c["iat"].(float64); exp-iat < 3500 || exp-iat > 3600 || c["nbf"] != c["iat"] || c["oid"] == "" {
		t.Errorf("times/oid: %v", c)
	}
	hdr, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	if !strings.Contains(string(hdr), `"kid"`) || !strings.Contains(string(hdr), `"RS256"`) {
		t.Errorf("header %s", hdr)
	}

	for _, p := range []string{"/v1.0/groups", "/graph/v1.0/groups"} {
		if r := e.call(http.MethodGet, p, tok, ""); r.code != http.StatusOK {
			t.Errorf("GET %s with token: %d %s", p, r.code, r.body)
		}
	}
	// The server's own origin names Graph as well.
	r = e.post("/"+tid+"/oauth2/v2.0/token", secretForm(a, e.url+"/.default"))
	if r.code != http.StatusOK || claimsOf(t, r.json(t)["access_token"].(string))["aud"] != "https://graph.microsoft.com" {
		t.Errorf("own origin scope: %d %s", r.code, r.body)
	}
}

// TestTokenV1 is the Azure AD Graph flavour: resource instead of scope,
// numbers as strings, and an audience /v1.0 does not accept.
func TestTokenV1(t *testing.T) {
	e := newEnv(t)
	a := e.app(e.tenant.ID, "Directory.Read.All")
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {a.id}, "client_secret": {a.secret},
		"resource": {"https://graph.windows.net"}}
	r := e.post("/example.org/oauth2/token", form)
	if r.code != http.StatusOK {
		t.Fatalf("v1 token: %d %s", r.code, r.body)
	}
	b := r.json(t)
	for _, k := range []string{"expires_in", "ext_expires_in", "expires_on", "not_before"} {
		if _, ok := b[k].(string); !ok {
			t.Errorf("%s = %#v, want a string", k, b[k])
		}
	}
	if b["expires_in"] != "3599" || b["resource"] != "https://graph.windows.net" || b["token_type"] != "Bearer" {
		t.Errorf("v1 response %v", b)
	}
	tok := b["access_token"].(string)
	if claimsOf(t, tok)["aud"] != "https://graph.windows.net" {
		t.Errorf("aud = %v", claimsOf(t, tok)["aud"])
	}
	if r := e.call(http.MethodGet, "/v1.0/groups", tok, ""); r.code != http.StatusUnauthorized {
		t.Errorf("/v1.0 with an Azure AD Graph token: %d", r.code)
	}
	d := e.call(http.MethodGet, "/example.org/.well-known/openid-configuration", "", "")
	if d.code != http.StatusOK || d.json(t)["token_endpoint"] != e.url+"/"+string(e.tenant.ID)+"/oauth2/token" {
		t.Errorf("v1 discovery: %d %s", d.code, d.body)
	}
}

// TestTokenErrors covers the OAuth error answers.
func TestTokenErrors(t *testing.T) {
	e := newEnv(t)
	a := e.app(e.tenant.ID, "Group.Read.All")
	tid := "/" + string(e.tenant.ID)
	graph := "https://graph.microsoft.com/.default"
	with := func(f url.Values, k, v string) url.Values {
		g := url.Values{}
		for kk, vv := range f {
			g[kk] = vv
		}
		if v == "" {
			g.Del(k)
		} else {
			g.Set(k, v)
		}
		return g
	}
	base := secretForm(a, graph)
	cases := []struct {
		name, path string
		form       url.Values
		status     int
		code       string
		aadsts     float64
	}{
		{"common", "/common", base, 400, "invalid_request", 700023},
		{"organizations", "/organizations", base, 400, "invalid_request", 700023},
		{"unknown tenant", "/nowhere.example", base, 400, "invalid_request", 90002},
		{"unknown tenant id", "/00000000-0000-0000-0000-000000000001", base, 400, "invalid_request", 90002},
		{"no grant", tid, with(base, "grant_type", ""), 400, "invalid_request", 900144},
		{"password grant", tid, with(base, "grant_type", "password"), 400, "unsupported_grant_type", 70003},
		{"no scope", tid, with(base, "scope", ""), 400, "invalid_request", 900144},
		{"foreign scope", tid, with(base, "scope", "https://management.azure.com/.default"), 400, "invalid_scope", 1002012},
		{"scope without .default", tid, with(base, "scope", "https://graph.microsoft.com/Group.Read.All"), 400, "invalid_scope", 1002012},
		{"wrong secret", tid, with(base, "client_secret", "nope"), 401, "invalid_client", 7000215},
		{"no secret", tid, with(base, "client_secret", ""), 401, "invalid_client", 7000218},
	}
	for _, c := range cases {
		r := e.post(c.path+"/oauth2/v2.0/token", c.form)
		b := r.json(t)
		codes, _ := b["error_codes"].([]any)
		if r.code != c.status || b["error"] != c.code || len(codes) != 1 || codes[0] != c.aadsts {
			t.Errorf("%s: %d %v %v, want %d %s %v", c.name, r.code, b["error"], codes, c.status, c.code, c.aadsts)
		}
		desc, _ := b["error_description"].(string)
		if !strings.HasPrefix(desc, "AADSTS") || b["trace_id"] == "" || b["correlation_id"] == "" || b["timestamp"] == "" {
			t.Errorf("%s: error body %s", c.name, r.body)
		}
	}
	if _, err := e.dir.SetEnabled(t.Context(), e.tenant.ID, a.id, false); err != nil {
		t.Fatal(err)
	}
	r := e.post(tid+"/oauth2/v2.0/token", base)
	if b := r.json(t); r.code != 400 || b["error"] != "unauthorized_client" || b["error_codes"].([]any)[0] != float64(7000112) {
		t.Errorf("disabled app: %d %s", r.code, r.body)
	}
}
