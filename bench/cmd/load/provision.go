package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"path/filepath"
	"strings"
)

// provisionUsers is how many users each provisioning call names: 2 owners
// and 100 members, as DESIGN.md's target says.
const provisionUsers = 102

// provisioning is what the ProvisionGroup runs send: an app's token (the
// API takes no Basic credentials) and the names of its owners and members,
// JSON-encoded once, or the pool each call draws them from.
type provisioning struct {
	auth    string
	owners  []byte
	members []byte
	pool    []string // JSON-quoted names; when set, each call draws its own
	tag     string   // makes every run's names new, also on a reused directory
}

// prepareProvisioning registers an application allowed to create groups
// and read users, and picks the users the calls name from the users the
// member adds may add, which the transitive reads never ask about, so
// that provisioning does not grow the answers the reads measure: the
// last 102 of them for every call, or with random all of them, each call
// drawing its own 102.
func prepareProvisioning(ctx context.Context, o options, addr, dataDir string, set opSet) (provisioning, error) {
	if len(set.addUsers) < provisionUsers {
		return provisioning{}, fmt.Errorf("provisioning needs %d users besides the %d the reads use; the directory has %d more",
			provisionUsers, len(set.users), len(set.addUsers))
	}
	ids := set.addUsers[len(set.addUsers)-provisionUsers:]
	if o.provisionRandom {
		ids = set.addUsers
	}
	upns := make([]string, len(ids))
	for i, id := range ids {
		if upns[i] = set.upns[id]; upns[i] == "" {
			return provisioning{}, fmt.Errorf("user %s: no userPrincipalName in the user list", id)
		}
	}
	token, err := bearerAuth(ctx, o, addr, filepath.Join(dataDir, "data"), "bench provisioning", "Group.Create", "User.Read.All")
	if err != nil {
		return provisioning{}, fmt.Errorf("provisioning token: %w", err)
	}
	p := provisioning{auth: token, tag: rand.Text()[:6]}
	if o.provisionRandom {
		for _, u := range upns {
			q, _ := json.Marshal(u)
			p.pool = append(p.pool, string(q))
		}
		return p, nil
	}
	p.owners, _ = json.Marshal(upns[:2])
	p.members, _ = json.Marshal(upns[2:])
	return p, nil
}

// call returns worker w's n-th ProvisionGroup request of run (round): a
// new private Microsoft 365 group, with its team every other call, as the
// in-process benchmark sends (internal/api/provision).
func (p provisioning) call(s opSet, run int) requests {
	s.auth = p.auth
	return func(w, n int) []byte {
		name := fmt.Sprintf("bench-%s-%d-%d-%d", p.tag, run, w, n)
		owners, members := p.owners, p.members
		if p.pool != nil {
			owners, members = p.draw()
		}
		body := `{"displayName":"` + name + `","mailNickname":"` + name + `","ownerUPNs":` + string(owners) +
			`,"memberUPNs":` + string(members) + `,"visibility":"Private","createTeam":` + fmt.Sprint(n%2 == 0) + `}`
		return s.head("POST", "/api/ProvisionGroup", []byte(body))
	}
}

// draw picks provisionUsers distinct users of the pool at random and
// returns the first 2 as owners and the rest as members, JSON arrays.
func (p provisioning) draw() (owners, members []byte) {
	picked := make(map[int]bool, provisionUsers)
	names := make([]string, 0, provisionUsers)
	for len(names) < provisionUsers {
		i := mrand.IntN(len(p.pool))
		if !picked[i] {
			picked[i] = true
			names = append(names, p.pool[i])
		}
	}
	return []byte("[" + strings.Join(names[:2], ",") + "]"), []byte("[" + strings.Join(names[2:], ",") + "]")
}
