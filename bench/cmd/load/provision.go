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

// The names of the provisioning rows: the one with the same users in every
// call, and the same with randomUsers appended.
const (
	provisionRow = "POST /api/ProvisionGroup"
	randomUsers  = ", random users"
)

// provisioning is what the ProvisionGroup runs send: an app's token (the
// API takes no Basic credentials), the names of the owners and members
// every call of the DESIGN.md row names, JSON-encoded once, and the pool
// each call of the random-user row draws its own from.
type provisioning struct {
	auth    string
	owners  []byte
	members []byte
	pool    []string // JSON-quoted names
	tag     string   // makes every run's names new, also on a reused directory
}

// prepareProvisioning registers an application allowed to create groups
// and read users, and picks the users the calls name from the users the
// member adds may add, which the transitive reads never ask about, so
// that provisioning does not grow the answers the reads measure: the
// last 102 of them for every call of one row, all of them as the pool of
// the random-user row.
func prepareProvisioning(ctx context.Context, o options, addr, dataDir string, set opSet) (provisioning, error) {
	if len(set.addUsers) < provisionUsers {
		return provisioning{}, fmt.Errorf("provisioning needs %d users besides the %d the reads use; the directory has %d more",
			provisionUsers, len(set.users), len(set.addUsers))
	}
	upns := make([]string, len(set.addUsers))
	for i, id := range set.addUsers {
		if upns[i] = set.upns[id]; upns[i] == "" {
			return provisioning{}, fmt.Errorf("user %s: no userPrincipalName in the user list", id)
		}
	}
	token, err := bearerAuth(ctx, o, addr, filepath.Join(dataDir, "data"), "bench provisioning", "Group.Create", "User.Read.All")
	if err != nil {
		return provisioning{}, fmt.Errorf("provisioning token: %w", err)
	}
	p := provisioning{auth: token, tag: rand.Text()[:6]}
	for _, u := range upns {
		q, _ := json.Marshal(u)
		p.pool = append(p.pool, string(q))
	}
	fixed := upns[len(upns)-provisionUsers:]
	p.owners, _ = json.Marshal(fixed[:2])
	p.members, _ = json.Marshal(fixed[2:])
	return p, nil
}

// call returns worker w's n-th ProvisionGroup request of run (round): a
// new private Microsoft 365 group, with its team every other call, as the
// in-process benchmark sends (internal/api/provision); with random, its
// owners and members drawn from the pool.
func (p provisioning) call(s opSet, run int, random bool) requests {
	s.auth = p.auth
	row := "s"
	if random {
		row = "r"
	}
	return func(w, n int) []byte {
		name := fmt.Sprintf("bench-%s-%s%d-%d-%d", p.tag, row, run, w, n)
		owners, members := p.owners, p.members
		if random {
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
