package aadgraph_test

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

const (
	adminLogin = "admin@example.org"
	adminPass  = "Passw0rd!"
)

// env is the whole server (server.NewHandler) on a fresh store of the
// current engine: the default tenant (example.org) with its admin, and a
// second tenant (fabrikam.example).
type env struct {
	t      testing.TB
	dir    *directory.Service
	tenant directory.TenantID
	other  directory.TenantID
	url    string // server origin
}

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	st := testdb.Open(t)
	dir := directory.New(st, directory.WithPasswordCost(4))
	boot, err := dir.Bootstrap(ctx, "example.org", adminPass)
	if err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	other, err := dir.CreateTenant(ctx, "Fabrikam", "fabrikam.example")
	if err != nil {
		t.Fatalf("create tenant: %v", err)
	}
	h, err := server.NewHandler(dir, st, server.Config{Logger: slog.New(slog.DiscardHandler)}, nil)
	if err != nil {
		t.Fatalf("handler: %v", err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{t: t, dir: dir, tenant: boot.Tenant.ID, other: other.ID, url: srv.URL}
}

type reqOpt func(*http.Request)

func as(login, password string) reqOpt {
	return func(r *http.Request) { r.SetBasicAuth(login, password) }
}
func bearer(tok string) reqOpt {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
}
func anonymous() reqOpt { return func(r *http.Request) { r.Header.Del("Authorization") } }

type resp struct {
	code int
	h    http.Header
	body []byte
}

// do sends a request to path (below the origin, with its query) as the
// admin unless opts say otherwise. body is nil, a string sent as is, or a
// value sent as JSON.
func (e *env) do(method, path string, body any, opts ...reqOpt) *resp {
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
	req.SetBasicAuth(adminLogin, adminPass)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
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

// aad sends a request to /myorganization+path with api-version=1.6.
func (e *env) aad(method, path string, body any, opts ...reqOpt) *resp {
	e.t.Helper()
	return e.do(method, "/myorganization"+withVersion(path), body, opts...)
}

func withVersion(path string) string {
	if strings.Contains(path, "?") {
		return path + "&api-version=1.6"
	}
	return path + "?api-version=1.6"
}

const jsonType = "application/json; odata=minimalmetadata; streaming=true; charset=utf-8"

func (r *resp) want(t testing.TB, code int) *resp {
	t.Helper()
	if r.code != code {
		t.Fatalf("status %d, want %d; body %s", r.code, code, r.body)
	}
	if code == http.StatusNoContent {
		if len(r.body) != 0 {
			t.Errorf("204 with body %s", r.body)
		}
	} else if ct := r.h.Get("Content-Type"); ct != jsonType {
		t.Errorf("Content-Type %q, want %q", ct, jsonType)
	}
	return r
}

func (r *resp) obj(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

// wantError checks status and the exact odata.error body.
func (r *resp) wantError(t testing.TB, code int, errCode, message string) {
	t.Helper()
	r.want(t, code)
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	// encoding/json sorts map keys; the wire order is code, message; lang, value,
	// which happens to be sorted too.
	_ = enc.Encode(map[string]any{"odata.error": map[string]any{
		"code": errCode, "message": map[string]string{"lang": "en", "value": message}}})
	if string(r.body) != strings.TrimSpace(want.String()) {
		t.Errorf("error body\n got %s\nwant %s", r.body, want.String())
	}
}

// group creates a security group through the domain and returns its id.
func (e *env) group(name, description, nickname string) string {
	e.t.Helper()
	f, tr := false, true
	g, err := e.dir.CreateGroup(context.Background(), e.tenant, directory.GroupCreate{Fields: directory.GroupFields{
		DisplayName: &name, Description: &description, MailNickname: &nickname, MailEnabled: &f, SecurityEnabled: &tr,
	}})
	if err != nil {
		e.t.Fatal(err)
	}
	return string(g.ID)
}

// user creates a user in the default tenant and returns its id.
func (e *env) user(alias string) string {
	e.t.Helper()
	return e.userIn(e.tenant, alias+"@example.org")
}

func (e *env) userIn(tenant directory.TenantID, upn string) string {
	e.t.Helper()
	s := func(v string) *string { return &v }
	on := true
	alias, _, _ := strings.Cut(upn, "@")
	u, err := e.dir.CreateUser(context.Background(), tenant, directory.UserFields{
		DisplayName: s(alias), MailNickname: s(alias), UserPrincipalName: s(upn),
		AccountEnabled: &on, Password: s(adminPass),
	}, directory.Policy{})
	if err != nil {
		e.t.Fatal(err)
	}
	return string(u.ID)
}

// addMember adds member to group through the domain.
func (e *env) addMember(group, member string) {
	e.t.Helper()
	if err := e.dir.AddMembers(context.Background(), e.tenant, group,
		[]directory.MemberRef{{ID: directory.ObjectID(member)}}, directory.Policy{}); err != nil {
		e.t.Fatal(err)
	}
}

// members lists the direct member ids of a group through the domain.
func (e *env) members(group string) []string {
	e.t.Helper()
	p, err := e.dir.Members(context.Background(), e.tenant, group, directory.PageRequest{Top: 999})
	if err != nil {
		e.t.Fatal(err)
	}
	out := []string{}
	for _, o := range p.Items {
		out = append(out, string(o.ID()))
	}
	return out
}

// token gets an access token for a new app of tenant with roles, from
// the v1 endpoint with resource (v1) or the v2.0 endpoint with scope.
func (e *env) token(tenant directory.TenantID, v1 bool, resource string, roles ...string) string {
	e.t.Helper()
	a, secret, err := e.dir.CreateApplication(context.Background(), tenant, "aad test app", roles)
	if err != nil {
		e.t.Fatalf("create app: %v", err)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {a.AppID}, "client_secret": {secret}}
	path := "/" + string(tenant) + "/oauth2/v2.0/token"
	if v1 {
		path = "/" + string(tenant) + "/oauth2/token"
		form.Set("resource", resource)
	} else {
		form.Set("scope", resource+"/.default")
	}
	req, _ := http.NewRequest(http.MethodPost, e.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != http.StatusOK {
		e.t.Fatalf("token: %d %v %v", res.StatusCode, body, err)
	}
	return body["access_token"].(string)
}
