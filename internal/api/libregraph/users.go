package libregraph

import (
	"net/http"

	"groupd/internal/api/httpx"
	"groupd/internal/auth"
	"groupd/internal/directory"
)

// userPageSize is how many users one store round trip loads while GET
// /users pages through the whole list.
const userPageSize = 500

// userKeys are the properties a user create or update may carry.
var userKeys = []string{"displayName", "onPremisesSamAccountName", "mail", "passwordProfile"}

// listUsers answers GET /users with every user of the tenant, each with
// its groups when $expand names memberOf.
func (a *api) listUsers(w http.ResponseWriter, r *http.Request) error {
	q, err := listQuery(r, directory.SourceUsers)
	if err != nil {
		return err
	}
	exp, err := expansions(r, userExpand)
	if err != nil {
		return err
	}
	q.Page.Top = userPageSize
	if exp["memberOf"] {
		q.Expand = directory.SourceMemberOf // ExpandLimit 0: all groups
	}
	out := []any{}
	for {
		page, err := a.dir.List(r.Context(), tenant(r), q, directory.KindAny)
		if err != nil {
			return err
		}
		for _, o := range page.Items {
			if !exp["memberOf"] {
				out = append(out, userOut(*o.User))
				continue
			}
			groups := appendGroupRefs([]groupRefJSON{}, page.Expanded[o.User.ID])
			out = append(out, userWithGroupsJSON{userJSON: userOut(*o.User), MemberOf: groups})
		}
		if page.Next == "" {
			break
		}
		q.Page.After = page.Next
	}
	writeJSON(w, http.StatusOK, listJSON[any]{Value: out})
	return nil
}

// getUser answers GET /users/{key}; key is an id, a userPrincipalName or an
// onPremisesSamAccountName. $expand=memberOf adds the user's groups.
func (a *api) getUser(w http.ResponseWriter, r *http.Request) error {
	u, err := a.dir.UserByLogin(r.Context(), tenant(r), param(r, "userID"))
	if err != nil {
		return err
	}
	return a.writeUser(w, r, u)
}

// createUser answers POST /users {displayName, onPremisesSamAccountName,
// mail?, passwordProfile?} with 201 and the user; the userPrincipalName is
// derived from the account name by the directory.
func (a *api) createUser(w http.ResponseWriter, r *http.Request) error {
	f, err := userFields(w, r, false)
	if err != nil {
		return err
	}
	u, err := a.dir.CreateUser(r.Context(), tenant(r), f, policy)
	if err != nil {
		return a.upnConflict(r.Context(), tenant(r), f.OnPremisesSamAccountName, err)
	}
	w.Header().Set("Location", httpx.Origin(r)+"/graph/v1.0/users/"+string(u.ID))
	writeJSON(w, http.StatusCreated, userOut(u))
	return nil
}

// patchUser answers PATCH /users/{key} with 200 and the updated user, as
// oCIS does.
func (a *api) patchUser(w http.ResponseWriter, r *http.Request) error {
	f, err := userFields(w, r, true)
	if err != nil {
		return err
	}
	ctx, t := r.Context(), tenant(r)
	// Resolve the key first: a rename of the account name would make a key
	// given as the old name miss on the read-back.
	u, err := a.dir.UserByLogin(ctx, t, param(r, "userID"))
	if err != nil {
		return err
	}
	if u, err = a.updateUser(ctx, t, u, f); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, userOut(u))
	return nil
}

// deleteUser answers DELETE /users/{key} with 204. As in oCIS, a user may
// not delete itself (403 notAllowed "self deletion forbidden").
func (a *api) deleteUser(w http.ResponseWriter, r *http.Request) error {
	ctx, t := r.Context(), tenant(r)
	u, err := a.dir.UserByLogin(ctx, t, param(r, "userID"))
	if err != nil {
		return err
	}
	if p, _ := auth.PrincipalFrom(ctx); p.Kind == directory.ActorUser && p.ID == string(u.ID) {
		return &apiError{status: http.StatusForbidden, code: codeNotAllowed, msg: "self deletion forbidden"}
	}
	if err := a.dir.DeleteUser(ctx, t, string(u.ID)); err != nil {
		return err
	}
	noContent(w)
	return nil
}

// userFields decodes a user body. On update, "mail": null clears the mail.
func userFields(w http.ResponseWriter, r *http.Request, update bool) (directory.UserFields, error) {
	var f directory.UserFields
	obj, err := decodeBody(w, r, "user", userKeys...)
	if err != nil {
		return f, err
	}
	if f.DisplayName, err = stringField(obj, "displayName"); err != nil {
		return f, err
	}
	if f.DisplayName != nil {
		if err := noControls("displayName", *f.DisplayName); err != nil {
			return f, err
		}
	}
	if f.OnPremisesSamAccountName, err = stringField(obj, "onPremisesSamAccountName"); err != nil {
		return f, err
	}
	if f.Mail, err = stringField(obj, "mail"); err != nil {
		return f, err
	}
	if v, ok := obj.Get("mail"); ok && update && httpx.IsNull(v) {
		empty := ""
		f.Mail = &empty
	}
	if v, ok := obj.Get("passwordProfile"); ok && !httpx.IsNull(v) {
		if f.Password, err = password(v); err != nil {
			return f, err
		}
	}
	return f, nil
}

// password reads passwordProfile {"password": "..."}.
func password(v []byte) (*string, error) {
	if !isObject(v) {
		return nil, invalidRequest("Invalid passwordProfile: must be an object")
	}
	obj, err := httpx.ParseObject(v)
	if err != nil {
		return nil, err
	}
	if obj, err = modelFields(obj, "", []string{"password"}); err != nil {
		return nil, err
	}
	pw, err := stringField(obj, "password")
	if err != nil {
		return nil, err
	}
	if pw == nil {
		return nil, invalidRequest("missing required Attribute: 'passwordProfile.password'")
	}
	return pw, nil
}
