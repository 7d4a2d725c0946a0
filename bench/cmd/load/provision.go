package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
)

// provisionUsers is how many users each provisioning call names: 2 owners
// and 100 members, as DESIGN.md's target says.
const provisionUsers = 102

// provisioning is what the ProvisionGroup runs send: an app's token (the
// API takes no Basic credentials) and the names of its owners and members,
// JSON-encoded once.
type provisioning struct {
	auth    string
	owners  []byte
	members []byte
	tag     string // makes every run's names new, also on a reused directory
}

// prepareProvisioning registers an application allowed to create groups
// and read users, and picks the users the calls name: the last of the
// users the member adds may add, which the transitive reads never ask
// about, so that provisioning does not grow the answers the reads measure.
func prepareProvisioning(ctx context.Context, o options, addr, auth, dataDir string, set opSet) (provisioning, error) {
	if len(set.addUsers) < provisionUsers {
		return provisioning{}, fmt.Errorf("provisioning needs %d users besides the %d the reads use; the directory has %d more",
			provisionUsers, len(set.users), len(set.addUsers))
	}
	ids := set.addUsers[len(set.addUsers)-provisionUsers:]
	upns := make([]string, len(ids))
	for i, id := range ids {
		b, err := call(http.MethodGet, "http://"+addr+"/v1.0/users/"+url.PathEscape(id)+"?$select=userPrincipalName", auth, nil, http.StatusOK)
		if err != nil {
			return provisioning{}, err
		}
		var u struct {
			UPN string `json:"userPrincipalName"`
		}
		if err := json.Unmarshal(b, &u); err != nil || u.UPN == "" {
			return provisioning{}, fmt.Errorf("user %s: no userPrincipalName in %s", id, b)
		}
		upns[i] = u.UPN
	}
	token, err := bearerAuth(ctx, o, addr, filepath.Join(dataDir, "data"), "bench provisioning", "Group.Create", "User.Read.All")
	if err != nil {
		return provisioning{}, fmt.Errorf("provisioning token: %w", err)
	}
	owners, _ := json.Marshal(upns[:2])
	members, _ := json.Marshal(upns[2:])
	return provisioning{auth: token, owners: owners, members: members, tag: rand.Text()[:6]}, nil
}

// call returns worker w's n-th ProvisionGroup request of run (round): a
// new private Microsoft 365 group, with its team every other call, as the
// in-process benchmark sends (internal/api/provision).
func (p provisioning) call(s opSet, run int) requests {
	s.auth = p.auth
	return func(w, n int) []byte {
		name := fmt.Sprintf("bench-%s-%d-%d-%d", p.tag, run, w, n)
		body := `{"displayName":"` + name + `","mailNickname":"` + name + `","ownerUPNs":` + string(p.owners) +
			`,"memberUPNs":` + string(p.members) + `,"visibility":"Private","createTeam":` + fmt.Sprint(n%2 == 0) + `}`
		return s.head("POST", "/api/ProvisionGroup", []byte(body))
	}
}
