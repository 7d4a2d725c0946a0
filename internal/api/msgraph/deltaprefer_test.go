package msgraph_test

import (
	"encoding/json"
	"net/http"
	"testing"
)

// TestDeltaPageSizePreference: an honoured odata.maxpagesize is echoed in
// Preference-Applied; a value that is no positive integer is ignored
// (RFC 7240), giving the default page and no Preference-Applied.
func TestDeltaPageSizePreference(t *testing.T) {
	e := newEnv(t)
	e.user("ann")
	e.user("bob")
	page := func(prefer string) (*resp, int) {
		t.Helper()
		var opts []reqOpt
		if prefer != "" {
			opts = append(opts, header("Prefer", prefer))
		}
		r := e.do("GET", "/users/delta?$select=displayName", nil, opts...).want(t, http.StatusOK)
		var p struct{ Value []json.RawMessage }
		if err := json.Unmarshal(r.body, &p); err != nil {
			t.Fatal(err)
		}
		return r, len(p.Value)
	}
	for _, tc := range []struct {
		prefer, applied string
		items           int
	}{
		{"odata.maxpagesize=1", "odata.maxpagesize=1", 1},
		{"return=minimal, Odata.MaxPageSize = \"2\"", "odata.maxpagesize=2", 2},
		{"maxpagesize=1", "odata.maxpagesize=1", 1},
		{"odata.maxpagesize=0", "", 3},
		{"odata.maxpagesize=abc", "", 3},
		{"odata.maxpagesize=-4", "", 3},
		{"odata.maxpagesize", "", 3},
		{"", "", 3},
	} {
		r, n := page(tc.prefer)
		if got := r.h.Values("Preference-Applied"); (tc.applied == "" && len(got) != 0) || (tc.applied != "" && (len(got) != 1 || got[0] != tc.applied)) {
			t.Errorf("Prefer %q: Preference-Applied %q, want %q", tc.prefer, got, tc.applied)
		}
		if n != tc.items {
			t.Errorf("Prefer %q: %d users on the first page, want %d", tc.prefer, n, tc.items)
		}
	}
}
