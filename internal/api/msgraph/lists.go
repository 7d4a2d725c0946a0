package msgraph

import (
	"net/http"
	"strconv"
	"strings"

	"groupd/internal/directory"
	"groupd/internal/odata"
)

// list describes one collection endpoint: what the store lists, the type
// its query options are validated against, and how items are written.
type list struct {
	src    directory.Source
	schema odata.Schema
	kind   directory.ObjectKind // a cast: only this kind (members, owners)
	ofKind directory.ObjectKind // memberOf: the kind of {id}
	set    string               // entity set of @odata.context
	path   string               // below the base, escaped, for @odata.nextLink
	// typed lists write @odata.type on every item (relationships hold
	// users and groups); /groups and /users do not.
	typed bool
	// refs lists entity references ({"@odata.id": …}, GET …/$ref), to
	// which $select and $expand do not apply.
	refs bool
}

func groupsList() list {
	return list{src: directory.SourceGroups, schema: odata.GroupSchema, set: "groups", path: "/groups"}
}

func usersList() list {
	return list{src: directory.SourceUsers, schema: odata.UserSchema, set: "users", path: "/users"}
}

// listQuery turns validated options into the store's question; key
// checks the $skiptoken (paging key).
func (rq *request) listQuery(l list, q *odata.Query, key []byte) (directory.ListQuery, error) {
	lq := directory.ListQuery{
		Source: l.src, Of: directory.ObjectID(rq.param("id")), Kind: l.kind,
		Filter: q.Filter, Search: q.Search, Page: directory.PageRequest{Top: q.Top},
	}
	if len(q.OrderBy) > 0 {
		lq.OrderBy, lq.Desc = q.OrderBy[0].Prop, q.OrderBy[0].Desc
	}
	if q.Expand != nil && q.Expand.Levels > 0 {
		return lq, badRequest(codeUnsupportedQuery, "$levels in $expand=%s is supported on a single user (/users/{id} or /me), not on a collection.", q.Expand.Relationship)
	}
	if q.Expand != nil && !expandsManager(q) {
		lq.Expand, lq.ExpandLimit = relationSource(q.Expand.Relationship), expandCap
	}
	if q.SkipToken != "" {
		after, err := decodeSkipToken(key, rq.tenant, q.SkipToken, l.tokenScope(q))
		if err != nil {
			return lq, err
		}
		if _, _, err := directory.DecodeCursor(after, lq.OrderBy); err != nil {
			return lq, badSkipToken(q.SkipToken)
		}
		lq.Page.After = after
	}
	return lq, nil
}

func (l list) tokenScope(q *odata.Query) string { return l.path + "?" + q.Canonical() }

// serveList answers a collection: one page, @odata.count when asked,
// @odata.nextLink while more remain, and the $expand of every item.
func (a *api) serveList(rq *request, l list) error {
	opts := odata.ListOptions
	if l.refs {
		opts &^= odata.OptSelect | odata.OptExpand
	}
	q, err := rq.odata(l.schema, opts, false)
	if err != nil {
		return err
	}
	key, err := a.dir.PagingKey(rq.ctx)
	if err != nil {
		return err
	}
	lq, err := rq.listQuery(l, q, key)
	if err != nil {
		return err
	}
	page, err := a.dir.List(rq.ctx, rq.tenant, lq, l.ofKind)
	if err != nil {
		return err
	}
	count := 0
	if q.Count {
		if count, err = a.dir.Count(rq.ctx, rq.tenant, lq, l.ofKind); err != nil {
			return err
		}
	}
	var managers map[directory.ObjectID]directory.Object
	if expandsManager(q) {
		if managers, err = a.managersOf(rq, page.Items); err != nil {
			return err
		}
	}
	sel := selection{names: q.Select}
	uIdx, gIdx := indexes(userSchema, sel), indexes(groupSchema, sel)
	expand, exU, exG := expansion(q)
	e := getEnc()
	e.beginObject()
	if l.refs {
		e.metadataContext(rq.base, "Collection($ref)", "", false)
	} else {
		e.metadataContext(rq.base, l.set, sel.proj(expandProj(q)), false)
	}
	if q.Count {
		e.key("@odata.count")
		e.raw(strconv.Itoa(count))
	}
	if page.Next != "" {
		e.key("@odata.nextLink")
		e.str(nextLink(rq.base, l.path, rq.r.URL.RawQuery, encodeSkipToken(key, rq.tenant, l.tokenScope(q), page.Next)))
	}
	e.key("value")
	e.beginArray()
	for i := range page.Items {
		o := &page.Items[i]
		e.beginObject()
		switch {
		case l.refs:
			e.key("@odata.id")
			e.strParts(rq.base, "/directoryObjects/", string(o.ID()))
		case l.typed:
			objectMembers(e, o, uIdx, gIdx)
		case o.User != nil:
			userSchema.write(e, o.User, uIdx)
		case o.Group != nil:
			groupSchema.write(e, o.Group, gIdx)
		}
		switch {
		case managers != nil:
			writeManagerOf(e, managers, o.User, exU, exG)
		case expand != "":
			e.key(expand)
			writeObjects(e, page.Expanded[o.ID()], exU, exG)
		}
		e.endObject()
	}
	e.endArray()
	e.endObject()
	send(rq.w, http.StatusOK, e)
	return nil
}

