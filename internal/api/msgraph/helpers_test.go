package msgraph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"groupd/internal/directory"
	"groupd/internal/server"
	"groupd/internal/store/testdb"
)

const (
	adminLogin = "admin@example.org"
	adminPass  = "Passw0rd!"
	jsonType   = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
)

// env is a real stack: SQLite store in a temp dir, the directory service,
// Basic auth and the dialect mounted at /v1.0 behind the request-id
// middleware, served by httptest.
type env struct {
	t      testing.TB
	dir    *directory.Service
	tenant directory.TenantID
	admin  directory.ObjectID
	url    string // server origin
	base   string // origin + /v1.0
}

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	st := testdb.Open(t) // a fresh store on the engine of this run (see main_test.go)
	dir := directory.New(st, directory.WithPasswordCost(4))
	boot, err := dir.Bootstrap(ctx, "example.org", adminPass)
	if err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	// The whole server handler: the dialect behind the real middleware
	// (request ids, origins, recovery, access log, metrics).
	h, err := server.NewHandler(dir, st, server.Config{Logger: quiet}, nil)
	if err != nil {
		t.Fatalf("handler: %v", err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{t: t, dir: dir, tenant: boot.Tenant.ID, admin: boot.Admin.ID, url: srv.URL, base: srv.URL + "/v1.0"}
}

// quiet drops the dialect's logs (the panic test logs on purpose).
var quiet = slog.New(slog.DiscardHandler)

type reqOpt func(*http.Request)

func as(login, password string) reqOpt {
	return func(r *http.Request) { r.SetBasicAuth(login, password) }
}

func anonymous() reqOpt { return func(r *http.Request) { r.Header.Del("Authorization") } }

func header(k, v string) reqOpt { return func(r *http.Request) { r.Header.Set(k, v) } }

type resp struct {
	code int
	h    http.Header
	body []byte
}

// do sends a request to path below /v1.0 (or an absolute URL). body is
// nil, a string or []byte sent as is, or a value sent as JSON.
func (e *env) do(method, path string, body any, opts ...reqOpt) *resp {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		js, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(js)
	}
	u := path
	if !strings.HasPrefix(path, "http") {
		u = e.base + path
	}
	req, err := http.NewRequest(method, u, rd)
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
	res, err := http.DefaultTransport.RoundTrip(req) // never follows redirects
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

// obj decodes the body as a JSON object.
func (r *resp) obj(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

func (r *resp) want(t testing.TB, code int) *resp {
	t.Helper()
	if r.code != code {
		t.Fatalf("status %d, want %d; body %s", r.code, code, r.body)
	}
	if code != http.StatusNoContent {
		if ct := r.h.Get("Content-Type"); ct != jsonType {
			t.Errorf("Content-Type %q, want %q", ct, jsonType)
		}
		if v := r.h.Values("OData-Version"); len(v) != 1 || v[0] != "4.0" {
			t.Errorf("OData-Version %q, want [4.0]", v)
		}
	} else if len(r.body) != 0 {
		t.Errorf("204 with body %s", r.body)
	}
	if r.h.Get("request-id") == "" {
		t.Error("no request-id header")
	}
	return r
}

var errorDate = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$`)

// wantError checks status, Graph's error shape and, when target is not "",
// the one detail {target, code}.
func (r *resp) wantError(t *testing.T, status int, code, message string, detail ...string) {
	t.Helper()
	r.want(t, status)
	if got := keys(t, r.body); strings.Join(got, ",") != "error" {
		t.Errorf("top-level keys %v, want [error]", got)
	}
	var body struct {
		Error struct {
			Code       string
			Message    string
			InnerError map[string]string `json:"innerError"`
			Details    []map[string]string
		}
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatalf("error body: %v: %s", err, r.body)
	}
	eb := body.Error
	if eb.Code != code || eb.Message != message {
		t.Errorf("error %q %q\nwant  %q %q", eb.Code, eb.Message, code, message)
	}
	if eb.InnerError["request-id"] != r.h.Get("request-id") || eb.InnerError["client-request-id"] != r.h.Get("client-request-id") {
		t.Errorf("innerError %v does not match headers %v", eb.InnerError, r.h)
	}
	if !errorDate.MatchString(eb.InnerError["date"]) {
		t.Errorf("innerError.date %q", eb.InnerError["date"])
	}
	switch {
	case len(detail) == 2:
		want := []map[string]string{{"target": detail[0], "code": detail[1]}}
		if fmt.Sprint(eb.Details) != fmt.Sprint(want) {
			t.Errorf("details %v, want %v", eb.Details, want)
		}
	case eb.Details != nil:
		t.Errorf("unexpected details %v", eb.Details)
	}
}

// keys returns the member names of the top-level JSON object in order.
func keys(t testing.TB, b []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", b)
	}
	var out []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// group creates a group through the API and returns its id.
func (e *env) group(body map[string]any) string {
	e.t.Helper()
	r := e.do("POST", "/groups", body).want(e.t, http.StatusCreated)
	return r.obj(e.t)["id"].(string)
}

// secGroup creates a security group named name.
func (e *env) secGroup(name string) string {
	e.t.Helper()
	return e.group(map[string]any{"displayName": name, "mailNickname": name, "mailEnabled": false, "securityEnabled": true})
}

// unified creates a Microsoft 365 group named name.
func (e *env) unified(name string) string {
	e.t.Helper()
	return e.group(map[string]any{"displayName": name, "mailNickname": name, "mailEnabled": true,
		"securityEnabled": false, "groupTypes": []string{"Unified"}})
}

// user creates a user through the domain (fixtures need no HTTP) and
// returns its id.
func (e *env) user(alias string) string {
	e.t.Helper()
	s := func(v string) *string { return &v }
	on := true
	u, err := e.dir.CreateUser(context.Background(), e.tenant, directory.UserFields{
		DisplayName: s(alias), MailNickname: s(alias), UserPrincipalName: s(alias + "@example.org"),
		AccountEnabled: &on, Password: s(adminPass),
	}, directory.Policy{})
	if err != nil {
		e.t.Fatal(err)
	}
	return string(u.ID)
}

// ids lists the ids of a relationship ("members", "owners") through the
// domain, to check what a refused request left behind.
func (e *env) ids(groupID, rel string) []string {
	e.t.Helper()
	list := e.dir.Members
	if rel == "owners" {
		list = e.dir.Owners
	}
	p, err := list(context.Background(), e.tenant, groupID, directory.PageRequest{Top: 999})
	if err != nil {
		e.t.Fatal(err)
	}
	out := []string{}
	for _, o := range p.Items {
		out = append(out, string(o.ID()))
	}
	return out
}

// groupCount counts the groups of the tenant.
func (e *env) groupCount() int {
	e.t.Helper()
	p, err := e.dir.Groups(context.Background(), e.tenant, directory.GroupListRequest{Page: directory.PageRequest{Top: 999}})
	if err != nil {
		e.t.Fatal(err)
	}
	return len(p.Items)
}

func ref(e *env, coll, id string) map[string]any {
	return map[string]any{"@odata.id": "https://graph.microsoft.com/v1.0/" + coll + "/" + id}
}

func refs(e *env, coll string, ids ...string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = e.base + "/" + coll + "/" + id
	}
	return out
}
