package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
)

// TestProvisionRequests: each request is a POST to /api/ProvisionGroup
// with the provisioning token and a body the API takes, a new name each
// call, and a team every other call.
func TestProvisionRequests(t *testing.T) {
	p := provisioning{auth: "Bearer tok", owners: []byte(`["a@x","b@x"]`), members: []byte(`["c@x"]`), tag: "t1"}
	set := opSet{addr: "127.0.0.1:1", auth: "Basic other"}
	req := p.call(set, 2)
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