// expansion returns the expanded relationship and the property indexes of
// its nested $select.
func expansion(q *odata.Query) (string, []int, []int) {
	if q.Expand == nil {
		return "", nil, nil
	}
	sel := selection{names: q.Expand.Select}
	return q.Expand.Relationship, indexes(userSchema, sel), indexes(groupSchema, sel)
}

// expandProj is the expansion as the context URL names it, with its
// nested $select: "members()", "manager(id,displayName)".
func expandProj(q *odata.Query) string {
	if q.Expand == nil {
		return ""
	}
	return q.Expand.Relationship + "(" + strings.Join(q.Expand.Select, ",") + ")"
}

// serveCount answers a /$count segment: the number as text/plain. Graph
// needs ConsistencyLevel: eventual for it, which odata.Parse enforces.
func (a *api) serveCount(rq *request, l list) error {
	q, err := rq.odata(l.schema, odata.CountOptions, true)
	if err != nil {
		return err
	}
	lq, err := rq.listQuery(l, q, nil)
	if err != nil {
		return err
	}
	n, err := a.dir.Count(rq.ctx, rq.tenant, lq, l.ofKind)
	if err != nil {
		return err
	}
	sendText(rq.w, strconv.Itoa(n))
	return nil
}

// sendText answers 200 with a text/plain body, as /$count does.
func sendText(w http.ResponseWriter, body string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(body)) // a failed write means the client went away
}

// expandOne loads the $expand of a single object: the first expandCap
// related objects.
func (a *api) expandOne(rq *request, q *odata.Query, id directory.ObjectID, ofKind directory.ObjectKind) ([]directory.Object, error) {
	lq := directory.ListQuery{Source: relationSource(q.Expand.Relationship), Of: id, Page: directory.PageRequest{Top: expandCap}}
	p, err := a.dir.List(rq.ctx, rq.tenant, lq, ofKind)
	if p.Items == nil {
		p.Items = []directory.Object{}
	}
	return p.Items, err
}

// plainPage reads the page a list that takes only $top (1..999, default
// 100) and $skiptoken asks for, at path, and the key its tokens are
// signed with.
func (a *api) plainPage(rq *request, path string) (directory.PageRequest, []byte, error) {
	if err := rq.q.only(optTop | optSkipToken); err != nil {
		return directory.PageRequest{}, nil, err
	}
	page := directory.PageRequest{Top: 100}
	if v := rq.q.values.Get("$top"); v != "" {
		if page.Top = topInRange(v, 1, 999); page.Top == 0 {
			return page, nil, badRequest(codeBadRequest, "Invalid page size specified: '%s'. Must be between 1 and 999 inclusive.", v)
		}
	}
	pk, err := a.dir.PagingKey(rq.ctx)
	if err != nil {
		return page, nil, err
	}
	if tok := rq.q.values.Get("$skiptoken"); tok != "" {
		if page.After, err = decodeSkipToken(pk, rq.tenant, tok, path); err != nil {
			return page, nil, err
		}
	}
	return page, pk, nil
}

// writeNextLink writes the @odata.nextLink of a plainPage list when there
// is a next page.
func writeNextLink(rq *request, e *enc, pk []byte, path, next string) {
	if next != "" {
		e.key("@odata.nextLink")
		e.str(nextLink(rq.base, path, rq.r.URL.RawQuery, encodeSkipToken(pk, rq.tenant, path, next)))
	}
}

func topInRange(v string, lo, hi int) int {
	n := 0
	for _, c := range v {
		if c < '0' || c > '9' || n > hi {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	if n < lo || n > hi {
		return 0
	}
	return n
}
