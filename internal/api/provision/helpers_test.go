package provision_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"groupd/internal/directory"
	"groupd/internal/server"
	"groupd/internal/store/testdb"
)

// The seed's tenant domain and users.
const (
	domain   = "M365x193702.onmicrosoft.com"
	adminPwd = "Passw0rd!"
)

var seedUsers = []string{"nestorw", "biancap", "christiec", "raulr"}

// env is the whole server handler over a real store, with the seed's
// users and an application holding the permissions GT365 asks for.
type env struct {
	t      testing.TB
	dir    *directory.Service
	tenant directory.TenantID
	url    string
	users  map[string]directory.User
	token  string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	st := testdb.Open(t)
	dir := directory.New(st, directory.WithPasswordCost(4))
	boot, err := dir.Bootstrap(ctx, domain, adminPwd)
	if err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	h, err := server.NewHandler(dir, st, server.Config{Logger: slog.New(slog.DiscardHandler)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e := &env{t: t, dir: dir, tenant: boot.Tenant.ID, url: srv.URL, users: map[string]directory.User{}}
	for _, alias := range seedUsers {
		e.user(alias, "")
	}
	e.token = e.appToken("Group.ReadWrite.All", "User.Read.All")
	return e
}

func sp(s string) *string { return &s }

func (e *env) user(alias, department string) directory.User {
	e.t.Helper()
	yes := true
	u, err := e.dir.CreateUser(context.Background(), e.tenant, directory.UserFields{
		AccountEnabled: &yes, DisplayName: sp(alias), MailNickname: sp(alias),
		UserPrincipalName: sp(alias + "@" + domain), Password: sp("Secr3t-pass"), Department: sp(department),
	}, directory.Policy{})
	if err != nil {
		e.t.Fatalf("create user %s: %v", alias, err)
	}
	e.users[alias] = u
	return u
}

// appToken registers an application with roles and gets its token the
// way the seed does: client credentials at /{tenant}/oauth2/v2.0/token.
func (e *env) appToken(roles ...string) string {
	e.t.Helper()
	tok, _ := e.appTokenAt("/oauth2/v2.0/token", url.Values{"scope": {"https://graph.microsoft.com/.default"}}, roles...)
	return tok
}

// appTokenAt registers an application with roles and gets its token from
// the tenant's token endpoint path with the form's extra values; it
// returns the application's id too.
func (e *env) appTokenAt(path string, extra url.Values, roles ...string) (string, string) {
	e.t.Helper()
	a, secret, err := e.dir.CreateApplication(context.Background(), e.tenant, "GT365", roles)
	if err != nil {
		e.t.Fatal(err)
	}
	form := url.Values{"client_id": {a.AppID}, "client_secret": {secret}, "grant_type": {"client_credentials"}}
	for k, v := range extra {
		form[k] = v
	}
	res, err := http.PostForm(e.url+"/"+string(e.tenant)+path, form)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil || res.StatusCode != http.StatusOK || tok.TokenType != "Bearer" {
		e.t.Fatalf("token: %d %v %+v", res.StatusCode, err, tok)
	}
	return tok.AccessToken, a.AppID
}

type resp struct {
	code int
	h    http.Header
	body []byte
}

type opt func(*http.Request)

func bearer(tok string) opt {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
}
func header(k, v string) opt {
	return func(r *http.Request) { r.Header.Set(k, v) }
}

// do sends method path (below the server root) with the app's token;
// body is a string sent as is or a value sent as JSON.
func (e *env) do(method, path string, body any, opts ...opt) *resp {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		js, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(js)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("Content-Type", "application/json")
	for _, o := range opts {
		o(req)
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return &resp{code: res.StatusCode, h: res.Header, body: b}
}

func (e *env) provision(body any, opts ...opt) *resp {
	e.t.Helper()
	return e.do(http.MethodPost, "/api/ProvisionGroup", body, opts...)
}

func (r *resp) obj(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

// wantError checks a GT365 error body: status, code, message and the
// details entry (target "" for none), with innerError {request-id, date}.
func (r *resp) wantError(t testing.TB, status int, code, message, target, detail string) {
	t.Helper()
	if r.code != status {
		t.Fatalf("status %d, want %d; body %s", r.code, status, r.body)
	}
	if ct := r.h.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	var body struct {
		Error struct {
			Code       string            `json:"code"`
			Message    string            `json:"message"`
			InnerError map[string]string `json:"innerError"`
			Details    []map[string]string
		} `json:"error"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatalf("error body: %v: %s", err, r.body)
	}
	eo := body.Error
	if eo.Code != code || eo.Message != message {
		t.Errorf("error %q %q, want %q %q", eo.Code, eo.Message, code, message)
	}
	if eo.InnerError["request-id"] != r.h.Get("request-id") || len(eo.InnerError["date"]) != len("2019-10-01T07:19:34") || len(eo.InnerError) != 2 {
		t.Errorf("innerError %v (request-id header %q)", eo.InnerError, r.h.Get("request-id"))
	}
	switch {
	case target == "" && len(eo.Details) != 0:
		t.Errorf("details %v, want none", eo.Details)
	case target != "" && (len(eo.Details) != 1 || eo.Details[0]["target"] != target || eo.Details[0]["code"] != detail):
		t.Errorf("details %v, want [{target %s code %s}]", eo.Details, target, detail)
	}
}

// seedPayload is the seed's sample payload.
const seedPayload = `{
    "displayName": "My Group 10",
    "mailNickname": "mygroup10",
    "description": "This is my project group 10",
    "ownerUPNs": ["nestorw@M365x193702.onmicrosoft.com",
                  "biancap@M365x193702.onmicrosoft.com"],
    "memberUPNs": ["christiec@M365x193702.onmicrosoft.com",
                   "raulr@M365x193702.onmicrosoft.com"],    
    "createTeam": false,
    "visibility": "Private"
}`

// groupByNickname finds the group provisioned with nick through /v1.0.
func (e *env) groupCount() int {
	e.t.Helper()
	p, err := e.dir.Groups(context.Background(), e.tenant, directory.GroupListRequest{Page: directory.PageRequest{Top: 999}})
	if err != nil {
		e.t.Fatal(err)
	}
	return len(p.Items)
}
