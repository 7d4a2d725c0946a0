package auth_test

import (
	"testing"

	"groupd/internal/auth"
	"groupd/internal/directory"
)

// TestAllowedFor: members read the directory, guests only themselves;
// the self permission holds for a user's own id or name alone, and never
// for an application.
func TestAllowedFor(t *testing.T) {
	member := auth.Principal{Kind: directory.ActorUser, ID: "u1", Name: "ann@example.org"}
	guest := auth.Principal{Kind: directory.ActorUser, ID: "g1", Name: "gus@example.org", IsGuest: true}
	guestAdmin := guest
	guestAdmin.IsAdmin = true
	app := auth.Principal{Kind: directory.ActorApp, ID: "g1", Roles: []directory.Permission{directory.PermGroupReadAll}}
	for _, c := range []struct {
		name    string
		p       auth.Principal
		need    auth.Need
		subject string
		want    bool
	}{
		{"member reads users", member, auth.NeedUserRead, "", true},
		{"member reads another user", member, auth.NeedUserReadSelf, "u2", true},
		{"guest lists users", guest, auth.NeedUserRead, "", false},
		{"guest reads another user", guest, auth.NeedUserReadSelf, "u1", false},
		{"guest reads itself by id", guest, auth.NeedUserReadSelf, "g1", true},
		{"guest reads itself by name", guest, auth.NeedUserReadSelf, "GUS@example.org", true},
		{"guest reads its memberships", guest, auth.NeedUserMemberOfSelf, "g1", true},
		{"guest reads a group", guest, auth.NeedGroupRead, "", false},
		{"guest itself, without the self variant", guest, auth.NeedUserRead, "g1", false},
		{"guest administrator", guestAdmin, auth.NeedUserRead, "", true},
		{"application is never self", app, auth.NeedUserMemberOfSelf, "g1", false},
		{"application with its roles", app, auth.NeedGroupRead, "", true},
	} {
		if got := c.p.AllowedFor(c.need, c.subject); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
