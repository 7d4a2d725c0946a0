package msgraph

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"groupd/internal/api/httpx"
	"groupd/internal/auth"
	"groupd/internal/directory"
)

// The deleted items: /directory/deletedItems/microsoft.graph.user (and
// .group) list them, /directory/deletedItems/{id} gets or purges one, and
// …/restore brings it back.

const (
	deletedTopDefault = 100
	deletedTopMax     = 999
)

var (
	reNameEq         = regexp.MustCompile(`^displayName eq '((?:[^']|'')*)'$`)
	reNameStartsWith = regexp.MustCompile(`^startswith\(displayName, ?'((?:[^']|'')*)'\)$`)
)

// needFor is the permission a deleted object of kind needs, read or write.
func needFor(kind directory.ObjectKind, write bool) auth.Need {
	switch {
	case kind == directory.KindUser && write:
		return auth.NeedUserWrite
	case kind == directory.KindUser:
		return auth.NeedUserRead
	case write:
		return auth.NeedDeletedGroupWrite
	}
	return auth.NeedGroupRead
}

func (a *api) listDeleted(rq *request) error {
	kind, done, err := a.castOrNone(rq, false, nil)
	if done || err != nil {
		return err
	}
	if !auth.Allowed(rq.ctx, needFor(kind, false)) {
		return denied()
	}
	values, err := httpx.ParseQuery(rq.r.URL.RawQuery)
	if err != nil {
		return badRequest(codeBadRequest, "The query string is not valid: '%s'.", rq.r.URL.RawQuery)
	}
	req := directory.DeletedListRequest{Kind: kind, Page: directory.PageRequest{Top: deletedTopDefault}}
	var selRaw []string
	scope := "deletedItems/" + string(kind)
	for k, v := range values {
		val := v[0]
		switch strings.ToLower(k) {
		case "$select":
			selRaw = splitList(val)
		case "$top":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 || n > deletedTopMax {
				return badRequest(codeRequestBad, "Invalid page size specified: '%s'. Must be between 1 and %d inclusive.", val, deletedTopMax)
			}
			req.Page.Top = n
		case "$filter":
			if m := reNameEq.FindStringSubmatch(val); m != nil {
				req.DisplayName = strings.ReplaceAll(m[1], "''", "'")
			} else if m := reNameStartsWith.FindStringSubmatch(val); m != nil {
				req.DisplayName, req.Prefix = strings.ReplaceAll(m[1], "''", "'"), true
			} else {
				return badRequest(codeUnsupportedQuery, "Unsupported query: deleted items filter on displayName with 'eq' or 'startswith' only.")
			}
			scope += "?" + val
		case "$skiptoken":
		default:
			if strings.HasPrefix(k, "$") {
				return badRequest(codeUnsupportedQuery, "The query option '%s' is not supported on this resource.", k)
			}
		}
	}
	pk, err := a.dir.PagingKey(rq.ctx)
	if err != nil {
		return err
	}
	if tok := values.Get("$skiptoken"); tok != "" {
		if req.Page.After, err = decodeSkipToken(pk, rq.tenant, tok, scope); err != nil {
			return err
		}
	}
	sel, err := selectFor(kind, selRaw)
	if err != nil {
		return err
	}
	page, err := a.dir.DeletedItems(rq.ctx, rq.tenant, req)
	if err != nil {
		return err
	}
	path := "/directory/deletedItems/microsoft.graph." + string(kind)
	e := getEnc()
	e.beginObject()
	e.metadataContext(rq.base, strings.TrimPrefix(path, "/"), sel.proj(""), false)
	if page.Next != "" {
		e.key("@odata.nextLink")
		e.str(nextLink(rq.base, path, rq.r.URL.RawQuery, encodeSkipToken(pk, rq.tenant, scope, page.Next)))
	}
	e.key("value")
	e.beginArray()
	for i := range page.Items {
		e.beginObject()
		writeDeletedProps(e, &page.Items[i], sel)
		e.endObject()
	}
	e.endArray()
	e.endObject()
	send(rq.w, http.StatusOK, e)
	return nil
}

// selectFor resolves $select against the type of kind.
func selectFor(kind directory.ObjectKind, raw []string) (selection, error) {
	if kind == directory.KindUser {
		return resolveSelect(raw, userSchema.typeName, userSchema.lookup)
	}
	return resolveSelect(raw, groupSchema.typeName, groupSchema.lookup)
}

