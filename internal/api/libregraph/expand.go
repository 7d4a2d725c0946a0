package libregraph

import (
	"net/http"
	"slices"
	"strings"
)

// $expand and $select as oCIS reads them. oCIS parses both with godata and
// then looks only for names it knows: a group's members ($expand or
// $select=members, identity/ldap_group.go), a user's memberOf, drive,
// drives and appRoleAssignments (service/v0/users.go). It refuses an
// $expand item with options or several path segments
// (identity/odata.go GetExpandValues), ignores other names, and never
// narrows an answer by $select.
//
// groupd honours members and memberOf, accepts drive, drives and
// appRoleAssignments without adding anything (it has no drives or app
// roles; ownCloud Web asks for them), and refuses any other $expand name
// with 400 invalidRequest, so that a client asking for owners learns it
// gets none. $select is accepted and, as in oCIS, does not narrow the
// answer; members in it expands them.

// Relationships each resource's $expand accepts.
var (
	groupExpand = []string{"members"}
	userExpand  = []string{"memberOf", "drive", "drives", "appRoleAssignments"}
)

// expansions returns the names in the request's $expand, all of which must
// be in known, plus "members" when $select names it and known has it.
func expansions(r *http.Request, known []string) (map[string]bool, error) {
	q := queryValues(r)
	out := map[string]bool{}
	for _, v := range q["$expand"] {
		for _, item := range strings.Split(v, ",") {
			item = strings.TrimSpace(item)
			switch {
			case item == "":
				continue
			case strings.ContainsAny(item, "();"):
				return nil, invalidRequest("options for $expand not supported")
			case strings.Contains(item, "/"):
				return nil, invalidRequest("multiple segments in $expand not supported")
			case !slices.Contains(known, item):
				return nil, invalidRequest("unsupported $expand: %s (this resource expands %s)", item, strings.Join(known, ", "))
			}
			out[item] = true
		}
	}
	if slices.Contains(known, "members") {
		for _, v := range q["$select"] {
			for _, item := range strings.Split(v, ",") {
				if strings.TrimSpace(item) == "members" {
					out["members"] = true
				}
			}
		}
	}
	return out, nil
}
