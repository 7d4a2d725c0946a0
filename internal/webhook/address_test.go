package webhook

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"groupd/internal/directory"
)

func TestPublic(t *testing.T) {
	for _, tc := range []struct {
		addr   string
		public bool
	}{
		// Public.
		{"8.8.8.8", true},
		{"1.1.1.1", true},
		{"20.190.128.1", true},
		{"100.63.255.255", true},
		{"100.128.0.0", true},
		{"172.15.255.255", true},
		{"172.32.0.0", true},
		{"192.0.1.1", true},
		{"223.255.255.254", true},
		{"2001:4860:4860::8888", true},
		{"2606:4700:4700::1111", true},
		{"::ffff:8.8.8.8", true},
		{"64:ff9b::808:808", true}, // NAT64 of 8.8.8.8
		{"2002:808:808::1", true},  // 6to4 of 8.8.8.8
		// Unspecified and "this network".
		{"0.0.0.0", false},
		{"0.1.2.3", false},
		{"::", false},
		// Loopback.
		{"127.0.0.1", false},
		{"127.255.255.254", false},
		{"::1", false},
		{"::ffff:127.0.0.1", false},
		// Private.
		{"10.0.0.1", false},
		{"172.16.0.1", false},
		{"172.31.255.255", false},
		{"192.168.1.1", false},
		{"fc00::1", false},
		{"fd12:3456:789a::1", false},
		{"::ffff:10.1.2.3", false},
		// Link-local, with the cloud metadata services.
		{"169.254.169.254", false},
		{"169.254.0.1", false},
		{"::ffff:169.254.169.254", false},
		{"fe80::1", false},
		{"fe80::1%eth0", false},
		{"fd00:ec2::254", false}, // AWS metadata over IPv6
		// Shared address space (CGNAT).
		{"100.64.0.1", false},
		{"100.127.255.255", false},
		// Multicast and broadcast.
		{"224.0.0.1", false},
		{"239.255.255.250", false},
		{"255.255.255.255", false},
		{"ff02::1", false},
		{"ff0e::1", false},
		// Other special-purpose ranges.
		{"192.0.0.8", false},
		{"192.0.2.1", false},
		{"198.18.0.1", false},
		{"198.51.100.1", false},
		{"203.0.113.1", false},
		{"240.0.0.1", false},
		{"2001:db8::1", false},
		{"2001::1", false},
		{"3fff::1", false},
		{"fec0::1", false},
		{"100::1", false},
		{"::127.0.0.1", false},        // IPv4-compatible
		{"64:ff9b::7f00:1", false},    // NAT64 of 127.0.0.1
		{"64:ff9b::a9fe:a9fe", false}, // NAT64 of 169.254.169.254
		{"64:ff9b:1::a00:1", false},   // local-use NAT64
		{"2002:a9fe:a9fe::1", false},  // 6to4 of 169.254.169.254
		{"2002:7f00:1::1", false},     // 6to4 of 127.0.0.1
		{"::ffff:0:7f00:1", false},    // IPv4-translated
		{"4000::1", false},            // not global unicast
		{"64:ff9b::ffff:ffff", false}, // NAT64 of the broadcast
	} {
		a := netip.MustParseAddr(tc.addr)
		if got := Public(a); got != tc.public {
			t.Errorf("Public(%s) = %v, want %v", tc.addr, got, tc.public)
		}
	}
	if Public(netip.Addr{}) {
		t.Error("the zero Addr is public")
	}
}

func TestPolicyControl(t *testing.T) {
	for _, tc := range []struct {
		policy  Policy
		address string
		ok      bool
	}{
		{Policy{}, "8.8.8.8:443", true},
		{Policy{}, "[2001:4860:4860::8888]:443", true},
		{Policy{}, "127.0.0.1:443", false},
		{Policy{}, "[::1]:443", false},
		{Policy{}, "[::ffff:127.0.0.1]:443", false},
		{Policy{}, "169.254.169.254:80", false},
		{Policy{}, "[fe80::1%eth0]:80", false},
		{Policy{}, "not-an-address", false},
		{Policy{AllowPrivate: true}, "127.0.0.1:443", true},
		{Policy{AllowPrivate: true}, "169.254.169.254:80", true},
		{Policy{AllowHosts: []string{"10.1.0.0/16"}}, "10.1.2.3:443", true},
		{Policy{AllowHosts: []string{"10.1.0.0/16"}}, "10.2.0.1:443", false},
		{Policy{AllowHosts: []string{"10.1.2.3"}}, "10.1.2.3:443", true},
		{Policy{AllowHosts: []string{"10.1.2.3"}}, "[::ffff:10.1.2.3]:443", true},
		{Policy{AllowHosts: []string{"10.1.2.3"}}, "10.1.2.4:443", false},
		{Policy{AllowHosts: []string{"[fd00::1]"}}, "[fd00::1]:443", true},
		{Policy{AllowHosts: []string{"fd00::/8"}}, "[fd12::1]:443", true},
		{Policy{AllowHosts: []string{"hooks.internal"}}, "10.1.2.3:443", false}, // a name allows by name only
	} {
		g, err := newGuard(tc.policy)
		if err != nil {
			t.Fatal(err)
		}
		err = g.control("tcp", tc.address, nil)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrAddressNotAllowed)) {
			t.Errorf("%+v %s: %v, want allowed %v", tc.policy, tc.address, err, tc.ok)
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "http://x", "host:443", "a b"} {
		if err := CheckPolicy(Policy{AllowHosts: []string{bad}}); err == nil {
			t.Errorf("AllowHosts %q accepted", bad)
		}
	}
	if err := CheckPolicy(Policy{AllowHosts: []string{"Hooks.Example.", "10.0.0.0/8", "::1", ""}}); err != nil {
		t.Error(err)
	}
}

