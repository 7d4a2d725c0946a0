package libregraph

import (
	"context"
	"net/http"
	"strings"

	"groupd/internal/auth"
	"groupd/internal/directory"
)

// memberOf expansion on users, as oCIS answers GET /users/{id} and GET /me
// with $expand=memberOf: the groups the user is a direct member of (oCIS
// reads the user's group entries, without nesting), each as {displayName,
// id}, the whole list, [] when there are none.

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

// wantsMemberOf reports whether $expand names memberOf; other values are
// ignored, as oCIS ignores them.
func wantsMemberOf(r *http.Request) bool {
	for _, v := range strings.Split(queryValues(r).Get("$expand"), ",") {
		if strings.TrimSpace(v) == "memberOf" {
			return true
		}
	}
	return false
}

// writeUser answers with u, and its groups when the request expands them.
func (a *api) writeUser(w http.ResponseWriter, r *http.Request, u directory.User) error {
	if !wantsMemberOf(r) {
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
		for _, o := range p.Items {
			out = append(out, groupRefJSON{DisplayName: o.Group.DisplayName, ID: string(o.Group.ID)})
		}
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