// writeDeletedProps writes the properties of a deleted object; the default
// set also carries deletedDateTime, the point of the list.
func writeDeletedProps(e *enc, o *directory.Object, sel selection) {
	if o.User != nil {
		userSchema.write(e, o.User, withDeleted(userSchema, indexes(userSchema, sel)))
	} else {
		groupSchema.write(e, o.Group, withDeleted(groupSchema, indexes(groupSchema, sel)))
	}
}

func withDeleted[T any](s *schema[T], idx []int) []int {
	if idx != nil {
		return idx
	}
	d := s.byName["deleteddatetime"]
	for _, i := range s.defaults {
		if i == d {
			return nil
		}
	}
	return append(append([]int(nil), s.defaults...), d)
}

// deletedObject finds a deleted object and checks the caller may act on
// its kind; an object the caller may not see is answered as absent.
func (a *api) deletedObject(rq *request, write bool) (directory.Object, error) {
	o, err := a.dir.DeletedItem(rq.ctx, rq.tenant, rq.param("id"))
	if err != nil {
		return o, err
	}
	if !auth.Allowed(rq.ctx, needFor(o.Kind(), write)) {
		return o, denied()
	}
	return o, nil
}

func (a *api) getDeleted(rq *request) error {
	values, err := onlySelect(rq)
	if err != nil {
		return err
	}
	o, err := a.deletedObject(rq, false)
	if err != nil {
		return err
	}
	sel, err := selectFor(o.Kind(), splitList(values.Get("$select")))
	if err != nil {
		return err
	}
	sendDeletedEntity(rq, &o, sel)
	return nil
}

// onlySelect refuses every query option but $select, and returns the
// query's parameters.
func onlySelect(rq *request) (url.Values, error) {
	values, err := httpx.ParseQuery(rq.r.URL.RawQuery)
	if err != nil {
		return nil, badRequest(codeBadRequest, "The query string is not valid: '%s'.", rq.r.URL.RawQuery)
	}
	for k := range values {
		if strings.HasPrefix(k, "$") && !strings.EqualFold(k, "$select") {
			return nil, badRequest(codeUnsupportedQuery, "The query option '%s' is not supported on this resource.", k)
		}
	}
	return values, nil
}

// sendDeletedEntity answers one deleted or restored object as Graph does:
// a directoryObject entity with its @odata.type.
func sendDeletedEntity(rq *request, o *directory.Object, sel selection) {
	e := getEnc()
	e.beginObject()
	e.metadataContext(rq.base, "directoryObjects", sel.proj(""), true)
	e.key("@odata.type")
	if o.User != nil {
		e.str(userSchema.odata)
	} else {
		e.str(groupSchema.odata)
	}
	writeDeletedProps(e, o, sel)
	e.endObject()
	send(rq.w, http.StatusOK, e)
}

// restoreDeleted answers POST …/deletedItems/{id}/restore with the
// restored object (200).
func (a *api) restoreDeleted(rq *request) error {
	if _, err := onlySelect(rq); err != nil {
		return err
	}
	if _, err := a.deletedObject(rq, true); err != nil {
		return err
	}
	o, err := a.dir.RestoreDeleted(rq.ctx, rq.tenant, rq.param("id"))
	if err != nil {
		return err
	}
	sendDeletedEntity(rq, &o, selection{})
	return nil
}

// purgeDeleted answers DELETE …/deletedItems/{id}: gone for good (204).
func (a *api) purgeDeleted(rq *request) error {
	if _, err := onlySelect(rq); err != nil {
		return err
	}
	if _, err := a.deletedObject(rq, true); err != nil {
		return err
	}
	if err := a.dir.PurgeDeleted(rq.ctx, rq.tenant, rq.param("id")); err != nil {
		return err
	}
	rq.w.WriteHeader(http.StatusNoContent)
	return nil
}

// listDeletedUncast answers GET /directory/deletedItems as Graph does:
// deleted items are listed one type at a time, through a cast.
func listDeletedUncast(*request) error {
	return badRequest(codeUnsupportedQuery, "Searches against this resource are not supported. Only specific instances can be queried.")
}
