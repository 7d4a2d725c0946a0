package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// op is one measured operation.
type op struct {
	name   string // as printed
	target string // the target it is held to, as printed
	// probe is sent once before the runs; a non-2xx answer makes the op an
	// error row instead of a measurement (an endpoint this build lacks).
	probe      []byte
	req        requests
	maxPerConn int
	conns      int // connections of its runs; 0: -conns
	// serverPath, when set, is the path whose durations inside groupd
	// the run line gives too (serverlat.go).
	serverPath string
}

// opSet is what the operations need to know about the directory.
type opSet struct {
	addr, auth string
	groupID    string            // the group read by GET (the hello body)
	users      []string          // users read by the transitive operations
	checkIDs   []string          // groupIds of checkMemberGroups
	addUsers   []string          // users added by the member-add runs
	upns       map[string]string // userPrincipalName by id, of the users listed
	addGroups  [][]string
	prov       *provisioning // nil: provisioning is not measured
	provConns  int
	// provRandomOnly leaves out the row with the same users in every call.
	provRandomOnly bool
}

func (s opSet) head(method, path string, body []byte) []byte {
	h := method + " " + path + " HTTP/1.1\r\nHost: " + s.addr + "\r\nAuthorization: " + s.auth +
		"\r\nAccept: application/json\r\nUser-Agent: groupd-bench\r\n"
	if body == nil {
		return []byte(h + "\r\n")
	}
	h += "Content-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
	return append([]byte(h), body...)
}

// user spreads workers over the users, so no answer is served from one
// hot cache line.
func (s opSet) user(w, n int) string { return s.users[(w*7919+n)%len(s.users)] }

func (s opSet) ops(round int) []op {
	get := s.head("GET", "/v1.0/groups/"+s.groupID, nil)
	transitive := func(w, n int) []byte {
		return s.head("GET", "/v1.0/users/"+s.user(w, n)+"/transitiveMemberOf", nil)
	}
	gmgBody := []byte(`{"securityEnabledOnly":false}`)
	gmg := func(w, n int) []byte {
		return s.head("POST", "/v1.0/users/"+s.user(w, n)+"/getMemberGroups", gmgBody)
	}
	ids, _ := json.Marshal(map[string][]string{"groupIds": s.checkIDs})
	cmg := func(w, n int) []byte {
		return s.head("POST", "/v1.0/users/"+s.user(w, n)+"/checkMemberGroups", ids)
	}
	// Every worker adds the users in turn to a group of its own, a fresh
	// one each round, so that every add is a new membership.
	groups := s.addGroups[round%len(s.addGroups)]
	add := func(w, n int) []byte {
		body := `{"@odata.id":"https://graph.microsoft.com/v1.0/directoryObjects/` + s.addUsers[n%len(s.addUsers)] + `"}`
		return s.head("POST", "/v1.0/groups/"+groups[w%len(groups)]+"/members/$ref", []byte(body))
	}
	ops := []op{
		{name: "GET /groups/{id}", target: "0.60x hello", probe: get, req: same(get)},
		{name: "GET /users/{id}/transitiveMemberOf", target: "0.50x GET, p99 < 5ms", probe: transitive(0, 0), req: transitive},
		{name: "POST /users/{id}/getMemberGroups", target: "0.50x GET, p99 < 5ms", probe: gmg(0, 0), req: gmg},
		{name: "POST /users/{id}/checkMemberGroups", target: "0.50x GET, p99 < 5ms", probe: cmg(0, 0), req: cmg},
		// The probe adds a user no worker adds, to a group of the round.
		{name: "POST /groups/{id}/members/$ref", target: "20,000/s SQLite, 5,000/s PostgreSQL",
			probe: s.head("POST", "/v1.0/groups/"+groups[0]+"/members/$ref",
				[]byte(`{"@odata.id":"https://graph.microsoft.com/v1.0/directoryObjects/`+s.users[0]+`"}`)),
			req: add, maxPerConn: len(s.addUsers)},
	}
	if s.prov != nil {
		// DESIGN.md: "ProvisionGroup runs with 8 concurrent clients";
		// every call creates a new group, the probe's too. The row with
		// the same users in every call is DESIGN.md's; the random-user row
		// puts each call's index entries on pages all over the indexes,
		// as a directory in use does.
		target := fmt.Sprintf("p99 < 50ms at %d clients", s.provConns)
		for _, random := range []bool{false, true} {
			if !random && s.provRandomOnly {
				continue
			}
			name := provisionRow
			if random {
				name += randomUsers
			}
			prov := s.prov.call(s, round, random)
			ops = append(ops, op{name: name, target: target, probe: prov(-1, 1), req: prov, conns: s.provConns,
				serverPath: "/api/ProvisionGroup"})
		}
	}
	return ops
}

// fetchUsers pages through /v1.0/users for up to n users: their ids, in
// the list's order, and the userPrincipalName of each.
func fetchUsers(addr, auth string, n int) ([]string, map[string]string, error) {
	var ids []string
	upns := make(map[string]string, n)
	next := "http://" + addr + "/v1.0/users?$select=id,userPrincipalName&$top=999"
	for next != "" && len(ids) < n {
		b, err := call(http.MethodGet, next, auth, nil, http.StatusOK)
		if err != nil {
			return nil, nil, err
		}
		var page struct {
			Value []struct {
				ID  string `json:"id"`
				UPN string `json:"userPrincipalName"`
			} `json:"value"`
			Next string `json:"@odata.nextLink"`
		}
		if err := json.Unmarshal(b, &page); err != nil {
			return nil, nil, err
		}
		for _, v := range page.Value {
			ids = append(ids, v.ID)
			upns[v.ID] = v.UPN
		}
		next = page.Next
		// The link names the public URL; the bench talks to the listener.
		if i := strings.Index(next, "/v1.0/"); i >= 0 {
			next = "http://" + addr + next[i:]
		}
	}
	return ids[:min(n, len(ids))], upns, nil
}

// createGroups creates n empty security groups for the member adds.
func createGroups(addr, auth, prefix string, n int) ([]string, error) {
	var ids []string
	for i := range n {
		post, _ := json.Marshal(map[string]any{
			"displayName": fmt.Sprintf("%s %d", prefix, i), "mailEnabled": false,
			"mailNickname": fmt.Sprintf("%s-%d", strings.ReplaceAll(strings.ToLower(prefix), " ", "-"), i), "securityEnabled": true,
		})
		b, err := call(http.MethodPost, "http://"+addr+"/v1.0/groups", auth, post, http.StatusCreated)
		if err != nil {
			return nil, err
		}
		var g struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(b, &g); err != nil || g.ID == "" {
			return nil, fmt.Errorf("create group: no id in %s", b)
		}
		ids = append(ids, g.ID)
	}
	return ids, nil
}
