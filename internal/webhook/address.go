package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"

	"groupd/internal/directory"
)

// A subscriber chooses where groupd sends requests. Microsoft Graph sends
// them from the internet, so it can never reach a tenant's internal
// addresses; groupd runs inside a network, so without a check a client
// with a read permission could have it open connections to the loopback
// interface, the cloud metadata service or private hosts, and tell open
// ports from closed ones by the answer. The check is made on the address
// each connection is about to be made to, after name resolution, so a
// name that resolves (or is rebound) to an internal address is refused
// like the address itself; redirects are never followed.

// Policy is where webhook requests may connect. The zero Policy allows
// public addresses only (Public).
type Policy struct {
	// AllowPrivate allows every address: loopback, private, link-local
	// and the other non-public ones too (receivers on the server's own
	// network).
	AllowPrivate bool
	// AllowHosts are allowed whatever they resolve to: host names (as in
	// the URL, case-insensitive), IP addresses or CIDR prefixes
	// ("10.1.0.0/16"), which allow a connection to an address in them.
	AllowHosts []string
}

// ErrAddressNotAllowed is what a connection to an address the Policy
// refuses fails with (errors.Is).
var ErrAddressNotAllowed = errors.New("webhook: address not allowed")

// SubAddressNotAllowed is the problem Validator.Validate reports when the
// notification URL's host is at an address the Policy refuses. It is the
// same whether anything listens there or not: no connection was opened.
const SubAddressNotAllowed directory.SubscriptionProblem = "notificationUrlAddress"

// addressError is a refused connection; the address is for the server's
// log, not for the subscriber.
type addressError struct{ addr netip.Addr }

func (e *addressError) Error() string {
	return fmt.Sprintf("webhook: connecting to %s is not allowed: not a public address (see --webhook-allow-private)", e.addr)
}

func (e *addressError) Is(target error) bool { return target == ErrAddressNotAllowed }

// CheckPolicy reports whether the policy's AllowHosts are well formed.
func CheckPolicy(p Policy) error {
	_, err := newGuard(p)
	return err
}

// NewClient returns the client webhook requests go out with: it connects
// only to addresses p allows, checked as each connection is dialled, uses
// no proxy (a proxy would connect for it, unchecked) and follows no
// redirects (a receiver must answer itself). It panics if p.AllowHosts
// is malformed; CheckPolicy tells beforehand.
func NewClient(p Policy) *http.Client {
	g, err := newGuard(p)
	if err != nil {
		panic(err)
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = g.dial
	t.DialTLSContext = nil
	return &http.Client{Transport: t, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

type guard struct {
	all      bool
	names    map[string]bool
	prefixes []netip.Prefix
}

func newGuard(p Policy) (*guard, error) {
	g := &guard{all: p.AllowPrivate, names: map[string]bool{}}
	for _, h := range p.AllowHosts {
		h = strings.TrimSpace(h)
		switch {
		case h == "":
		case strings.Contains(h, "/"):
			pre, err := netip.ParsePrefix(h)
			if err != nil {
				return nil, fmt.Errorf("%q: %v", h, err)
			}
			g.prefixes = append(g.prefixes, pre.Masked())
		default:
			if a, err := netip.ParseAddr(strings.Trim(h, "[]")); err == nil {
				a = a.Unmap()
				g.prefixes = append(g.prefixes, netip.PrefixFrom(a, a.BitLen()))
				continue
			}
			if strings.ContainsAny(h, ":@?# ") {
				return nil, fmt.Errorf("%q: want a host name, an IP address or a CIDR prefix", h)
			}
			g.names[hostKey(h)] = true
		}
	}
	return g, nil
}

func hostKey(h string) string { return strings.TrimSuffix(strings.ToLower(h), ".") }

// dial connects as http.DefaultTransport does, checking the address of
// every attempt unless the URL named an allowed host.
func (g *guard) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: g.control}
	if host, _, err := net.SplitHostPort(addr); err == nil && g.names[hostKey(host)] {
		d.Control = nil
	}
	return d.DialContext(ctx, network, addr)
}

// control runs after the name is resolved and before the connection is
// made, with the address it is made to.
func (g *guard) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: unexpected address %q", ErrAddressNotAllowed, address)
	}
	a := ap.Addr().Unmap()
	if g.all || Public(a) {
		return nil
	}
	for _, p := range g.prefixes {
		if p.Contains(a.WithZone("")) {
			return nil
		}
	}
	return &addressError{addr: a}
}

// Public reports whether a is a public (globally reachable) unicast
// address: not unspecified, loopback, private (RFC 1918, fc00::/7),
// link-local (169.254.0.0/16 with the metadata services on
// 169.254.169.254, fe80::/10), multicast, shared (CGNAT, 100.64.0.0/10)
// or another range the IANA special-purpose registries mark as not
// globally reachable. IPv4-mapped IPv6 addresses and those of the NAT64
// and 6to4 prefixes are judged by the IPv4 address they carry; other IPv6
// addresses must be global unicast (2000::/3).
func Public(a netip.Addr) bool {
	a = a.WithZone("").Unmap()
	if !a.IsValid() || a.IsUnspecified() || a.IsLoopback() || a.IsPrivate() || a.IsMulticast() ||
		a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast() {
		return false
	}
	if a.Is4() {
		for _, p := range nonPublic4 {
			if p.Contains(a) {
				return false
			}
		}
		return true
	}
	b := a.As16()
	switch {
	case nat64.Contains(a):
		return Public(netip.AddrFrom4([4]byte(b[12:16])))
	case sixToFour.Contains(a):
		return Public(netip.AddrFrom4([4]byte(b[2:6])))
	case !global6.Contains(a):
		return false
	}
	for _, p := range nonPublic6 {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

var (
	nonPublic4 = prefixes(
		"0.0.0.0/8",          // "this network"
		"10.0.0.0/8",         // private
		"100.64.0.0/10",      // shared address space (CGNAT)
		"127.0.0.0/8",        // loopback
		"169.254.0.0/16",     // link-local, cloud metadata
		"172.16.0.0/12",      // private
		"192.0.0.0/24",       // IETF protocol assignments
		"192.0.2.0/24",       // documentation
		"192.88.99.0/24",     // 6to4 relay anycast (deprecated)
		"192.168.0.0/16",     // private
		"198.18.0.0/15",      // benchmarking
		"198.51.100.0/24",    // documentation
		"203.0.113.0/24",     // documentation
		"224.0.0.0/4",        // multicast
		"240.0.0.0/4",        // reserved, broadcast
		"255.255.255.255/32", // broadcast
	)
	nonPublic6 = prefixes(
		"2001::/23",     // IETF protocol assignments (Teredo, ORCHID, …)
		"2001:db8::/32", // documentation
		"3fff::/20",     // documentation
	)
	global6   = netip.MustParsePrefix("2000::/3")
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

func prefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}
