package libregraph

import (
	"net/http"

	"groupd/internal/api/httpx"
	"groupd/internal/directory"
)

// groupPageSize is how many groups one store round trip loads while
// GET /groups pages through the whole list (LibreGraph answers it whole).
const groupPageSize = 200

// listGroups answers GET /groups: every group of the tenant, each page
// loaded with its members in one store round trip when expanded.
func (a *api) listGroups(w http.ResponseWriter, r *http.Request) error {
	q, err := listQuery(r, directory.SourceGroups)
	if err != nil {
		return err
	}
	exp, err := expansions(r, groupExpand)
	if err != nil {
		return err
	}
	expand := exp["members"]
	q.Page.Top = groupPageSize
	if expand {
		q.Expand = directory.SourceMembers // ExpandLimit 0: all members, as oCIS
	}
	out := []groupJSON{}
	for {
		page, err := a.dir.List(r.Context(), tenant(r), q, directory.KindAny)
		if err != nil {
			return err
		}
		for _, o := range page.Items {
			g := *o.Group
			g.Members = page.Expanded[g.ID]
			out = append(out, groupOut(g, expand))
		}
		if page.Next == "" {
			break
		}
		q.Page.After = page.Next
	}
	writeJSON(w, http.StatusOK, listJSON[groupJSON]{Value: out})
	return nil
}

// getGroup answers GET /groups/{id}, with all members when expanded.
func (a *api) getGroup(w http.ResponseWriter, r *http.Request) error {
	key := param(r, "groupID")
	exp, err := expansions(r, groupExpand)
	if err != nil {
		return err
	}
	var g directory.Group
	expand := exp["members"]
	if expand {
		g, err = a.dir.GroupWithMembers(r.Context(), tenant(r), key, 0)
	} else {
		g, err = a.dir.Group(r.Context(), tenant(r), key)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, groupOut(g, expand))
	return nil
}

// createGroup answers POST /groups {"displayName"} with 201 and the group.
func (a *api) createGroup(w http.ResponseWriter, r *http.Request) error {
	obj, err := decodeBody(w, r, "group", "displayName")
	if err != nil {
		return err
	}
	name, err := stringField(obj, "displayName")
	if err != nil {
		return err
	}
	if name != nil {
		n, err := groupName(*name)
		if err != nil {
			return err
		}
		name = &n
	}
	g, err := a.dir.CreateGroup(r.Context(), tenant(r), directory.GroupCreate{
		Fields: directory.GroupFields{DisplayName: name},
		Policy: policy,
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", httpx.Origin(r)+"/graph/v1.0/groups/"+string(g.ID))
	writeJSON(w, http.StatusCreated, groupOut(g, false))
	return nil
}

// patchGroup answers PATCH /groups/{id}: a rename and/or members@odata.bind,
// both in one directory transaction; 204.
func (a *api) patchGroup(w http.ResponseWriter, r *http.Request) error {
	obj, err := decodeBody(w, r, "group", "displayName", "members@odata.bind")
	if err != nil {
		return err
	}
	var u directory.GroupUpdate
	u.Policy = policy
	if v, ok := obj.Get("displayName"); ok {
		s, ok := httpx.String(v)
		if !ok {
			return invalidRequest("Invalid displayName: must be a string")
		}
		if s, err = groupName(s); err != nil {
			return err
		}
		u.Fields.DisplayName = &s
	}
	if v, ok := obj.Get("members@odata.bind"); ok {
		refs, ok := httpx.Strings(v)
		if !ok {
			return invalidRequest(msgBindNotParsed)
		}
		if u.Members, err = bindRefs(refs); err != nil {
			return err
		}
	}
	if err := a.dir.UpdateGroup(r.Context(), tenant(r), param(r, "groupID"), u); err != nil {
		return err
	}
	noContent(w)
	return nil
}

// deleteGroup answers DELETE /groups/{id} with 204.
func (a *api) deleteGroup(w http.ResponseWriter, r *http.Request) error {
	if err := a.dir.DeleteGroup(r.Context(), tenant(r), param(r, "groupID")); err != nil {
		return err
	}
	noContent(w)
	return nil
}
