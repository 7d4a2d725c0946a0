package libregraph

import (
	"context"
	"net/http"

	"groupd/internal/auth"
	"groupd/internal/directory"
)

// memberOf expansion on users, as oCIS answers GET /users/{id} and GET /me
// with $expand=memberOf: the groups the user is a direct member of (oCIS
// reads the user's group entries, without nesting), each as {displayName,
// id}, the whole list, [] when there are none. GET /users expands it for
// every user of the list, as oCIS does, in the store's page round trips.

// groupRefJSON is a group as memberOf lists it.
type groupRefJSON struct {
	DisplayName string `json:"displayName"`
	ID          string `json:"id"`
}

// userWithGroupsJSON is a user with its memberOf expanded.
type userWithGroupsJSON struct {
	userJSON
	MemberOf []groupRefJSON `json:"memberOf"`
}

// writeUser answers with u, and its groups when the request expands them.
func (a *api) writeUser(w http.ResponseWriter, r *http.Request, u directory.User) error {
	exp, err := expansions(r, userExpand)
	if err != nil {
		return err
	}
	if !exp["memberOf"] {
		writeJSON(w, http.StatusOK, userOut(u))
		return nil
	}
	groups, err := a.userGroups(r.Context(), tenant(r), u.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, userWithGroupsJSON{userJSON: userOut(u), MemberOf: groups})
	return nil
}

func (a *api) userGroups(ctx context.Context, t directory.TenantID, id directory.ObjectID) ([]groupRefJSON, error) {
	q := directory.ListQuery{Source: directory.SourceMemberOf, Of: id, Page: directory.PageRequest{Top: 999}}
	out := []groupRefJSON{}
	for {
		p, err := a.dir.List(ctx, t, q, directory.KindUser)
		if err != nil {
			return nil, err
		}
		out = appendGroupRefs(out, p.Items)
		if p.Next == "" {
			return out, nil
		}
		q.Page.After = p.Next
	}
}

// getMe answers GET /me: the signed-in user. A principal that is not a
// user (an application's token) has no /me.
func (a *api) getMe(w http.ResponseWriter, r *http.Request) error {
	p, _ := auth.PrincipalFrom(r.Context())
	if p.Kind != directory.ActorUser {
		return &apiError{status: http.StatusNotFound, code: codeItemNotFound, msg: "no user is signed in"}
	}
	u, err := a.dir.User(r.Context(), tenant(r), p.ID)
	if err != nil {
		return err
	}
	return a.writeUser(w, r, u)
}

// appendGroupRefs adds the groups among objs to out.
func appendGroupRefs(out []groupRefJSON, objs []directory.Object) []groupRefJSON {
	for _, o := range objs {
		if o.Group != nil {
			out = append(out, groupRefJSON{DisplayName: o.Group.DisplayName, ID: string(o.Group.ID)})
		}
	}
	return out
}
