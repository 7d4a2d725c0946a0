package libregraph

import (
	"net/http"

	"groupd/internal/api/httpx"
	"groupd/internal/directory"
)

// Messages oCIS answers for references it refuses (services/graph/pkg/
// service/v0/groups.go). The PATCH wording "Only user are" is oCIS's own.
const (
	msgRefMissing    = "@odata.id reference is missing"
	msgRefNotParsed  = "Error parsing @odata.id url"
	msgBindNotParsed = "Error parsing member@odata.bind values"
	msgOnlyUsers     = "Only users are allowed as group members"
	msgBindOnlyUsers = "Only user are allowed as group members"
)

// listMembers answers GET /groups/{id}/members with a bare JSON array of
// every direct member.
func (a *api) listMembers(w http.ResponseWriter, r *http.Request) error {
	members, err := a.dir.AllMembers(r.Context(), tenant(r), param(r, "groupID"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, objectsOut(members))
	return nil
}

// addMember answers POST /groups/{id}/members/$ref {"@odata.id": url}; 204.
func (a *api) addMember(w http.ResponseWriter, r *http.Request) error {
	obj, err := decodeBody(w, r, "", "@odata.id")
	if err != nil {
		return err
	}
	v, ok := obj.Get("@odata.id")
	if !ok || httpx.IsNull(v) {
		return invalidRequest(msgRefMissing)
	}
	s, ok := httpx.String(v)
	if !ok {
		return invalidRequest(msgRefNotParsed)
	}
	ref, err := memberRef(s, msgRefNotParsed, msgOnlyUsers)
	if err != nil {
		return err
	}
	if err := a.dir.AddMembers(r.Context(), tenant(r), param(r, "groupID"), []directory.MemberRef{ref}, policy); err != nil {
		return err
	}
	noContent(w)
	return nil
}

// removeMember answers DELETE /groups/{id}/members/{memberId}/$ref; 204,
// or 404 when the object is no member of the group.
func (a *api) removeMember(w http.ResponseWriter, r *http.Request) error {
	if err := a.dir.RemoveMember(r.Context(), tenant(r), param(r, "groupID"), param(r, "memberID")); err != nil {
		return err
	}
	noContent(w)
	return nil
}

// bindRefs turns the members@odata.bind list of a PATCH into references,
// checking the count first as oCIS does.
func bindRefs(urls []string) ([]directory.MemberRef, error) {
	if len(urls) > directory.MaxBindRefs {
		return nil, &directory.LimitError{What: "members", Limit: directory.MaxBindRefs}
	}
	refs := make([]directory.MemberRef, 0, len(urls))
	for _, u := range urls {
		ref, err := memberRef(u, msgBindNotParsed, msgBindOnlyUsers)
		if err != nil {
			return nil, err
		}
		refs = append(refs, ref)
	}
	return refs, nil
}

// memberRef accepts only .../users/{id} references, as oCIS does; a
// /groups/ or /directoryObjects/ URL is refused with 400 invalidRequest. An
// id that is not a GUID names nothing and is 404 itemNotFound.
func memberRef(u, unparsable, notUser string) (directory.MemberRef, error) {
	kind, id, ok := httpx.ParseRef(u)
	if !ok {
		return directory.MemberRef{}, invalidRequest("%s", unparsable)
	}
	if kind != directory.KindUser {
		return directory.MemberRef{}, invalidRequest("%s", notUser)
	}
	oid, ok := directory.ParseObjectID(id)
	if !ok {
		return directory.MemberRef{}, &directory.NotFoundError{Kind: directory.KindUser, ID: id}
	}
	return directory.MemberRef{ID: oid, Kind: directory.KindUser}, nil
}
