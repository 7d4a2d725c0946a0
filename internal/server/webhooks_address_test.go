package server

import (
	"net"
	"net/http"
	"reflect"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// countingListener is a port on 127.0.0.1 that counts the connections
// made to it and closes them.
func countingListener(t *testing.T) (port string, accepted *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted = new(atomic.Int32)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port), accepted
}

func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	return port
}

func refusedAddressMessage(url string) string {
	return "Subscription validation request failed. The notification URL '" + url + "' is not at a public address, " +
		"and this server sends notifications to public addresses only. Use a receiver reachable from the internet, " +
		"or ask the server's operator to allow it (groupd serve --webhook-allow-private or --webhook-allow-hosts)."
}

// errorWithoutInner is a Graph error body without innerError's request
// id and date, which differ from call to call.
func errorWithoutInner(doc map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range doc {
		out[k] = v
	}
	if e, ok := doc["error"].(map[string]any); ok {
		c := map[string]any{}
		for k, v := range e {
			if k != "innerError" {
				c[k] = v
			}
		}
		out["error"] = c
	}
	return out
}

// TestSubscriptionPrivateAddressRefused: by default a subscription cannot
// point groupd at loopback, link-local or private addresses, by address
// or by a name that resolves there; the answer is the same whether
// something listens there or not, and nothing is connected to.
func TestSubscriptionPrivateAddressRefused(t *testing.T) {
	cfg := hookConfig(t)
	cfg.WebhookAllowHTTP, cfg.WebhookAllowPrivate = false, false
	s := startRun(t, cfg)
	base := "http://" + s.addr
	open, accepted := countingListener(t)
	closed := closedPort(t)
	var first map[string]any
	for i, url := range []string{
		"https://127.0.0.1:" + open + "/hook",
		"https://127.0.0.1:" + closed + "/hook",
		"https://localhost:" + open + "/hook",
		"https://[::1]:" + open + "/hook",
		"https://169.254.169.254/latest/meta-data/",
		"https://10.0.0.1:" + open + "/hook",
	} {
		code, doc := subscribe(t, base, map[string]any{"changeType": "created", "notificationUrl": url,
			"resource": "users", "expirationDateTime": soon()})
		inner, _ := doc["error"].(map[string]any)["innerError"].(map[string]any)
		want := map[string]any{"error": map[string]any{"code": "ValidationError", "message": refusedAddressMessage(url)}}
		if got := errorWithoutInner(doc); code != http.StatusBadRequest || !reflect.DeepEqual(got, want) || inner["request-id"] == nil {
			t.Errorf("%s: %d %v\nwant 400 %v", url, code, doc, want)
		}
		// Open and closed ports answer alike, but for the URL.
		if i == 0 {
			first = doc
		} else if i == 1 {
			a, b := errorWithoutInner(first), errorWithoutInner(doc)
			a["error"].(map[string]any)["message"] = refusedAddressMessage("")
			b["error"].(map[string]any)["message"] = refusedAddressMessage("")
			if !reflect.DeepEqual(a, b) || len(first["error"].(map[string]any)["innerError"].(map[string]any)) != len(inner) {
				t.Errorf("open and closed ports answer differently:\n%v\n%v", first, doc)
			}
		}
	}
	// So is a lifecycle URL.
	rc := newReceiver(t)
	url := "https://127.0.0.1:" + open + "/lifecycle"
	code, doc := subscribe(t, base, map[string]any{"changeType": "created", "notificationUrl": "https://localhost:" + open + "/hook",
		"lifecycleNotificationUrl": url, "resource": "users", "expirationDateTime": soon()})
	if e, _ := doc["error"].(map[string]any); code != http.StatusBadRequest || e["code"] != "ValidationError" {
		t.Errorf("lifecycle URL: %d %v", code, doc)
	}
	time.Sleep(50 * time.Millisecond)
	if n := accepted.Load(); n != 0 {
		t.Errorf("groupd made %d connections to a refused address", n)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.posts) != 0 {
		t.Errorf("groupd contacted a refused URL")
	}
	if _, _, list := call(t, "GET", base+"/v1.0/subscriptions", nil); len(list["value"].([]any)) != 0 {
		t.Errorf("refused requests stored subscriptions: %v", list)
	}
}

