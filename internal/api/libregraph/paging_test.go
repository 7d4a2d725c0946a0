package libregraph_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestWholeLists checks that LibreGraph answers lists whole: more groups
// than one internal page, and more members than Microsoft Graph's 20-item
// $expand cap, everywhere members are shown.
func TestWholeLists(t *testing.T) {
	e := newEnv(t)
	const nGroups, nUsers = 205, 25
	var first string
	for i := 0; i < nGroups; i++ {
		id := e.created(e.do("POST", "/groups", fmt.Sprintf(`{"displayName":"g%03d"}`, i)), "groups")
		if i == 0 {
			first = id
		}
	}
	var members []string
	var urls []string
	for i := 0; i < nUsers; i++ {
		login := fmt.Sprintf("u%02d", i)
		r := e.do("POST", "/users", fmt.Sprintf(`{"displayName":%q,"onPremisesSamAccountName":%q}`, login, login))
		id := e.created(r, "users")
		members = append(members, fmt.Sprintf(`{"displayName":%q,"id":%q,"onPremisesSamAccountName":%q}`, login, id, login))
		urls = append(urls, `"`+seedBase+`/users/`+id+`"`)
	}
	// 20 in one bind (the limit itself is accepted), the rest in another.
	e.want(e.do("PATCH", "/groups/"+first, `{"members@odata.bind":[`+strings.Join(urls[:20], ",")+`]}`), http.StatusNoContent, "")
	e.want(e.do("PATCH", "/groups/"+first, `{"members@odata.bind":[`+strings.Join(urls[20:], ",")+`]}`), http.StatusNoContent, "")

	e.wantArray(e.do("GET", "/groups/"+first+"/members", ""), members...)
	e.want(e.do("GET", "/groups/"+first+"?$expand=members", ""), http.StatusOK, groupWithMembers("g000", first, members...))

	for _, q := range []string{"", "?$expand=members"} {
		r := e.do("GET", "/groups"+q, "")
		var doc struct {
			Value []struct {
				DisplayName string
				ID          string
				Members     *[]json.RawMessage
			}
		}
		mustUnmarshal(t, r.body, &doc)
		if len(doc.Value) != nGroups {
			t.Fatalf("GET /groups%s: %d groups, want %d", q, len(doc.Value), nGroups)
		}
		seen := map[string]bool{}
		for _, g := range doc.Value {
			seen[g.DisplayName] = true
			switch {
			case q == "" && g.Members != nil:
				t.Fatalf("members shown without $expand: %+v", g)
			case q != "" && g.Members == nil:
				t.Fatalf("no members key on %s with $expand", g.DisplayName)
			case q != "" && g.ID == first && len(*g.Members) != nUsers:
				t.Fatalf("%d members expanded, want %d", len(*g.Members), nUsers)
			case q != "" && g.ID != first && len(*g.Members) != 0:
				t.Fatalf("%s has members", g.DisplayName)
			}
		}
		if len(seen) != nGroups {
			t.Fatalf("GET /groups%s: %d distinct groups", q, len(seen))
		}
	}
}
