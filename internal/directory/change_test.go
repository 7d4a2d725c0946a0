package directory_test

import (
	"testing"
	"time"

	"groupd/internal/directory"
)

// TestChangeSameOrigin: rows share their origin only when tenant, actor,
// request, client and time are all equal; what they change does not count,
// and the same instant in another location is the same time.
func TestChangeSameOrigin(t *testing.T) {
	at := time.Date(2026, 12, 6, 12, 0, 0, 123000, time.UTC)
	base := directory.Change{TenantID: "t", ObjectID: "g", ObjectKind: directory.KindGroup, Op: directory.OpMemberAdded,
		RelatedID: "u", RelatedKind: directory.KindUser, Actor: directory.Actor{Kind: directory.ActorUser, ID: "a", Name: "admin"},
		RequestID: "r", ClientAddr: "192.0.2.1:1", At: at}
	other := func(f func(*directory.Change)) directory.Change {
		c := base
		f(&c)
		return c
	}
	cases := []struct {
		name string
		c    directory.Change
		same bool
	}{
		{"another object and operation", other(func(c *directory.Change) {
			c.ObjectID, c.Op, c.RelatedID, c.Properties = "h", directory.OpOwnerAdded, "v", []string{"x"}
		}), true},
		{"the same instant elsewhere", other(func(c *directory.Change) { c.At = at.In(time.FixedZone("X", 3600)) }), true},
		{"another tenant", other(func(c *directory.Change) { c.TenantID = "t2" }), false},
		{"another actor kind", other(func(c *directory.Change) { c.Actor.Kind = directory.ActorApp }), false},
		{"another actor id", other(func(c *directory.Change) { c.Actor.ID = "b" }), false},
		{"another actor name", other(func(c *directory.Change) { c.Actor.Name = "root" }), false},
		{"another request", other(func(c *directory.Change) { c.RequestID = "r2" }), false},
		{"another client", other(func(c *directory.Change) { c.ClientAddr = "192.0.2.2:1" }), false},
		{"another time", other(func(c *directory.Change) { c.At = at.Add(time.Microsecond) }), false},
	}
	for _, tc := range cases {
		if got := tc.c.SameOrigin(base); got != tc.same {
			t.Errorf("%s: SameOrigin = %v, want %v", tc.name, got, tc.same)
		}
	}
}
