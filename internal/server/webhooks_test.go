package server

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"groupd/internal/store/testdb"
	"groupd/internal/webhook"
)

// receiver is a real notification endpoint: it answers the validation
// handshake as told and records every notification POST it gets.
type receiver struct {
	srv *httptest.Server
	mu  sync.Mutex
	// handshake: "echo" (correct), "fail" (500), "wrong" (another body).
	handshake string
	// answer decides the status of the n-th notification POST (from 1).
	answer func(n int, r *http.Request) int
	posts  []post
	got    chan struct{}
}

type post struct {
	at   time.Time
	code int
	body notificationBody
	raw  map[string]any
}

type notificationBody struct {
	Value []struct {
		SubscriptionID                 string
		SubscriptionExpirationDateTime string
		ChangeType                     string
		Resource                       string
		ResourceData                   map[string]any
		ClientState                    *string
		TenantID                       string
	}
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{handshake: "echo", answer: func(int, *http.Request) int { return http.StatusAccepted }, got: make(chan struct{}, 1000)}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok := r.URL.Query().Get("validationToken"); tok != "" {
			rc.mu.Lock()
			mode := rc.handshake
			rc.mu.Unlock()
			switch mode {
			case "fail":
				w.WriteHeader(http.StatusInternalServerError)
			case "wrong":
				w.Header().Set("Content-Type", "text/plain")
				_, _ = io.WriteString(w, "not-the-token")
			default:
				w.Header().Set("Content-Type", "text/plain")
				_, _ = io.WriteString(w, tok)
			}
			return
		}
		var p post
		b, err := io.ReadAll(r.Body)
		if err == nil {
			err = json.Unmarshal(b, &p.raw)
		}
		if err == nil {
			err = json.Unmarshal(b, &p.body)
		}
		if err != nil || r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Errorf("notification body: %v, Content-Type %q", err, r.Header.Get("Content-Type"))
		}
		rc.mu.Lock()
		n := len(rc.posts) + 1
		answer := rc.answer
		rc.mu.Unlock()
		p.code = answer(n, r)
		p.at = time.Now()
		rc.mu.Lock()
		rc.posts = append(rc.posts, p)
		rc.mu.Unlock()
		w.WriteHeader(p.code)
		rc.got <- struct{}{}
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// delivered returns the notifications of accepted POSTs, in order.
func (rc *receiver) delivered() []post {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []post
	for _, p := range rc.posts {
		if p.code < 300 {
			out = append(out, p)
		}
	}
	return out
}

// waitFor polls cond until it holds or 15 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// hookConfig is a server with fast test timings on a store of this run's
// engine; the same cfg restarts it on the same data.
func hookConfig(t *testing.T) Config {
	t.Setenv(AdminPasswordEnv, testPassword)
	return Config{
		DataDir: t.TempDir(), DatabaseURL: testdb.URL(t, testdb.Engine()), InsecureHTTP: true,
		// The receivers are httptest servers on 127.0.0.1.
		WebhookAllowHTTP: true, WebhookAllowPrivate: true,
		Webhooks: webhook.Config{PollInterval: 10 * time.Millisecond, Timeout: 2 * time.Second,
			BackoffBase: 50 * time.Millisecond, BackoffMax: 200 * time.Millisecond, MaxFailures: 4},
	}
}

func subscribe(t *testing.T, base string, body map[string]any) (int, map[string]any) {
	t.Helper()
	code, _, doc := call(t, "POST", base+"/v1.0/subscriptions", body)
	return code, doc
}

func soon() string { return time.Now().Add(time.Hour).UTC().Format(time.RFC3339) }

