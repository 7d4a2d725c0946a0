package aadgraph

import (
	"errors"
	"net/http"

	"groupd/internal/api/httpx"
	"groupd/internal/auth"
	"groupd/internal/directory"
)

// MaxMemberGroups is how many groups getMemberGroups and getMemberObjects
// return in Azure AD Graph 1.6; more is Directory_ResultSizeLimitExceeded.
const MaxMemberGroups = 2046

const (
	booleanFragment = "Edm.Boolean"
	stringsFragment = "Collection(Edm.String)"
)

// resultSizeError renders the directory's refusal of an answer longer
// than the function's limit.
func resultSizeError(err error) (*apiError, bool) {
	var rs *directory.ResultSizeLimitError
	if errors.As(err, &rs) {
		return badRequest(codeResultSize, "The request cannot be fulfilled because the result size limit of %d has been exceeded.", rs.Limit), true
	}
	return nil, false
}

// functionBody reads a function's parameters, refusing any it does not
// take.
func functionBody(rq *request, params ...string) (httpx.Object, error) {
	if err := rq.noOptions(); err != nil {
		return nil, err
	}
	obj, err := httpx.DecodeObject(rq.w, rq.r)
	if err != nil {
		return nil, err
	}
next:
	for _, f := range obj {
		for _, p := range params {
			if f.Name == p {
				continue next
			}
		}
		return nil, badRequest(codeBadRequest, "The parameter '%s' is not valid for this function.", f.Name)
	}
	return obj, nil
}

func invalidParam(name string) error {
	return badRequest(codeBadRequest, "Invalid value specified for parameter '%s'.", name)
}

// objectIDParam reads a parameter holding an object id.
func objectIDParam(obj httpx.Object, name string) (directory.ObjectID, error) {
	v, ok := obj.Get(name)
	if !ok {
		return "", badRequest(codeBadRequest, "The parameter '%s' is required.", name)
	}
	s, ok := httpx.String(v)
	if !ok {
		return "", invalidParam(name)
	}
	id, ok := directory.ParseObjectID(s)
	if !ok {
		return "", badRequest(codeBadRequest, "Invalid object identifier '%s'.", s)
	}
	return id, nil
}

type booleanResult struct {
	Metadata string `json:"odata.metadata"`
	Value    bool   `json:"value"`
}

type idsResult struct {
	Metadata string               `json:"odata.metadata"`
	Value    []directory.ObjectID `json:"value"`
}

// isMemberOf answers POST /isMemberOf {"groupId", "memberId"}: whether the
// member is in the group directly or through nesting.
func (a *api) isMemberOf(rq *request) error {
	obj, err := functionBody(rq, "groupId", "memberId")
	if err != nil {
		return err
	}
	groupID, err := objectIDParam(obj, "groupId")
	if err != nil {
		return err
	}
	memberID, err := objectIDParam(obj, "memberId")
	if err != nil {
		return err
	}
	if err := a.checked(rq); err != nil {
		return err
	}
	in, err := a.dir.IsMemberOf(rq.ctx, rq.tenant, groupID, memberID)
	if err != nil {
		return err
	}
	return sendJSON(rq.w, http.StatusOK, booleanResult{Metadata: rq.metadata(booleanFragment), Value: in})
}

// checked lets the request's directory lookups share one check of the
// read caches (see directory.Service.CheckedRequest).
func (a *api) checked(rq *request) error {
	ctx, err := a.dir.CheckedRequest(rq.ctx, rq.tenant)
	if err != nil {
		return err
	}
	rq.ctx = ctx
	return nil
}

// subject checks that {id} names an object of the route's kind, so that
// /groups/{userId}/... is not found as it is for every other group route;
// under /directoryObjects (KindAny) it names either kind, and the caller
// needs what reading that kind's memberships needs under its own route.
// It begins the checked request the function's lookups then share.
func (a *api) subject(rq *request, kind directory.ObjectKind) (string, error) {
	if err := a.checked(rq); err != nil {
		return "", err
	}
	key := rq.param("id")
	switch kind {
	case directory.KindAny:
		o, err := a.dir.DirectoryObject(rq.ctx, rq.tenant, key)
		if err != nil {
			return "", err
		}
		if !auth.MayReadMemberships(rq.ctx, o) {
			return "", denied()
		}
		return string(o.ID()), nil
	case directory.KindUser:
		u, err := a.dir.User(rq.ctx, rq.tenant, key)
		return string(u.ID), err
	}
	g, err := a.dir.Group(rq.ctx, rq.tenant, key)
	return string(g.ID), err
}

// checkMemberGroups answers POST /{groups|users|directoryObjects}/{id}/checkMemberGroups
// {"groupIds": [...]}: those of the groups the object is in, transitively.
func (a *api) checkMemberGroups(kind directory.ObjectKind) handlerFunc {
	return func(rq *request) error {
		obj, err := functionBody(rq, "groupIds")
		if err != nil {
			return err
		}
		raw, ok := obj.Get("groupIds")
		if !ok {
			return badRequest(codeBadRequest, "The parameter 'groupIds' is required.")
		}
		list, ok := httpx.Strings(raw)
		if !ok {
			return invalidParam("groupIds")
		}
		ids := make([]directory.ObjectID, len(list))
		for i, s := range list {
			if ids[i], ok = directory.ParseObjectID(s); !ok {
				return badRequest(codeBadRequest, "Invalid object identifier '%s'.", s)
			}
		}
		id, err := a.subject(rq, kind)
		if err != nil {
			return err
		}
		in, err := a.dir.CheckMemberGroups(rq.ctx, rq.tenant, id, ids)
		if err != nil {
			return err
		}
		return sendJSON(rq.w, http.StatusOK, idsResult{Metadata: rq.metadata(stringsFragment), Value: in})
	}
}

// getMemberGroups answers POST /{groups|users|directoryObjects}/{id}/getMemberGroups (and,
// with objects, getMemberObjects) {"securityEnabledOnly": bool}: every
// group the object is in, transitively, at most MaxMemberGroups.
func (a *api) getMemberGroups(kind directory.ObjectKind, objects bool) handlerFunc {
	return func(rq *request) error {
		obj, err := functionBody(rq, "securityEnabledOnly")
		if err != nil {
			return err
		}
		securityOnly := false
		if v, ok := obj.Get("securityEnabledOnly"); ok && !httpx.IsNull(v) {
			if securityOnly, ok = httpx.Bool(v); !ok {
				return invalidParam("securityEnabledOnly")
			}
		}
		id, err := a.subject(rq, kind)
		if err != nil {
			return err
		}
		get := a.dir.GetMemberGroups
		if objects {
			get = a.dir.GetMemberObjects
		}
		ids, err := get(rq.ctx, rq.tenant, id, securityOnly, MaxMemberGroups)
		if err != nil {
			return err
		}
		return sendJSON(rq.w, http.StatusOK, idsResult{Metadata: rq.metadata(stringsFragment), Value: ids})
	}
}
