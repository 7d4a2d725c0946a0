package msgraph

import (
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"groupd/internal/api/httpx"
	"groupd/internal/auth"
	"groupd/internal/directory"
)

// routeTracking mounts delta queries and the deleted items.
func (a *api) routeTracking(r chi.Router) {
	// Graph's SDKs call the function as delta(); people write delta.
	for _, fn := range []string{"delta", "delta()"} {
		r.Get("/users/"+fn, a.endpoint(auth.NeedUserRead, optAny, "User", a.deltaOf(directory.KindUser)))
		r.Get("/groups/"+fn, a.endpoint(auth.NeedGroupRead, optAny, "Group", a.deltaOf(directory.KindGroup)))
	}
	r.Get("/directory/deletedItems", a.endpoint(auth.NeedObjectRead, optAny, "DirectoryObject", listDeletedUncast))
	r.Get("/directory/deletedItems/"+castSegment, a.endpoint(auth.NeedObjectRead, optAny, "DirectoryObject", a.listDeleted))
	r.Get("/directory/deletedItems/{id}", a.endpoint(auth.NeedObjectRead, optAny, "DirectoryObject", a.getDeleted))
	r.Post("/directory/deletedItems/{id}/restore", a.endpoint(auth.NeedSignedIn, optAny, "DirectoryObject", a.restoreDeleted))
	r.Delete("/directory/deletedItems/{id}", a.endpoint(auth.NeedSignedIn, optAny, "DirectoryObject", a.purgeDeleted))
}

// maxDeltaIDs is how many ids Graph accepts in a delta $filter.
const maxDeltaIDs = 50

var (
	reIDEq = regexp.MustCompile(`^id eq '([^']*)'$`)
	reIDIn = regexp.MustCompile(`^id in \(([^)]*)\)$`)
)

// parseDelta reads the query options Graph accepts on delta: $select,
// $filter on ids, $deltatoken and $skiptoken, and the page size from
// Prefer: odata.maxpagesize.
func parseDelta(r *http.Request, kind directory.ObjectKind) (directory.DeltaRequest, error) {
	req := directory.DeltaRequest{Kind: kind}
	values, err := httpx.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return req, badRequest(codeBadRequest, "The query string is not valid: '%s'.", r.URL.RawQuery)
	}
	for k, v := range values {
		val := ""
		if len(v) > 0 {
			val = v[0]
		}
		switch strings.ToLower(k) {
		case "$select":
			req.Select = splitList(val)
		case "$filter":
			if req.IDs, err = deltaFilter(val); err != nil {
				return req, err
			}
		case "$deltatoken", "$skiptoken":
			// An empty token is a lost one: starting over would silently
			// resync a client that means to continue.
			if val == "" {
				return req, badRequest(codeBadRequest, "The delta token is not valid: it was empty.")
			}
			if strings.EqualFold(k, "$deltatoken") && val == "latest" {
				req.Latest = true
			} else {
				req.Token = val
			}
		default:
			if strings.HasPrefix(k, "$") {
				return req, badRequest(codeUnsupportedQuery, "The query option '%s' is not supported on this resource.", k)
			}
		}
	}
	req.Top = maxPageSize(r.Header)
	return req, nil
}

// maxPageSize reads Prefer: odata.maxpagesize=N (or maxpagesize, OData
// 4.01's name); 0 when there is none. A value that is no positive integer
// is ignored, as RFC 7240 has a server ignore a preference it cannot
// honour, rather than failing a request the client could serve without it.
func maxPageSize(h http.Header) int {
	for _, line := range h.Values("Prefer") {
		for _, p := range strings.Split(line, ",") {
			name, val, _ := strings.Cut(p, "=")
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "odata.maxpagesize", "maxpagesize":
				val, _, _ = strings.Cut(val, ";") // preference parameters
				if n, err := strconv.Atoi(strings.Trim(strings.TrimSpace(val), `"`)); err == nil && n > 0 {
					return n
				}
			}
		}
	}
	return 0
}

// deltaFilter reads "id eq '…'", "id eq '…' or id eq '…'" and
// "id in ('…', …)", the filters Graph allows on delta.
func deltaFilter(f string) ([]directory.ObjectID, error) {
	bad := badRequest(codeUnsupportedQuery, "Unsupported query: only 'id eq' and 'id in' filters are supported with delta.")
	var raw []string
	if m := reIDIn.FindStringSubmatch(strings.TrimSpace(f)); m != nil {
		for _, p := range strings.Split(m[1], ",") {
			p = strings.TrimSpace(p)
			if len(p) < 2 || p[0] != '\'' || p[len(p)-1] != '\'' {
				return nil, bad
			}
			raw = append(raw, p[1:len(p)-1])
		}
	} else {
		for _, part := range strings.Split(f, " or ") {
			m := reIDEq.FindStringSubmatch(strings.TrimSpace(part))
			if m == nil {
				return nil, bad
			}
			raw = append(raw, m[1])
		}
	}
	if len(raw) > maxDeltaIDs {
		return nil, badRequest(codeUnsupportedQuery, "Too many ids in the filter: at most %d are allowed.", maxDeltaIDs)
	}
	return objectIDs(raw)
}

