package oauth_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestMultiTenantDiscovery: common and organizations are served as Entra
// serves them, issuer with the {tenantid} placeholder and endpoints named
// by the word; the keys they name verify tenants' tokens, whose issuer is
// the placeholder filled with tid. consumers names nothing here.
func TestMultiTenantDiscovery(t *testing.T) {
	e := newEnv(t)
	tid := string(e.tenant.ID)
	a := e.app(e.tenant.ID, "Group.Read.All")
	raw := e.token(a)
	tok := claimsOf(t, raw)
	var hdr struct {
		Kid string `json:"kid"`
	}
	if b, err := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[0]); err != nil || json.Unmarshal(b, &hdr) != nil || hdr.Kid == "" {
		t.Fatalf("token header of %s: %v", raw, err)
	}
	for _, c := range []struct {
		path, word string
		v1         bool
	}{
		{"/common/v2.0/.well-known/openid-configuration", "common", false},
		{"/organizations/v2.0/.well-known/openid-configuration", "organizations", false},
		{"/Common/v2.0/.well-known/openid-configuration", "common", false},
		{"/common/.well-known/openid-configuration", "common", true},
		{"/organizations/.well-known/openid-configuration", "organizations", true},
	} {
		r := e.call(http.MethodGet, c.path, "", "")
		if r.code != http.StatusOK {
			t.Errorf("%s: %d %s", c.path, r.code, r.body)
			continue
		}
		doc := r.json(t)
		base := e.url + "/" + c.word
		want := map[string]any{
			"issuer":                 e.url + "/{tenantid}/v2.0",
			"token_endpoint":         base + "/oauth2/v2.0/token",
			"authorization_endpoint": base + "/oauth2/v2.0/authorize",
			"jwks_uri":               base + "/discovery/v2.0/keys",
			"end_session_endpoint":   base + "/oauth2/v2.0/logout",
			"tenant_region_scope":    nil,
		}
		if c.v1 {
			want["token_endpoint"] = base + "/oauth2/token"
			want["authorization_endpoint"] = base + "/oauth2/authorize"
			want["jwks_uri"] = base + "/discovery/keys"
			want["end_session_endpoint"] = base + "/oauth2/logout"
		}
		for k, v := range want {
			if got, ok := doc[k]; !ok || got != v {
				t.Errorf("%s: %s = %v (present %v), want %v", c.path, k, got, ok, v)
			}
		}
		if iss := strings.Replace(doc["issuer"].(string), "{tenantid}", tid, 1); tok["iss"] != iss {
			t.Errorf("%s: a token's iss %v is not the issuer filled with its tid (%s)", c.path, tok["iss"], iss)
		}
		keys := e.call(http.MethodGet, doc["jwks_uri"].(string)[len(e.url):], "", "")
		if keys.code != http.StatusOK || !strings.Contains(string(keys.body), `"kid":"`+hdr.Kid+`"`) {
			t.Errorf("%s: jwks_uri %d %s", c.path, keys.code, keys.body)
		}
		// The token endpoint it names refuses client credentials, with
		// the message that says why.
		r = e.post(doc["token_endpoint"].(string)[len(e.url):], secretForm(a, "https://graph.microsoft.com/.default"))
		r.wantOAuthError(t, http.StatusBadRequest, "invalid_request", 700023,
			"Client credentials need a tenant: use the tenant id or a verified domain instead of '"+c.word+"'.")
	}
	for _, p := range []string{"/consumers/v2.0/.well-known/openid-configuration", "/consumers/.well-known/openid-configuration",
		"/consumers/discovery/v2.0/keys"} {
		e.call(http.MethodGet, p, "", "").wantOAuthError(t, http.StatusBadRequest, "invalid_request", 90002,
			"Tenant 'consumers' not found: groupd holds no personal Microsoft accounts. Use a tenant id, a verified domain, 'organizations' or 'common'.")
	}
}
