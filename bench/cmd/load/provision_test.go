package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
)

// TestProvisionRequests: each request is a POST to /api/ProvisionGroup
// with the provisioning token and a body the API takes, a new name each
// call, and a team every other call.
func TestProvisionRequests(t *testing.T) {
	p := provisioning{auth: "Bearer tok", owners: []byte(`["a@x","b@x"]`), members: []byte(`["c@x"]`), tag: "t1"}
	set := opSet{addr: "127.0.0.1:1", auth: "Basic other"}
	req := p.call(set, 2, false)
	seen := map[string]bool{}
	for _, wn := range [][2]int{{0, 0}, {0, 1}, {1, 0}} {
		r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(req(wn[0], wn[1]))))
		if err != nil {
			t.Fatal(err)
		}
		if r.Method != http.MethodPost || r.URL.Path != "/api/ProvisionGroup" || r.Header.Get("Authorization") != "Bearer tok" ||
			r.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("request %v: %s %s, headers %v", wn, r.Method, r.URL, r.Header)
		}
		var body struct {
			DisplayName, MailNickname, Visibility string
			OwnerUPNs, MemberUPNs                 []string
			CreateTeam                            bool
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		if body.MailNickname == "" || body.DisplayName != body.MailNickname || seen[body.MailNickname] {
			t.Fatalf("request %v: names %q, %q (seen: %v)", wn, body.DisplayName, body.MailNickname, seen)
		}
		seen[body.MailNickname] = true
		if body.Visibility != "Private" || len(body.OwnerUPNs) != 2 || len(body.MemberUPNs) != 1 || body.CreateTeam != (wn[1]%2 == 0) {
			t.Fatalf("request %v: %+v", wn, body)
		}
	}
	if set.auth != "Basic other" {
		t.Fatal("the other operations' Authorization changed")
	}
}

// TestProvisionRandomDraws: with a pool, each call names 2 owners and 100
// members, all distinct, all from the pool, and the calls do not all name
// the same users.
func TestProvisionRandomDraws(t *testing.T) {
	var pool []string
	inPool := map[string]bool{}
	for i := range 300 {
		u := fmt.Sprintf("u%d@x", i)
		q, _ := json.Marshal(u)
		pool = append(pool, string(q))
		inPool[u] = true
	}
	p := provisioning{auth: "Bearer tok", owners: []byte(`["a@x","b@x"]`), members: []byte(`["c@x"]`), pool: pool, tag: "t1"}
	req := p.call(opSet{addr: "127.0.0.1:1"}, 1, true)
	// The two rows run one after the other on one directory: the same
	// worker's same call of a round must not reuse the other row's name.
	if a, b := nickname(t, p.call(opSet{}, 1, false)(0, 0)), nickname(t, req(0, 0)); a == b {
		t.Fatalf("both rows name their first call %q", a)
	}
	firsts := map[string]bool{}
	for n := range 20 {
		r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(req(0, n))))
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ OwnerUPNs, MemberUPNs []string }
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		if len(body.OwnerUPNs) != 2 || len(body.MemberUPNs) != provisionUsers-2 {
			t.Fatalf("call %d: %d owners, %d members", n, len(body.OwnerUPNs), len(body.MemberUPNs))
		}
		seen := map[string]bool{}
		for _, u := range append(body.OwnerUPNs, body.MemberUPNs...) {
			if !inPool[u] || seen[u] {
				t.Fatalf("call %d: %q not in the pool or named twice", n, u)
			}
			seen[u] = true
		}
		firsts[body.OwnerUPNs[0]] = true
	}
	if len(firsts) < 5 {
		t.Fatalf("20 calls drew %d distinct first owners from 300 users", len(firsts))
	}
}

// nickname is the mailNickname of a ProvisionGroup request.
func nickname(t *testing.T, raw []byte) string {
	t.Helper()
	r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		t.Fatal(err)
	}
	var body struct{ MailNickname string }
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return body.MailNickname
}