func (a *api) deltaOf(kind directory.ObjectKind) handlerFunc {
	return func(rq *request) error {
		req, err := parseDelta(rq.r, kind)
		if err != nil {
			return err
		}
		// A new query checks its $select now; a token carries one checked
		// when it was issued.
		if req.Token == "" {
			if req.Select, err = deltaSelect(kind, req.Select); err != nil {
				return err
			}
		}
		page, err := a.dir.Delta(rq.ctx, rq.tenant, req)
		if err != nil {
			return deltaError(err)
		}
		if req.Top > 0 {
			// Pages are never larger than asked (the directory may make
			// them smaller), so the preference was honoured.
			rq.w.Header().Set("Preference-Applied", "odata.maxpagesize="+strconv.Itoa(req.Top))
		}
		writeDelta(rq, kind, page)
		return nil
	}
}

// deltaSelect resolves $select to canonical names; "members" is the one
// navigation property a groups delta may select, "manager" a users delta's.
func deltaSelect(kind directory.ObjectKind, raw []string) ([]string, error) {
	var names []string
	for _, r := range raw {
		if nav := deltaNavigation(kind); strings.EqualFold(r, nav) {
			names = append(names, nav)
			continue
		}
		var sel selection
		var err error
		if kind == directory.KindUser {
			sel, err = resolveSelect([]string{r}, userSchema.typeName, userSchema.lookup)
		} else {
			sel, err = resolveSelect([]string{r}, groupSchema.typeName, groupSchema.lookup)
		}
		if err != nil {
			return nil, err
		}
		names = append(names, sel.names...)
	}
	return names, nil
}

// deltaNavigation is the navigation property a delta of kind may select.
func deltaNavigation(kind directory.ObjectKind) string {
	if kind == directory.KindGroup {
		return "members"
	}
	return directory.SelectManager
}

// deltaError words the delta errors as Graph does.
func deltaError(err error) error {
	var (
		ie *directory.InvalidTokenError
		re *directory.ResyncError
	)
	switch {
	case errors.As(err, &ie):
		return badRequest(codeBadRequest, "The delta token is not valid: it was %s.", ie.Reason)
	case errors.As(err, &re):
		return &apiError{status: http.StatusGone, code: "syncStateNotFound",
			message: "The sync state generation is not found. The delta token is expired and data must be synchronized again."}
	}
	return err
}

// writeDelta writes one page: the objects in their current state with the
// selected properties (id always), members@delta for groups and
// manager@delta for users when selected, and removed objects as {"id",
// "@removed"}.
func writeDelta(rq *request, kind directory.ObjectKind, page directory.DeltaPage) {
	set, path := "users", "/users/delta"
	if kind == directory.KindGroup {
		set, path = "groups", "/groups/delta"
	}
	var props []string
	// A groups delta without $select tracks members; a users delta
	// tracks managers only when asked.
	nav := kind == directory.KindGroup && len(page.Select) == 0
	for _, n := range page.Select {
		if n == deltaNavigation(kind) {
			nav = true
		} else {
			props = append(props, n)
		}
	}
	sel := selection{names: props}
	var idx []int
	if kind == directory.KindUser {
		idx = withID(userSchema, indexes(userSchema, sel))
	} else {
		idx = withID(groupSchema, indexes(groupSchema, sel))
	}
	e := getEnc()
	e.beginObject()
	e.metadataContext(rq.base, set, selection{names: page.Select}.proj(""), false)
	if page.Next != "" {
		e.key("@odata.nextLink")
		e.strParts(rq.base, path, "?$skiptoken=", page.Next)
	} else {
		e.key("@odata.deltaLink")
		e.strParts(rq.base, path, "?$deltatoken=", page.Delta)
	}
	e.key("value")
	e.beginArray()
	for i := range page.Items {
		it := &page.Items[i]
		e.beginObject()
		switch {
		case it.Removed != "":
			e.key("id")
			e.str(string(it.ID))
			writeRemoved(e, it.Removed)
		case it.Object.User != nil:
			userSchema.write(e, it.Object.User, idx)
			if nav && it.Manager != nil {
				e.key("manager@delta")
				writeMemberDeltas(e, it.Manager)
			}
		case it.Object.Group != nil:
			groupSchema.write(e, it.Object.Group, idx)
			if nav && it.Members != nil {
				e.key("members@delta")
				writeMemberDeltas(e, it.Members)
			}
		}
		e.endObject()
	}
	e.endArray()
	e.endObject()
	send(rq.w, http.StatusOK, e)
}

// withID adds id to a selection that left it out: delta items always
// carry their id.
func withID[T any](s *schema[T], idx []int) []int {
	if idx == nil {
		return nil
	}
	id := s.byName["id"]
	for _, i := range idx {
		if i == id {
			return idx
		}
	}
	return append([]int{id}, idx...)
}

func writeRemoved(e *enc, reason string) {
	e.key("@removed")
	e.beginObject()
	e.key("reason")
	e.str(reason)
	e.endObject()
}

func writeMemberDeltas(e *enc, list []directory.MemberDelta) {
	e.beginArray()
	for _, m := range list {
		e.beginObject()
		e.key("@odata.type")
		e.strParts("#microsoft.graph.", string(m.Ref.Kind))
		e.key("id")
		e.str(string(m.Ref.ID))
		if m.Removed {
			writeRemoved(e, directory.RemovedDeleted)
		}
		e.endObject()
	}
	e.endArray()
}
