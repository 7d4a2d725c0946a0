package oauth_test

import (
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

const adminPass = "Passw0rd!"

// env is the whole server (server.NewHandler) on a fresh store of the
// current engine, with the default tenant and a second tenant.
type env struct {
	t      testing.TB
	dir    *directory.Service
	tenant directory.Tenant
	other  directory.Tenant
	url    string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	st := testdb.Open(t)
	if _, ok := st.(directory.AppReader); !ok {
		t.Skipf("SKIP (engine gap): the %s engine has no application tables yet", testdb.Engine())
	}
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
	return &env{t: t, dir: dir, tenant: boot.Tenant, other: other, url: srv.URL}
}

// app registers an application in tenant with roles.
type app struct {
	tenant directory.TenantID
	id     string
	secret string
}

func (e *env) app(tenant directory.TenantID, roles ...string) app {
	e.t.Helper()
	a, secret, err := e.dir.CreateApplication(context.Background(), tenant, "test app", roles)
	if err != nil {
		e.t.Fatalf("create app: %v", err)
	}
	return app{tenant: tenant, id: a.AppID, secret: secret}
}

type resp struct {
	code int
	h    http.Header
	body []byte
}

func (r *resp) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, r.body)
	}
	return m
}

func (e *env) send(req *http.Request) *resp {
	e.t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return &resp{code: res.StatusCode, h: res.Header, body: b}
}

// post sends a token request form to path.
func (e *env) post(path string, form url.Values) *resp {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=utf-8")
	return e.send(req)
}

// call sends an API request with a bearer token (or none when tok is "").
func (e *env) call(method, path, tok, body string) *resp {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, e.url+path, rd)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return e.send(req)
}

func secretForm(a app, scope string) url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "client_id": {a.id},
		"client_secret": {a.secret}, "scope": {scope}}
}

// token gets a Graph token for a through the tenant's id path.
func (e *env) token(a app) string {
	e.t.Helper()
	r := e.post("/"+string(a.tenant)+"/oauth2/v2.0/token", secretForm(a, "https://graph.microsoft.com/.default"))
	if r.code != http.StatusOK {
		e.t.Fatalf("token: %d %s", r.code, r.body)
	}
	return r.json(e.t)["access_token"].(string)
}
