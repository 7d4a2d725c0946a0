package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"groupd/internal/directory"
	"groupd/internal/generate"
	"groupd/internal/store"
	"groupd/internal/store/testdb"
)

// TestGenerate loads a small generated directory and checks, through the
// real handler, that it is a consistent directory: counts, members, search
// tokens and nesting agree with what the generator built.
func TestGenerate(t *testing.T) {
	ctx := context.Background()
	dbURL := testdb.URL(t, testdb.Engine())
	ref := StoreRef{DataDir: t.TempDir(), DatabaseURL: dbURL}
	t.Setenv(AdminPasswordEnv, testPassword)
	cfg := generate.Config{Users: 300, Groups: 30, Memberships: 1500, Depth: 4, Seed: 7}
	var phases []string
	out, err := Generate(ctx, ref, testDomain, cfg, func(phase string, done, total int) {
		if done == total && !slices.Contains(phases, phase) {
			phases = append(phases, phase)
		}
	})
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	if out.AdminPassword != "" {
		t.Errorf("admin password %q generated although %s was set", out.AdminPassword, AdminPasswordEnv)
	}
	if want := []string{"users", "groups", "search tokens", "memberships"}; !isPrefixOf(want, phases) {
		t.Errorf("progress phases %v, want %v first", phases, want)
	}

	// The command line contract: exactly these keys.
	b, err := json.Marshal(out.Summary)
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		t.Fatal(err)
	}
	var got []string
	for k := range keys {
		got = append(got, k)
	}
	slices.Sort(got)
	want := []string{"deepGroupIds", "deepUserIds", "groups", "memberships", "sampleGroupIds", "sampleUserIds", "tenantId", "users"}
	if !slices.Equal(got, want) {
		t.Errorf("summary keys %v, want %v", got, want)
	}
	s := out.Summary
	if s.Users != 300 || s.Groups != 30 || s.Memberships != 1500 || len(s.SampleUserIDs) != 10 ||
		len(s.SampleGroupIDs) != 10 || len(s.DeepUserIDs) == 0 || len(s.DeepGroupIDs) != 4 {
		t.Errorf("summary %s", b)
	}

	st, err := store.Open(ctx, ref.DataDir, ref.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tenant, err := st.DefaultTenant(ctx)
	if err != nil || tenant.ID != s.TenantID {
		t.Fatalf("default tenant %v (%v), summary says %s", tenant.ID, err, s.TenantID)
	}
	// The generator is deterministic: building again gives the same objects.
	data, again, err := generate.Build(cfg, tenant, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(again.DeepUserIDs, s.DeepUserIDs) || !slices.Equal(again.SampleGroupIDs, s.SampleGroupIDs) {
		t.Fatalf("Build is not deterministic: %v, then %v", s.DeepUserIDs, again.DeepUserIDs)
	}

	svc := directory.New(st, directory.WithPasswordCost(bcrypt.MinCost))
	h, err := NewHandler(svc, st, Config{Logger: testLogger(t)}, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	get := func(path string) string {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.SetBasicAuth("admin", testPassword)
		req.Header.Set("ConsistencyLevel", "eventual")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status %d: %s", path, resp.StatusCode, body)
		}
		return string(body)
	}

	// Counters: the admin plus the generated users; the groups.
	if got := get("/v1.0/users/$count"); got != "301" {
		t.Errorf("users/$count = %s, want 301", got)
	}
	if got := get("/v1.0/groups/$count"); got != "30" {
		t.Errorf("groups/$count = %s, want 30", got)
	}
	// Direct members of every group, as generated.
	perGroup := map[directory.ObjectID]int{}
	for _, m := range data.Memberships {
		perGroup[m.Group]++
	}
	for _, g := range data.Groups {
		if got, want := get("/v1.0/groups/"+string(g.ID)+"/members/$count"), fmt.Sprint(perGroup[g.ID]); got != want {
			t.Errorf("members/$count of %s = %s, want %s", g.DisplayName, got, want)
		}
	}
	// Search tokens: a given name finds exactly the users that carry it.
	given := data.Users[0].GivenName
	n := 0
	for _, u := range data.Users {
		if strings.Contains(u.DisplayName, given) {
			n++
		}
	}
	q := url.Values{"$search": {`"displayName:` + given + `"`}}
	if got := get("/v1.0/users/$count?" + q.Encode()); got != fmt.Sprint(n) {
		t.Errorf("users/$count with $search for %s = %s, want %d", given, got, n)
	}

	// Nesting: the deep users reach the top group through every level, and
	// no group contains a group above it.
	top, leaf := s.DeepGroupIDs[0], s.DeepGroupIDs[len(s.DeepGroupIDs)-1]
	for _, u := range s.DeepUserIDs {
		if ok, err := st.Contains(ctx, s.TenantID, top, u); err != nil || !ok {
			t.Errorf("Contains(top, deep user %s) = %v, %v; want true", u, ok, err)
		}
		if !strings.Contains(get("/v1.0/groups/"+string(leaf)+"/members?$select=id&$top=999"), string(u)) {
			t.Errorf("deep user %s is not listed among the members of the deepest group", u)
		}
	}
	for i := range s.DeepGroupIDs[1:] {
		if ok, err := st.Contains(ctx, s.TenantID, s.DeepGroupIDs[i+1], s.DeepGroupIDs[i]); err != nil || ok {
			t.Errorf("group on level %d contains the group above it: %v, %v", i+1, ok, err)
		}
	}

	// The same seed again on the same directory collides with itself and
	// writes nothing.
	if _, err := Generate(ctx, ref, testDomain, cfg, nil); err == nil {
		t.Error("a second Generate with the same seed succeeded")
	}
	if got := get("/v1.0/groups/$count"); got != "30" {
		t.Errorf("after the failed second run, groups/$count = %s, want 30", got)
	}
}

func isPrefixOf(prefix, list []string) bool {
	return len(list) >= len(prefix) && slices.Equal(prefix, list[:len(prefix)])
}
