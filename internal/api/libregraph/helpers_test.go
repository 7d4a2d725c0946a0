package libregraph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"groupd/internal/directory"
	"groupd/internal/server"
	"groupd/internal/store/testdb"
)

const (
	adminUser = "admin"
	adminPass = "Passw0rd!"
	// seedBase is the host the seed's references use; only the path matters.
	seedBase = "https://localhost:9200/graph/v1.0"
)

// env is a real stack: SQLite store, directory, Basic auth, the dialect
// mounted on a chi root behind the request-id middleware.
type env struct {
	t   *testing.T
	srv *httptest.Server
	dir *directory.Service
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	st := testdb.Open(t) // a fresh store on the engine of this run (see main_test.go)
	dir := directory.New(st, directory.WithPasswordCost(4))
	if _, err := dir.Bootstrap(ctx, "example.org", adminPass); err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	// The whole server handler: the dialect behind the real middleware
	// (request ids, origins, recovery, access log, metrics).
	h, err := server.NewHandler(dir, st, server.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, dir: dir}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

type reqOpt func(*http.Request)

func as(user, pass string) reqOpt { return func(r *http.Request) { r.SetBasicAuth(user, pass) } }
func anonymous() reqOpt           { return func(r *http.Request) { r.Header.Del("Authorization") } }
func header(k, v string) reqOpt   { return func(r *http.Request) { r.Header.Set(k, v) } }

// do sends a request to /graph/v1.0+path as admin unless opts say otherwise.
func (e *env) do(method, path, body string, opts ...reqOpt) response {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+"/graph/v1.0"+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.SetBasicAuth(adminUser, adminPass)
	for _, o := range opts {
		o(req)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// want checks status and, when body is not "", the exact body.
func (e *env) want(r response, status int, body string) {
	e.t.Helper()
	if r.status != status {
		e.t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	if body == "" {
		if status == http.StatusNoContent && len(r.body) != 0 {
			e.t.Fatalf("204 with body %q", r.body)
		}
		return
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		e.t.Fatalf("Content-Type %q", ct)
	}
	if got := strings.TrimSpace(string(r.body)); got != body {
		e.t.Fatalf("body\n got %s\nwant %s", got, body)
	}
}

// wantList checks {"value":[...]} holding exactly the given items, in any
// order (the seed shows no order).
func (e *env) wantList(r response, items ...string) {
	e.t.Helper()
	if r.status != http.StatusOK {
		e.t.Fatalf("status %d: %s", r.status, r.body)
	}
	if !bytes.HasPrefix(r.body, []byte(`{"value":[`)) {
		e.t.Fatalf("not a value collection: %s", r.body)
	}
	var doc struct{ Value []json.RawMessage }
	if err := json.Unmarshal(r.body, &doc); err != nil {
		e.t.Fatal(err)
	}
	e.sameSet(doc.Value, items)
}

// wantArray checks a bare JSON array holding exactly items, in any order.
func (e *env) wantArray(r response, items ...string) {
	e.t.Helper()
	if r.status != http.StatusOK || !bytes.HasPrefix(bytes.TrimSpace(r.body), []byte("[")) {
		e.t.Fatalf("status %d, want a bare array: %s", r.status, r.body)
	}
	var got []json.RawMessage
	if err := json.Unmarshal(r.body, &got); err != nil {
		e.t.Fatal(err)
	}
	e.sameSet(got, items)
}

func (e *env) sameSet(got []json.RawMessage, want []string) {
	e.t.Helper()
	g := make([]string, len(got))
	for i, v := range got {
		g[i] = string(v)
	}
	w := append([]string(nil), want...)
	sort.Strings(g)
	sort.Strings(w)
	if strings.Join(g, "\n") != strings.Join(w, "\n") {
		e.t.Fatalf("items\n got %s\nwant %s", strings.Join(g, "\n     "), strings.Join(w, "\n     "))
	}
}

// wantError checks an oCIS error body: status, code, message, the key
// order code/innererror/message, an RFC 3339 UTC date and the request id of
// the response.
func (e *env) wantError(r response, status int, code, msg string) {
	e.t.Helper()
	if r.status != status {
		e.t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		e.t.Fatalf("Content-Type %q", ct)
	}
	var doc struct {
		Error struct {
			Code       string
			Message    string
			Innererror struct {
				Date      string
				RequestID string `json:"request-id"`
			}
		}
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		e.t.Fatalf("error body %s: %v", r.body, err)
	}
	rid := r.header.Get("Request-Id")
	if rid == "" || doc.Error.Innererror.RequestID != rid {
		e.t.Fatalf("request-id %q, header %q", doc.Error.Innererror.RequestID, rid)
	}
	date := doc.Error.Innererror.Date
	if d, err := time.Parse(time.RFC3339, date); err != nil || !strings.HasSuffix(date, "Z") || time.Since(d) > time.Minute {
		e.t.Fatalf("date %q is not a current RFC 3339 UTC time", date)
	}
	// A message ending in "*" is a prefix (text composed by httpx).
	if prefix, ok := strings.CutSuffix(msg, "*"); ok {
		if !strings.HasPrefix(doc.Error.Message, prefix) {
			e.t.Fatalf("message %q, want prefix %q", doc.Error.Message, prefix)
		}
		msg = doc.Error.Message
	}
	wantBody := fmt.Sprintf(`{"error":{"code":%q,"innererror":{"date":%q,"request-id":%q},"message":%s}}`,
		code, date, rid, jsonString(msg))
	if got := strings.TrimSpace(string(r.body)); got != wantBody {
		e.t.Fatalf("error body\n got %s\nwant %s", got, wantBody)
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// state is everything a client can see plus the length of the change log,
// so that a refused request can be shown to have changed nothing.
func (e *env) state() string {
	e.t.Helper()
	groups := e.do("GET", "/groups?$expand=members", "")
	users := e.do("GET", "/users", "")
	changes, err := e.dir.Store().Changes(context.Background(), 0, 100000)
	if err != nil {
		e.t.Fatal(err)
	}
	return fmt.Sprintf("%s\n%s\nchanges=%d", groups.body, users.body, len(changes))
}

func (e *env) unchanged(before string) {
	e.t.Helper()
	if after := e.state(); after != before {
		e.t.Fatalf("state changed by a refused request\nbefore %s\nafter  %s", before, after)
	}
}

// created decodes the id of a 201 answer and checks its Location.
func (e *env) created(r response, coll string) string {
	e.t.Helper()
	if r.status != http.StatusCreated {
		e.t.Fatalf("status %d, want 201: %s", r.status, r.body)
	}
	var v struct{ ID string }
	if err := json.Unmarshal(r.body, &v); err != nil || v.ID == "" {
		e.t.Fatalf("no id in %s", r.body)
	}
	if loc := r.header.Get("Location"); loc != e.srv.URL+"/graph/v1.0/"+coll+"/"+v.ID {
		e.t.Fatalf("Location %q", loc)
	}
	return v.ID
}

func userJSON(name, id, mail, sam string) string {
	return fmt.Sprintf(`{"displayName":%q,"id":%q,"mail":%q,"onPremisesSamAccountName":%q}`, name, id, mail, sam)
}

func groupJSON(name, id string) string {
	return fmt.Sprintf(`{"displayName":%q,"id":%q}`, name, id)
}

// groupWithMembers is an expanded group; members come ordered by id, as the
// store documents.
func groupWithMembers(name, id string, members ...string) string {
	idOf := func(m string) string {
		var v struct{ ID string }
		_ = json.Unmarshal([]byte(m), &v)
		return v.ID
	}
	ms := append([]string(nil), members...)
	sort.Slice(ms, func(i, j int) bool { return idOf(ms[i]) < idOf(ms[j]) })
	return fmt.Sprintf(`{"displayName":%q,"id":%q,"members":[%s]}`, name, id, strings.Join(ms, ","))
}

func mustUnmarshal(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

// nest puts group child into group parent through the directory: LibreGraph
// takes users only as members, so nesting is made the way another dialect
// would make it.
func (e *env) nest(parent, child string) {
	e.t.Helper()
	ctx := context.Background()
	tn, err := e.dir.DefaultTenant(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.dir.AddMembers(ctx, tn.ID, parent, []directory.MemberRef{{ID: directory.ObjectID(child), Kind: directory.KindGroup}}, directory.Policy{}); err != nil {
		e.t.Fatal(err)
	}
}