// listener counts the connections made to a loopback port.
func listener(t *testing.T) (net.Listener, *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return ln, &n
}

// TestValidatorRefusesPrivate: by default the handshake connects nowhere
// non-public, named by address or by a name that resolves there, and
// says so the same way whether a port is open or closed.
func TestValidatorRefusesPrivate(t *testing.T) {
	ln, accepted := listener(t)
	port := ln.Addr().(*net.TCPAddr).Port
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedPort := closed.Addr().(*net.TCPAddr).Port
	closed.Close()
	v := &Validator{Timeout: 2 * time.Second}
	for _, u := range []string{
		"https://127.0.0.1:" + strconv.Itoa(port) + "/hook",
		"http://127.0.0.1:" + strconv.Itoa(port) + "/hook",
		"https://127.0.0.1:" + strconv.Itoa(closedPort) + "/hook",
		"https://localhost:" + strconv.Itoa(port) + "/hook",
		"https://[::1]:" + strconv.Itoa(port) + "/hook",
		"https://[::ffff:127.0.0.1]:" + strconv.Itoa(port) + "/hook",
		"http://169.254.169.254/latest/meta-data/",
		"https://10.255.255.1/hook",
		"https://0.0.0.0:" + strconv.Itoa(port) + "/hook",
	} {
		err := v.Validate(context.Background(), u)
		var se *directory.SubscriptionError
		if !errors.As(err, &se) || se.Problem != SubAddressNotAllowed || se.Value != u || !errors.Is(err, directory.ErrInvalid) {
			t.Errorf("%s: %v, want %s", u, err, SubAddressNotAllowed)
		}
	}
	time.Sleep(50 * time.Millisecond)
	if n := accepted.Load(); n != 0 {
		t.Errorf("%d connections made to a refused address", n)
	}
}

// TestValidatorAllowed: the opt-ins let the handshake reach a local
// receiver, by any address or by the hosts listed.
func TestValidatorAllowed(t *testing.T) {
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.URL.Query().Get("validationToken"))
	}))
	defer echo.Close()
	port := echo.Listener.Addr().(*net.TCPAddr).Port
	byName := "http://localhost:" + strconv.Itoa(port) + "/hook"
	byAddr := echo.URL + "/hook"
	for _, tc := range []struct {
		policy      Policy
		name, addr  bool // byName, byAddr allowed
		description string
	}{
		{Policy{AllowPrivate: true}, true, true, "allow private"},
		{Policy{AllowHosts: []string{"localhost"}}, true, false, "allow the name"},
		{Policy{AllowHosts: []string{"127.0.0.1", "::1"}}, true, true, "allow the addresses"},
		{Policy{AllowHosts: []string{"127.0.0.0/8", "::1/128"}}, true, true, "allow the prefixes"},
		{Policy{AllowHosts: []string{"10.0.0.0/8"}}, false, false, "allow others"},
	} {
		v := &Validator{Timeout: 2 * time.Second, Policy: tc.policy}
		for u, want := range map[string]bool{byName: tc.name, byAddr: tc.addr} {
			err := v.Validate(context.Background(), u)
			if want && err != nil || !want && !errors.Is(err, directory.ErrInvalid) {
				t.Errorf("%s: %s: %v, want allowed %v", tc.description, u, err, want)
			}
		}
	}
}

// TestClientRefusesPrivate: notifications go out with the same check, and
// a redirect is not followed (not even to a public address).
func TestClientRefusesPrivate(t *testing.T) {
	ln, accepted := listener(t)
	c := Config{}.withDefaults().Client
	res, err := c.Post("http://"+ln.Addr().String()+"/hook", "application/json", bytes.NewReader([]byte("{}")))
	if err == nil {
		res.Body.Close()
	}
	if !errors.Is(err, ErrAddressNotAllowed) || accepted.Load() != 0 {
		t.Errorf("delivery to loopback: %v, %d connections", err, accepted.Load())
	}
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://"+ln.Addr().String()+"/", http.StatusTemporaryRedirect)
	}))
	defer redirect.Close()
	c = Config{Policy: Policy{AllowPrivate: true}}.withDefaults().Client
	res, err = c.Post(redirect.URL, "application/json", bytes.NewReader([]byte("{}")))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusTemporaryRedirect || accepted.Load() != 0 {
		t.Errorf("redirect: %d, %d connections to its target", res.StatusCode, accepted.Load())
	}
}
