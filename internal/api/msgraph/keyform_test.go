package msgraph

import "testing"

func TestKeyForm(t *testing.T) {
	for _, tc := range []struct {
		seg, name, key string
		ok             bool
	}{
		{"users('alice@example.org')", "users", "alice@example.org", true},
		{"users(%27alice%40example.org%27)", "users", "alice@example.org", true},
		{"users('o''neil@example.org')", "users", "o'neil@example.org", true},
		{"users('$admin@example.org')", "users", "$admin@example.org", true},
		{"users('a'b')", "", "", false},
		{"users('')", "", "", false},
		{"('x')", "", "", false},
		{"delta()", "", "", false},
		{"users(alice)", "", "", false},
	} {
		name, key, ok := keyForm(tc.seg)
		if name != tc.name || key != tc.key || ok != tc.ok {
			t.Errorf("keyForm(%q) = %q, %q, %v; want %q, %q, %v", tc.seg, name, key, ok, tc.name, tc.key, tc.ok)
		}
	}
}