func TestSubscriptionHandshakeAndShape(t *testing.T) {
	cfg := hookConfig(t)
	s := startRun(t, cfg)
	base := "http://" + s.addr
	rc := newReceiver(t)
	_, _, g := call(t, "POST", base+"/v1.0/groups", map[string]any{"displayName": "Hooks", "mailNickname": "hooks", "mailEnabled": false, "securityEnabled": true})
	gid := g["id"].(string)

	good := func() map[string]any {
		return map[string]any{"changeType": "updated,deleted", "notificationUrl": rc.srv.URL + "/hook?x=1",
			"resource": "groups/" + gid + "/members", "expirationDateTime": soon(), "clientState": "s3cret"}
	}
	with := func(k string, v any) map[string]any {
		b := good()
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
		return b
	}
	for _, tc := range []struct {
		name          string
		body          map[string]any
		code, message string
	}{
		{"bad resource", with("resource", "devices"), "InvalidRequest", "The resource 'devices' is not supported. Subscribe to users, groups or groups/{id}/members."},
		{"bad changeType", with("changeType", "created,renamed"), "InvalidRequest", "Invalid changeType 'created,renamed'. Use a comma-separated list of created, updated and deleted."},
		{"past expiry", with("expirationDateTime", time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)), "InvalidRequest", "Subscription expiration must be in the future."},
		{"far expiry", with("expirationDateTime", time.Now().Add(30*24*time.Hour).UTC().Format(time.RFC3339)), "InvalidRequest", "Subscription expiration can only be 41760 minutes in the future."},
		{"long clientState", with("clientState", strings.Repeat("x", 129)), "InvalidRequest", "clientState must be at most 128 characters."},
		{"not a URL", with("notificationUrl", "ftp://x"), "InvalidRequest", "The notification URL 'ftp://x' is not valid. It must be an absolute https URL."},
		{"missing resource", with("resource", nil), "Request_BadRequest", "Invalid value specified for property 'resource' of resource 'Subscription'. The property is required."},
		{"unknown group", with("resource", "groups/6f1c5a3e-0000-4000-8000-000000000000/members"), "Request_ResourceNotFound", "Resource '6f1c5a3e-0000-4000-8000-000000000000' does not exist or one of its queried reference-property objects are not present."},
	} {
		code, doc := subscribe(t, base, tc.body)
		e, _ := doc["error"].(map[string]any)
		wantStatus := http.StatusBadRequest
		if tc.code == "Request_ResourceNotFound" {
			wantStatus = http.StatusNotFound
		}
		if code != wantStatus || e["code"] != tc.code || e["message"] != tc.message {
			t.Errorf("%s: %d %v\nwant %d %s %q", tc.name, code, e, wantStatus, tc.code, tc.message)
		}
	}
	for mode, msg := range map[string]string{
		"fail":  "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.",
		"wrong": "Subscription validation request failed. Response must exactly match validationToken query parameter.",
	} {
		rc.handshake = mode
		code, doc := subscribe(t, base, good())
		e, _ := doc["error"].(map[string]any)
		if code != http.StatusBadRequest || e["code"] != "ValidationError" || e["message"] != msg {
			t.Errorf("handshake %s: %d %v", mode, code, e)
		}
	}
	rc.handshake = "echo"
	if _, _, list := call(t, "GET", base+"/v1.0/subscriptions", nil); len(list["value"].([]any)) != 0 {
		t.Fatalf("refused requests stored subscriptions: %v", list)
	}

	code, sub := subscribe(t, base, good())
	if code != http.StatusCreated {
		t.Fatalf("create: %d %v", code, sub)
	}
	id := sub["id"].(string)
	exp := sub["expirationDateTime"].(string)
	want := map[string]any{
		"@odata.context": base + "/v1.0/$metadata#subscriptions/$entity", "id": id,
		"resource": "groups/" + gid + "/members", "applicationId": nil, "changeType": "updated,deleted",
		"clientState": "s3cret", "notificationUrl": rc.srv.URL + "/hook?x=1", "lifecycleNotificationUrl": nil,
		"expirationDateTime": exp, "creatorId": sub["creatorId"], "includeResourceData": false, "latestSupportedTlsVersion": "v1_2",
	}
	if !reflect.DeepEqual(sub, want) || sub["creatorId"] == "" {
		t.Errorf("created:\n%v\nwant\n%v", sub, want)
	}
	if _, _, got := call(t, "GET", base+"/v1.0/subscriptions/"+id, nil); !reflect.DeepEqual(got, want) {
		t.Errorf("get: %v", got)
	}

	// A member added and removed: two notifications, in order, field by field.
	_, _, u := call(t, "POST", base+"/v1.0/users", map[string]any{"displayName": "Una", "mailNickname": "una",
		"userPrincipalName": "una@example.org", "accountEnabled": true, "passwordProfile": map[string]any{"password": "Passw0rd!x"}})
	uid := u["id"].(string)
	if code, _, _ := call(t, "POST", base+"/v1.0/groups/"+gid+"/members/$ref", map[string]any{"@odata.id": base + "/v1.0/users/" + uid}); code != 204 {
		t.Fatalf("add member: %d", code)
	}
	if code, _, _ := call(t, "DELETE", base+"/v1.0/groups/"+gid+"/members/"+uid+"/$ref", nil); code != 204 {
		t.Fatalf("remove member: %d", code)
	}
	var items []map[string]any
	waitFor(t, "two notifications", func() bool {
		items = nil
		for _, p := range rc.delivered() {
			for _, v := range p.body.Value {
				b, _ := json.Marshal(v)
				var m map[string]any
				_ = json.Unmarshal(b, &m)
				items = append(items, m)
			}
		}
		return len(items) >= 2
	})
	tenant := items[0]["TenantID"]
	for i, removed := range []bool{false, true} {
		delta := map[string]any{"id": uid}
		if removed {
			delta["@removed"] = "deleted"
		}
		want := map[string]any{
			"SubscriptionID": id, "SubscriptionExpirationDateTime": exp, "ChangeType": "updated",
			"Resource": "Groups/" + gid, "ClientState": "s3cret", "TenantID": tenant,
			"ResourceData": map[string]any{"@odata.type": "#Microsoft.Graph.Group", "@odata.id": "Groups/" + gid,
				"id": gid, "organizationId": tenant, "members@delta": []any{delta}},
		}
		if !reflect.DeepEqual(items[i], want) {
			t.Errorf("notification %d:\n%v\nwant\n%v", i, items[i], want)
		}
	}
	if len(items) != 2 || tenant == "" {
		t.Errorf("%d notifications, tenant %v", len(items), tenant)
	}

	// Renewal, then deletion.
	later := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	code, _, renewed := call(t, "PATCH", base+"/v1.0/subscriptions/"+id, map[string]any{"expirationDateTime": later.Format(time.RFC3339)})
	if code != 200 || renewed["expirationDateTime"] != later.Format("2006-01-02T15:04:05.0000000Z") {
		t.Errorf("renew: %d %v", code, renewed)
	}
	if code, _, doc := call(t, "PATCH", base+"/v1.0/subscriptions/"+id, map[string]any{"resource": "users"}); code != 400 ||
		doc["error"].(map[string]any)["message"] != "Property 'resource' is read-only and cannot be set." {
		t.Errorf("patch resource: %d %v", code, doc)
	}
	if code, _, _ := call(t, "DELETE", base+"/v1.0/subscriptions/"+id, nil); code != 204 {
		t.Errorf("delete: %d", code)
	}
	if code, _, _ := call(t, "GET", base+"/v1.0/subscriptions/"+id, nil); code != 404 {
		t.Errorf("get after delete: %d", code)
	}
}

func TestSubscriptionHTTPNeedsFlag(t *testing.T) {
	cfg := hookConfig(t)
	cfg.WebhookAllowHTTP = false
	s := startRun(t, cfg)
	rc := newReceiver(t)
	code, doc := subscribe(t, "http://"+s.addr, map[string]any{"changeType": "created", "notificationUrl": rc.srv.URL,
		"resource": "users", "expirationDateTime": soon()})
	if e, _ := doc["error"].(map[string]any); code != 400 || e["message"] != "The notification URL '"+rc.srv.URL+"' is not valid. It must be an absolute https URL." {
		t.Errorf("http URL without the flag: %d %v", code, doc)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.posts) != 0 {
		t.Errorf("groupd contacted a refused URL")
	}
}
