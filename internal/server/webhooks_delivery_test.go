package server

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"
)

func newGroup(t *testing.T, base, name string) string {
	t.Helper()
	code, _, g := call(t, "POST", base+"/v1.0/groups", map[string]any{"displayName": name, "mailNickname": name, "mailEnabled": false, "securityEnabled": true})
	if code != http.StatusCreated {
		t.Fatalf("create group: %d %v", code, g)
	}
	return g["id"].(string)
}

func newUser(t *testing.T, base, alias string) string {
	t.Helper()
	code, _, u := call(t, "POST", base+"/v1.0/users", map[string]any{"displayName": alias, "mailNickname": alias,
		"userPrincipalName": alias + "@example.org", "accountEnabled": true, "passwordProfile": map[string]any{"password": "Passw0rd!x"}})
	if code != http.StatusCreated {
		t.Fatalf("create user: %d %v", code, u)
	}
	return u["id"].(string)
}

func addMember(t *testing.T, base, gid, uid string) {
	t.Helper()
	if code, _, doc := call(t, "POST", base+"/v1.0/groups/"+gid+"/members/$ref", map[string]any{"@odata.id": base + "/v1.0/users/" + uid}); code != 204 {
		t.Fatalf("add member: %d %v", code, doc)
	}
}

// memberIDs lists the members@delta ids of the delivered notifications
// about group gid, in delivery order.
func memberIDs(rc *receiver, gid string) []string {
	var out []string
	for _, p := range rc.delivered() {
		for _, v := range p.body.Value {
			if v.Resource != "Groups/"+gid {
				continue
			}
			for _, d := range v.ResourceData["members@delta"].([]any) {
				out = append(out, d.(map[string]any)["id"].(string))
			}
		}
	}
	return out
}

// TestWebhookRetriesInOrder: a receiver that fails twice gets the same
// notifications again after growing pauses, then everything in order.
func TestWebhookRetriesInOrder(t *testing.T) {
	cfg := hookConfig(t)
	s := startRun(t, cfg)
	base := "http://" + s.addr
	rc := newReceiver(t)
	rc.answer = func(n int, _ *http.Request) int {
		if n <= 2 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	}
	gid := newGroup(t, base, "ordered")
	if code, doc := subscribe(t, base, map[string]any{"changeType": "updated", "notificationUrl": rc.srv.URL,
		"resource": "groups", "expirationDateTime": soon()}); code != 201 {
		t.Fatalf("subscribe: %d %v", code, doc)
	}
	var want []string
	for i := range 6 {
		uid := newUser(t, base, fmt.Sprintf("o%d", i))
		addMember(t, base, gid, uid)
		want = append(want, uid)
	}
	waitFor(t, "all six members", func() bool { return len(memberIDs(rc, gid)) >= 6 })
	if got := memberIDs(rc, gid); !reflect.DeepEqual(got, want) {
		t.Errorf("delivered %v\nwant      %v (once each, in order)", got, want)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.posts) < 3 || rc.posts[0].code != 503 || rc.posts[1].code != 503 {
		t.Fatalf("posts %d", len(rc.posts))
	}
	// The first failure waits BackoffBase, the second twice that.
	if d := rc.posts[1].at.Sub(rc.posts[0].at); d < cfg.Webhooks.BackoffBase {
		t.Errorf("first retry after %v, want ≥ %v", d, cfg.Webhooks.BackoffBase)
	}
	if d := rc.posts[2].at.Sub(rc.posts[1].at); d < 2*cfg.Webhooks.BackoffBase {
		t.Errorf("second retry after %v, want ≥ %v", d, 2*cfg.Webhooks.BackoffBase)
	}
	// A retry starts with what failed (more may have been queued since).
	first, retry := rc.posts[0].body.Value, rc.posts[1].body.Value
	if len(retry) < len(first) || !reflect.DeepEqual(retry[:len(first)], first) {
		t.Errorf("retry does not start with the failed notifications:\n%v\n%v", first, retry)
	}
}

