package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"groupd/internal/directory"
	"groupd/internal/store/pgtest"
	"groupd/internal/store/postgres"
	"groupd/internal/store/testdb"
)

// needPostgres skips t outside the PostgreSQL run of testdb.Main: these
// tests are about sharing one database, which only that engine does.
func needPostgres(t *testing.T) {
	if testdb.Engine() != testdb.Postgres {
		t.Skip("runs in the PostgreSQL run (testdb.Main)")
	}
}

// instance is one groupd handler on a PostgreSQL database.
type instance struct {
	url string
	st  *postgres.Store
	svc *directory.Service
}

// startInstance starts a handler on dsn as `groupd serve` wires it,
// bootstrapping the directory unless another instance did.
func startInstance(t *testing.T, dsn string) instance {
	t.Helper()
	ctx := context.Background()
	st, err := postgres.Open(ctx, dsn, postgres.Options{MaxConns: 8, StatementTimeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	svc := directory.New(st, append(readCache(st), directory.WithPasswordCost(bcrypt.MinCost))...)
	if _, err := bootstrap(ctx, svc, testDomain, testPassword); err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	h, err := NewHandler(svc, st, Config{Logger: testLogger(t)}, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return instance{url: srv.URL, st: st, svc: svc}
}

// call sends a request as the bootstrap admin and decodes a JSON answer.
func call(t *testing.T, method, url string, body any) (int, http.Header, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("admin@"+testDomain, testPassword)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var doc map[string]any
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &doc)
	}
	return resp.StatusCode, resp.Header, doc
}

// TestDatabaseOutage: while the database is away /readyz answers 503 and
// requests get 503 with Retry-After in each dialect's error shape; when it
// is back everything works again without a restart.
func TestDatabaseOutage(t *testing.T) {
	needPostgres(t)
	dsn := pgtest.NewDatabase(t)
	proxy := pgtest.NewProxy(t, dsn)
	in := startInstance(t, proxy.URL(dsn))
	if code, _, _ := call(t, "GET", in.url+"/readyz", nil); code != http.StatusOK {
		t.Fatalf("/readyz before the outage: %d", code)
	}
	if code, _, doc := call(t, "GET", in.url+"/v1.0/groups", nil); code != http.StatusOK {
		t.Fatalf("GET /v1.0/groups before the outage: %d %v", code, doc)
	}

	proxy.Down()
	if code, _, _ := call(t, "GET", in.url+"/readyz", nil); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the database away: %d, want 503", code)
	}
	for _, c := range []struct {
		method, path string
		body         any
		code         string
	}{
		{"GET", "/v1.0/groups", nil, "ServiceUnavailable"},
		{"POST", "/v1.0/groups", map[string]any{"displayName": "x", "mailNickname": "x", "mailEnabled": false, "securityEnabled": true}, "ServiceUnavailable"},
		{"GET", "/graph/v1.0/groups", nil, "serviceNotAvailable"},
		{"GET", "/myorganization/groups?api-version=1.6", nil, "Request_ThrottledTemporarily"},
	} {
		code, hdr, doc := call(t, c.method, in.url+c.path, c.body)
		if code != http.StatusServiceUnavailable || hdr.Get("Retry-After") == "" {
			t.Errorf("%s %s with the database away: %d, Retry-After %q; want 503 with Retry-After", c.method, c.path, code, hdr.Get("Retry-After"))
		}
		e, _ := doc["error"].(map[string]any)
		if e == nil {
			e, _ = doc["odata.error"].(map[string]any) // Azure AD Graph
		}
		if e == nil || e["code"] != c.code {
			t.Errorf("%s %s: error body %v, want code %s", c.method, c.path, doc, c.code)
		}
	}

	proxy.Up()
	deadline := time.Now().Add(15 * time.Second)
	for {
		code, _, _ := call(t, "GET", in.url+"/readyz", nil)
		if code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %d 15 s after the database came back", code)
		}
		time.Sleep(100 * time.Millisecond)
	}
	body := map[string]any{"displayName": "after", "mailNickname": "after", "mailEnabled": false, "securityEnabled": true}
	if code, _, doc := call(t, "POST", in.url+"/v1.0/groups", body); code != http.StatusCreated {
		t.Errorf("POST /v1.0/groups after the outage: %d %v", code, doc)
	}
	if code, _, _ := call(t, "GET", in.url+"/graph/v1.0/groups", nil); code != http.StatusOK {
		t.Errorf("GET /graph/v1.0/groups after the outage: %d", code)
	}
	if code, _, _ := call(t, "GET", in.url+"/myorganization/groups?api-version=1.6", nil); code != http.StatusOK {
		t.Errorf("GET /myorganization/groups after the outage: %d", code)
	}
}