// TestSubscriptionPrivateAddressAllowed: with --webhook-allow-private the
// same URLs are connected to, and a local receiver subscribes; with
// --webhook-allow-hosts only the hosts listed are.
func TestSubscriptionPrivateAddressAllowed(t *testing.T) {
	cfg := hookConfig(t)
	cfg.WebhookAllowHTTP, cfg.WebhookAllowPrivate = false, true
	s := startRun(t, cfg)
	base := "http://" + s.addr
	open, accepted := countingListener(t)
	// The listener does not speak TLS: the handshake is tried and fails.
	code, doc := subscribe(t, base, map[string]any{"changeType": "created", "notificationUrl": "https://127.0.0.1:" + open + "/hook",
		"resource": "users", "expirationDateTime": soon()})
	if e, _ := doc["error"].(map[string]any); code != http.StatusBadRequest || e["code"] != "ValidationError" ||
		e["message"] != "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request." {
		t.Errorf("allowed, no receiver: %d %v", code, doc)
	}
	if accepted.Load() == 0 {
		t.Error("with --webhook-allow-private nothing was connected to")
	}
	s.stop()

	// A working receiver on loopback, by address and by name.
	cfg = hookConfig(t)
	cfg.WebhookAllowPrivate = true
	s = startRun(t, cfg)
	base = "http://" + s.addr
	rc := newReceiver(t)
	port := strconv.Itoa(rc.srv.Listener.Addr().(*net.TCPAddr).Port)
	for _, url := range []string{rc.srv.URL + "/hook", "http://localhost:" + port + "/hook"} {
		if code, doc := subscribe(t, base, map[string]any{"changeType": "created", "notificationUrl": url,
			"resource": "users", "expirationDateTime": soon()}); code != http.StatusCreated {
			t.Errorf("%s with --webhook-allow-private: %d %v", url, code, doc)
		}
	}
	s.stop()

	// Only the host listed.
	cfg = hookConfig(t)
	cfg.WebhookAllowPrivate, cfg.WebhookAllowHosts = false, []string{"localhost"}
	s = startRun(t, cfg)
	base = "http://" + s.addr
	if code, doc := subscribe(t, base, map[string]any{"changeType": "created", "notificationUrl": "http://localhost:" + port + "/hook",
		"resource": "users", "expirationDateTime": soon()}); code != http.StatusCreated {
		t.Errorf("allowed host: %d %v", code, doc)
	}
	url := rc.srv.URL + "/hook"
	code, doc = subscribe(t, base, map[string]any{"changeType": "created", "notificationUrl": url,
		"resource": "users", "expirationDateTime": soon()})
	if e, _ := doc["error"].(map[string]any); code != http.StatusBadRequest || e["message"] != refusedAddressMessage(url) {
		t.Errorf("host not listed: %d %v", code, doc)
	}
}

// TestSubscriptionDeliveryRechecked: the address is checked on every
// connection, not only at the handshake, so a subscription made while
// allowed gets nothing once the server runs without the option (as a
// name rebound to an internal address would).
func TestSubscriptionDeliveryRechecked(t *testing.T) {
	cfg := hookConfig(t)
	cfg.WebhookAllowPrivate = true
	s := startRun(t, cfg)
	base := "http://" + s.addr
	rc := newReceiver(t)
	if code, doc := subscribe(t, base, map[string]any{"changeType": "created", "notificationUrl": rc.srv.URL,
		"resource": "users", "expirationDateTime": soon()}); code != http.StatusCreated {
		t.Fatalf("subscribe: %d %v", code, doc)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	cfg.WebhookAllowPrivate = false
	s = startRun(t, cfg)
	base = "http://" + s.addr
	if code, _, _ := call(t, "POST", base+"/v1.0/users", map[string]any{"displayName": "Una", "mailNickname": "una",
		"userPrincipalName": "una@example.org", "accountEnabled": true, "passwordProfile": map[string]any{"password": "Passw0rd!x"}}); code != http.StatusCreated {
		t.Fatalf("create user: %d", code)
	}
	// hookConfig drops a subscription after 4 failures, 50–200 ms apart.
	waitFor(t, "the subscription dropped", func() bool {
		_, _, list := call(t, "GET", base+"/v1.0/subscriptions", nil)
		return len(list["value"].([]any)) == 0
	})
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.posts) != 0 {
		t.Errorf("%d notifications delivered to a refused address", len(rc.posts))
	}
}
