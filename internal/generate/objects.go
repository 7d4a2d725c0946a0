package generate

import (
	"fmt"
	"math/rand/v2"
	"time"

	"groupd/internal/directory"
)

// Made-up words, so that $search and displayName filters find realistic
// numbers of matches.
var (
	givenNames = []string{"Ada", "Bram", "Chiara", "Dmitri", "Elif", "Femi", "Greta", "Hiro",
		"Ines", "Jonas", "Kemal", "Lena", "Mateo", "Noor", "Oskar", "Priya", "Quentin", "Rosa",
		"Sven", "Tariq", "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoe"}
	surnames = []string{"Alder", "Birch", "Cedar", "Dogwood", "Elm", "Fir", "Ginkgo", "Hazel",
		"Ivy", "Juniper", "Kapok", "Larch", "Maple", "Nutmeg", "Oak", "Poplar", "Quince",
		"Rowan", "Spruce", "Teak", "Upas", "Willow", "Yew", "Zelkova"}
	teams = []string{"Finance", "Research", "Sales", "Support", "Legal", "Design", "Platform",
		"Security", "Payroll", "Logistics", "Marketing", "Facilities", "Data", "Mobile", "Web"}
	kinds = []string{"Readers", "Editors", "Admins", "Owners", "Reviewers", "Operators", "Guests"}
)

func pick(rng *rand.Rand, words []string) string { return words[rng.IntN(len(words))] }

// newUser is the i-th user. It has no password: generated users exist to
// be looked up and grouped, not to sign in.
func newUser(id directory.ObjectID, i int, domain string, rng *rand.Rand, now time.Time) directory.User {
	given, sur := pick(rng, givenNames), pick(rng, surnames)
	nick := fmt.Sprintf("user%07d", i+1)
	upn := nick + "@" + domain
	return directory.User{
		ID: id, DisplayName: given + " " + sur, GivenName: given, Surname: sur,
		UserPrincipalName: upn, MailNickname: nick, Mail: upn, AccountEnabled: true,
		Department: pick(rng, teams), CreatedAt: now,
	}
}

// newSecurity is the i-th group as a security group; as created through
// the API, its mailNickname needs not be unique, but it is here anyway.
func newSecurity(id directory.ObjectID, i int, rng *rand.Rand, now time.Time) directory.Group {
	team := pick(rng, teams)
	return directory.Group{
		ID: id, DisplayName: fmt.Sprintf("%s %s %05d", team, pick(rng, kinds), i+1),
		Description: "Access group of " + team, MailNickname: fmt.Sprintf("sg%05d", i+1),
		SecurityEnabled: true, GroupTypes: []string{}, SecurityIdentifier: directory.SecurityIdentifier(id),
		CreatedAt: now, RenewedAt: now,
	}
}

// newUnified is the i-th group as a Microsoft 365 group, with the mail
// address and proxy address CreateGroup derives from its mailNickname.
func newUnified(id directory.ObjectID, i int, domain string, rng *rand.Rand, now time.Time) directory.Group {
	team := pick(rng, teams)
	nick := fmt.Sprintf("team%05d", i+1)
	mail := nick + "@" + domain
	return directory.Group{
		ID: id, DisplayName: fmt.Sprintf("%s team %05d", team, i+1), Description: "Team site of " + team,
		MailNickname: nick, MailEnabled: true, GroupTypes: []string{directory.GroupTypeUnified},
		Visibility: directory.VisibilityPublic, Mail: mail, ProxyAddresses: []string{"SMTP:" + mail},
		SecurityIdentifier: directory.SecurityIdentifier(id), CreatedAt: now, RenewedAt: now,
	}
}