// secGroup is a Graph create body of a security group.
func secGroup(name string) map[string]any {
	return map[string]any{"displayName": name, "mailNickname": name, "mailEnabled": false, "securityEnabled": true}
}

func ref(id string) map[string]any {
	return map[string]any{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/" + id}
}

// ids returns the "id" of every item of a {"value": [...]} answer.
func ids(t *testing.T, doc map[string]any) []string {
	t.Helper()
	if _, more := doc["@odata.nextLink"]; more {
		t.Fatalf("list is longer than a page: %v", doc)
	}
	items, _ := doc["value"].([]any)
	out := []string{}
	for _, it := range items {
		out = append(out, fmt.Sprint(it.(map[string]any)["id"]))
	}
	return out
}

// TestTwoInstancesOneDatabase starts two groupd instances on one
// PostgreSQL database at the same time, runs concurrent writers on both
// (including adds to one shared group, and two instances creating the
// same mailNickname at the same moment), checks that every write
// acknowledged by one instance is seen by the next read on the other, and
// at the end that both instances answer exactly what the database holds.
func TestTwoInstancesOneDatabase(t *testing.T) {
	needPostgres(t)
	dsn := pgtest.NewDatabase(t)
	started := make(chan instance, 2)
	for range 2 {
		go func() { started <- startInstance(t, dsn) }()
	}
	inst := []instance{<-started, <-started}
	tenant, err := inst[0].svc.DefaultTenant(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	code, _, doc := call(t, "POST", inst[0].url+"/v1.0/groups", secGroup("hot"))
	if code != http.StatusCreated {
		t.Fatalf("create the shared group: %d %v", code, doc)
	}
	hot := doc["id"].(string)

	const writers, perWriter = 4, 6
	errs := make(chan error, writers*perWriter*4)
	done := make(chan struct{})
	for w := range writers {
		go func() {
			defer func() { done <- struct{}{} }()
			mine, other := inst[w%2], inst[(w+1)%2]
			for i := range perWriter {
				name := fmt.Sprintf("w%d-%d", w, i)
				code, _, doc := call(t, "POST", mine.url+"/v1.0/groups", secGroup(name))
				if code != http.StatusCreated {
					errs <- fmt.Errorf("create %s: %d %v", name, code, doc)
					continue
				}
				id := doc["id"].(string)
				// Acknowledged by one instance: the next read on the other sees it.
				if code, _, _ := call(t, "GET", other.url+"/v1.0/groups/"+id, nil); code != http.StatusOK {
					errs <- fmt.Errorf("group %s made on one instance: %d on the other", name, code)
				}
				// The other instance now has the group in its cache; a
				// rename acknowledged here is what its next read returns.
				renamed := map[string]any{"displayName": name + " renamed"}
				if code, _, doc := call(t, "PATCH", mine.url+"/v1.0/groups/"+id, renamed); code != http.StatusNoContent {
					errs <- fmt.Errorf("rename %s: %d %v", name, code, doc)
				} else if _, _, doc := call(t, "GET", other.url+"/v1.0/groups/"+id, nil); doc["displayName"] != name+" renamed" {
					errs <- fmt.Errorf("group %s renamed on one instance: %v on the other", name, doc["displayName"])
				}
				if code, _, doc := call(t, "POST", mine.url+"/v1.0/groups/"+hot+"/members/$ref", ref(id)); code != http.StatusNoContent {
					errs <- fmt.Errorf("add %s to the shared group: %d %v", name, code, doc)
					continue
				}
				code, _, doc = call(t, "GET", other.url+"/v1.0/groups/"+hot+"/members", nil)
				if code != http.StatusOK || !strings.Contains(fmt.Sprint(ids(t, doc)), id) {
					errs <- fmt.Errorf("member %s added on one instance is missing on the other: %d", name, code)
				}
			}
		}()
	}
	for range writers {
		<-done
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	// The same mailNickname at the same moment on both: exactly one wins.
	for round := range 5 {
		nick := fmt.Sprintf("race%d", round)
		body := map[string]any{"displayName": nick, "mailNickname": nick, "mailEnabled": true,
			"securityEnabled": false, "groupTypes": []string{"Unified"}}
		codes := make(chan int, 2)
		for _, in := range inst {
			go func() {
				code, _, doc := call(t, "POST", in.url+"/v1.0/groups", body)
				if code == http.StatusBadRequest && !strings.Contains(fmt.Sprint(doc), "ObjectConflict") {
					t.Errorf("race loser: %v, want an ObjectConflict", doc)
				}
				codes <- code
			}()
		}
		got := []int{<-codes, <-codes}
		if !(got[0] == http.StatusCreated && got[1] == http.StatusBadRequest) &&
			!(got[0] == http.StatusBadRequest && got[1] == http.StatusCreated) {
			t.Errorf("round %d: statuses %v, want one 201 and one 400", round, got)
		}
	}

	// Both instances answer what the database holds.
	ctx := context.Background()
	page, err := inst[0].st.Groups(ctx, tenant.ID, directory.GroupListRequest{Page: directory.PageRequest{Top: 999}})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, g := range page.Items {
		want = append(want, string(g.ID))
	}
	if len(want) != 1+writers*perWriter+5 {
		t.Errorf("the database holds %d groups, want %d", len(want), 1+writers*perWriter+5)
	}
	members, err := inst[1].st.Members(ctx, tenant.ID, directory.ObjectID(hot), directory.PageRequest{Top: 999})
	if err != nil {
		t.Fatal(err)
	}
	var wantMembers []string
	for _, m := range members.Items {
		wantMembers = append(wantMembers, string(m.ID()))
	}
	for i, in := range inst {
		_, _, doc := call(t, "GET", in.url+"/v1.0/groups?$top=999", nil)
		if got := ids(t, doc); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("instance %d lists groups %v, the database %v", i, got, want)
		}
		_, _, doc = call(t, "GET", in.url+"/v1.0/groups/"+hot+"/members?$top=999", nil)
		if got := ids(t, doc); fmt.Sprint(got) != fmt.Sprint(wantMembers) || len(got) != writers*perWriter {
			t.Errorf("instance %d lists %d members of the shared group, the database %d", i, len(got), len(wantMembers))
		}
	}
}

// TestBasicFollowsTheUserAcrossInstances: a remembered Basic credential is
// checked against the user on every request; a password change or a
// disabled account acknowledged by one instance holds on the very next
// request to the other, which answers that check from its cache.
func TestBasicFollowsTheUserAcrossInstances(t *testing.T) {
	needPostgres(t)
	dsn := pgtest.NewDatabase(t)
	one := startInstance(t, dsn)
	two := startInstance(t, dsn)
	id := newUser(t, one.url, "carol")
	me := func(password string) int {
		t.Helper()
		req, err := http.NewRequest("GET", two.url+"/graph/v1.0/me", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.SetBasicAuth("carol@"+testDomain, password)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := range 3 { // the first verifies, the others are remembered
		if code := me("Passw0rd!x"); code != http.StatusOK {
			t.Fatalf("sign-in %d on the other instance: %d", i, code)
		}
	}
	for round, change := range []map[string]any{
		{"passwordProfile": map[string]any{"password": "N3w-Passw0rd!"}},
		{"accountEnabled": false},
	} {
		if code, _, doc := call(t, "PATCH", one.url+"/v1.0/users/"+id, change); code != http.StatusNoContent {
			t.Fatalf("change %d: %d %v", round, code, doc)
		}
		if code := me("Passw0rd!x"); code != http.StatusUnauthorized {
			t.Errorf("change %d: the old password still works on the other instance: %d", round, code)
		}
		want := http.StatusOK
		if round == 1 {
			want = http.StatusUnauthorized
		}
		if code := me("N3w-Passw0rd!"); code != want {
			t.Errorf("change %d: the new password on the other instance: %d, want %d", round, code, want)
		}
	}
}