// TestWebhookDropAfterFailures: a receiver that never accepts is dropped
// after MaxFailures attempts, with an audit entry by groupd.
func TestWebhookDropAfterFailures(t *testing.T) {
	cfg := hookConfig(t)
	s := startRun(t, cfg)
	base := "http://" + s.addr
	rc := newReceiver(t)
	rc.answer = func(int, *http.Request) int { return http.StatusInternalServerError }
	life := newReceiver(t)
	code, sub := subscribe(t, base, map[string]any{"changeType": "created", "notificationUrl": rc.srv.URL,
		"lifecycleNotificationUrl": life.srv.URL + "/life", "clientState": "cs",
		"resource": "users", "expirationDateTime": soon()})
	if code != 201 {
		t.Fatalf("subscribe: %d %v", code, sub)
	}
	id := sub["id"].(string)
	newUser(t, base, "dropme")
	waitFor(t, "the subscription to be dropped", func() bool {
		code, _, _ := call(t, "GET", base+"/v1.0/subscriptions/"+id, nil)
		return code == http.StatusNotFound
	})
	rc.mu.Lock()
	attempts := len(rc.posts)
	rc.mu.Unlock()
	if attempts != cfg.Webhooks.MaxFailures {
		t.Errorf("%d attempts, want %d", attempts, cfg.Webhooks.MaxFailures)
	}
	q := url.QueryEscape("targetResources/any(t:t/id eq '" + id + "')")
	_, _, doc := call(t, "GET", base+"/v1.0/auditLogs/directoryAudits?$filter="+q, nil)
	list, _ := doc["value"].([]any)
	if len(list) != 2 {
		t.Fatalf("audit entries of the subscription: %v", doc)
	}
	drop := list[0].(map[string]any)
	if drop["activityDisplayName"] != "Remove subscription after failed deliveries" || drop["operationType"] != "Delete" ||
		drop["initiatedBy"].(map[string]any)["app"].(map[string]any)["displayName"] != "groupd" {
		t.Errorf("drop entry %v", drop)
	}
	if add := list[1].(map[string]any); add["activityDisplayName"] != "Add subscription" {
		t.Errorf("create entry %v", add)
	}
	// The lifecycle URL hears of the removal.
	waitFor(t, "the lifecycle notification", func() bool { return len(life.delivered()) == 1 })
	got := life.delivered()[0].raw
	want := map[string]any{"value": []any{map[string]any{"subscriptionId": id, "subscriptionExpirationDateTime": sub["expirationDateTime"],
		"tenantId": got["value"].([]any)[0].(map[string]any)["tenantId"], "clientState": "cs", "lifecycleEvent": "subscriptionRemoved"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("lifecycle notification %v\nwant %v", got, want)
	}
}

// TestWebhookSurvivesRestart: a delivery in flight when the server stops
// is sent by the next server on the same data.
func TestWebhookSurvivesRestart(t *testing.T) {
	cfg := hookConfig(t)
	s := startRun(t, cfg)
	base := "http://" + s.addr
	rc := newReceiver(t)
	holding := make(chan struct{})
	rc.answer = func(n int, r *http.Request) int {
		if n == 1 {
			close(holding)
			<-r.Context().Done() // hold until groupd gives up on it
			return http.StatusOK
		}
		return http.StatusOK
	}
	if code, doc := subscribe(t, base, map[string]any{"changeType": "created", "notificationUrl": rc.srv.URL,
		"resource": "users", "expirationDateTime": soon()}); code != 201 {
		t.Fatalf("subscribe: %d %v", code, doc)
	}
	uid := newUser(t, base, "restart")
	select {
	case <-holding:
	case <-time.After(10 * time.Second):
		t.Fatal("no delivery started")
	}
	if err := s.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	s2 := startRun(t, cfg)
	_ = s2
	waitFor(t, "the pending notification after the restart", func() bool { return len(rc.delivered()) >= 2 })
	p := rc.delivered()[1].body.Value
	if len(p) != 1 || p[0].ChangeType != "created" || p[0].Resource != "Users/"+uid || p[0].ResourceData["@odata.type"] != "#Microsoft.Graph.User" {
		t.Errorf("after restart: %+v", p)
	}
}

// TestWebhookTwoInstances: two servers on one PostgreSQL database share
// one outbox; writes through both reach the receiver once each, in order.
func TestWebhookTwoInstances(t *testing.T) {
	needPostgres(t)
	cfg := hookConfig(t)
	a := startRun(t, cfg)
	cfg2 := cfg
	cfg2.DataDir = t.TempDir()
	b := startRun(t, cfg2)
	bases := []string{"http://" + a.addr, "http://" + b.addr}
	rc := newReceiver(t)
	gid := newGroup(t, bases[0], "shared")
	if code, doc := subscribe(t, bases[1], map[string]any{"changeType": "updated", "notificationUrl": rc.srv.URL,
		"resource": "groups/" + gid + "/members", "expirationDateTime": soon()}); code != 201 {
		t.Fatalf("subscribe: %d %v", code, doc)
	}
	var want []string
	for i := range 8 {
		base := bases[i%2]
		uid := newUser(t, base, fmt.Sprintf("two%d", i))
		addMember(t, base, gid, uid)
		want = append(want, uid)
	}
	waitFor(t, "eight notifications", func() bool { return len(memberIDs(rc, gid)) >= 8 })
	time.Sleep(300 * time.Millisecond) // a duplicate would show by now
	if got := memberIDs(rc, gid); !reflect.DeepEqual(got, want) {
		t.Errorf("delivered %v\nwant      %v", got, want)
	}
	// Both instances copy the change log to the audit log: each change
	// is there once.
	q := url.QueryEscape("targetResources/any(t:t/id eq '" + gid + "') and activityDisplayName eq 'Add member to group'")
	for _, base := range bases {
		_, _, doc := call(t, "GET", base+"/v1.0/auditLogs/directoryAudits?$filter="+q, nil)
		var members []string
		for _, v := range doc["value"].([]any) {
			members = append([]string{v.(map[string]any)["targetResources"].([]any)[1].(map[string]any)["id"].(string)}, members...)
		}
		if !reflect.DeepEqual(members, want) {
			t.Errorf("audit via %s: %v\nwant %v", base, members, want)
		}
	}
}

// TestWebhookRestartRedeliversUnacknowledged: notifications are
// acknowledged batch by batch; the batch in flight when the server stops
// is the first one the next server sends, and nothing acknowledged before
// is sent again.
func TestWebhookRestartRedeliversUnacknowledged(t *testing.T) {
	cfg := hookConfig(t)
	cfg.Webhooks.Batch = 2
	s := startRun(t, cfg)
	base := "http://" + s.addr
	rc := newReceiver(t)
	holding := make(chan struct{})
	rc.answer = func(n int, r *http.Request) int {
		if n == 2 {
			close(holding)
			<-r.Context().Done() // hold until groupd gives up on it
			return http.StatusTeapot
		}
		return http.StatusOK
	}
	gid := newGroup(t, base, "restarted")
	var want []string
	for i := range 6 {
		want = append(want, newUser(t, base, fmt.Sprintf("r%d", i)))
	}
	if code, doc := subscribe(t, base, map[string]any{"changeType": "updated", "notificationUrl": rc.srv.URL,
		"resource": "groups/" + gid + "/members", "expirationDateTime": soon()}); code != 201 {
		t.Fatalf("subscribe: %d %v", code, doc)
	}
	for _, uid := range want {
		addMember(t, base, gid, uid)
	}
	select {
	case <-holding:
	case <-time.After(10 * time.Second):
		t.Fatal("no second delivery started")
	}
	if err := s.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	startRun(t, cfg)
	waitFor(t, "every member after the restart", func() bool { return len(memberIDs(rc, gid)) >= len(want) })
	time.Sleep(200 * time.Millisecond) // a duplicate would show by now
	if got := memberIDs(rc, gid); !reflect.DeepEqual(got, want) {
		t.Errorf("acknowledged %v\nwant         %v (once each, in order)", got, want)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for i, p := range rc.posts {
		if p.code != http.StatusTeapot {
			continue
		}
		if i+1 >= len(rc.posts) {
			t.Fatal("nothing sent after the held delivery")
		}
		held, next := p.body.Value, rc.posts[i+1].body.Value
		if len(next) < len(held) || !reflect.DeepEqual(next[:len(held)], held) {
			t.Errorf("first delivery after the restart %+v\ndoes not start with the held one %+v", next, held)
		}
		return
	}
	t.Fatal("the held delivery was not recorded")
}
