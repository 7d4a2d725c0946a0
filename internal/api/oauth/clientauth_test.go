package oauth_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// postAuth sends a token form with an Authorization header.
func (e *env) postAuth(path string, form url.Values, authorization string) *resp {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", authorization)
	return e.send(req)
}

func basicHeader(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}

const twoMethods = "The request authenticates the client more than once (%s). Send the client secret only once, either as client_secret in the body or in an HTTP Basic Authorization header, or send a client_assertion alone."

// TestClientAuthenticatesOnce: RFC 6749 2.3.1 lets a client use one
// authentication method per request; a second one, right or wrong, is
// 400 invalid_request before any credential is checked.
func TestClientAuthenticatesOnce(t *testing.T) {
	e := newEnv(t)
	a := e.app(e.tenant.ID, "Group.Read.All")
	path := "/" + string(e.tenant.ID) + "/oauth2/v2.0/token"
	scope := "https://graph.microsoft.com/.default"
	body := secretForm(a, scope)
	noSecret := url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}
	header := "an Authorization header and a credential in the body"

	for name, auth := range map[string]string{
		"the same secret":   basicHeader(a.id, a.secret),
		"a wrong secret":    basicHeader(a.id, "guess"),
		"another client":    basicHeader("00000000-0000-0000-0000-000000000001", "x"),
		"unreadable header": "Basic !!!",
		"lower-case scheme": "basic " + base64.StdEncoding.EncodeToString([]byte(a.id+":"+a.secret)),
	} {
		t.Run("secret in body and "+name, func(t *testing.T) {
			e.postAuth(path, body, auth).wantOAuthError(t, http.StatusBadRequest, "invalid_request", 90100,
				strings.Replace(twoMethods, "%s", header, 1))
		})
	}

	assertion := url.Values{"grant_type": {"client_credentials"}, "client_id": {a.id}, "scope": {scope},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {"a.b.c"}}
	e.postAuth(path, assertion, basicHeader(a.id, a.secret)).wantOAuthError(t, http.StatusBadRequest,
		"invalid_request", 90100, strings.Replace(twoMethods, "%s", header, 1))
	both := secretForm(a, scope)
	both.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
	both.Set("client_assertion", "a.b.c")
	e.post(path, both).wantOAuthError(t, http.StatusBadRequest, "invalid_request", 90100,
		strings.Replace(twoMethods, "%s", "client_secret and client_assertion", 1))

	// RFC 6749 3.2: no parameter twice.
	twice := secretForm(a, scope)
	twice.Add("client_secret", "guess")
	e.post(path, twice).wantOAuthError(t, http.StatusBadRequest, "invalid_request", 90100,
		"The request body must contain the parameter 'client_secret' only once.")

	// A client_id in the body must be the header's.
	mismatch := url.Values{"grant_type": {"client_credentials"}, "scope": {scope}, "client_id": {"00000000-0000-0000-0000-000000000001"}}
	e.postAuth(path, mismatch, basicHeader(a.id, a.secret)).wantOAuthError(t, http.StatusBadRequest, "invalid_request", 90100,
		"The client_id in the request body '00000000-0000-0000-0000-000000000001' is not the client id of the Authorization header.")

	// One method at a time still works: Basic alone (with or without the
	// client_id repeated in the body), the body alone, and a bearer header,
	// which is no client authentication, beside the body's secret.
	withID := url.Values{"grant_type": {"client_credentials"}, "scope": {scope}, "client_id": {a.id}}
	for name, r := range map[string]*resp{
		"Basic alone":            e.postAuth(path, noSecret, basicHeader(a.id, a.secret)),
		"Basic and body id":      e.postAuth(path, withID, basicHeader(a.id, a.secret)),
		"Basic form-encoded":     e.postAuth(path, noSecret, basicHeader(url.QueryEscape(a.id), url.QueryEscape(a.secret))),
		"body alone":             e.post(path, body),
		"bearer header and body": e.postAuth(path, body, "Bearer x"),
	} {
		if r.code != http.StatusOK {
			t.Errorf("%s: %d %s", name, r.code, r.body)
			continue
		}
		if tok, _ := r.json(t)["access_token"].(string); claimsOf(t, tok)["appid"] != a.id {
			t.Errorf("%s: token of %v", name, claimsOf(t, tok)["appid"])
		}
	}
}
