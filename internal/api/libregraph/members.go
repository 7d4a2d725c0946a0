package libregraph

import (
	"net/http"
	"net/url"
	"strings"

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
// every direct member that is a user (see membersOut).
func (a *api) listMembers(w http.ResponseWriter, r *http.Request) error {
	members, err := a.dir.AllMembers(r.Context(), tenant(r), param(r, "groupID"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, membersOut(members))
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

// memberRef reads a member reference as oCIS's parseMemberRef does: an
// absolute URL or an absolute path (url.ParseRequestURI; any host), whose
// last two path segments are the collection and the id. Anything else, an
// empty id included, cannot be parsed: 400 invalidRequest with unparsable.
// Only a /users/ collection is accepted (notUser otherwise). An id that
// parses but is no GUID names no user: 404 itemNotFound, as oCIS's lookup
// finds nothing for it.
func memberRef(ref, unparsable, notUser string) (directory.MemberRef, error) {
	u, err := url.ParseRequestURI(ref)
	if err != nil {
		return directory.MemberRef{}, invalidRequest("%s", unparsable)
	}
	segs := strings.Split(u.Path, "/")
	if len(segs) < 2 || segs[len(segs)-1] == "" {
		return directory.MemberRef{}, invalidRequest("%s", unparsable)
	}
	coll, id := segs[len(segs)-2], segs[len(segs)-1]
	// oCIS compares the collection exactly; any case is accepted here, as
	// it names the same collection and no client is refused by it.
	if !strings.EqualFold(coll, "users") {
		return directory.MemberRef{}, invalidRequest("%s", notUser)
	}
	oid, ok := directory.ParseObjectID(id)
	if !ok {
		return directory.MemberRef{}, &directory.NotFoundError{Kind: directory.KindUser, ID: id}
	}
	return directory.MemberRef{ID: oid, Kind: directory.KindUser}, nil
}
