package aadgraph

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"

	"github.com/go-chi/chi/v5"

	"groupd/internal/api/httpx"
	"groupd/internal/auth"
	"groupd/internal/directory"
)

// TenantShaped reports whether seg can name a tenant: myorganization, a
// GUID or a domain name (dot-separated labels ending in letters).
func TenantShaped(seg string) bool {
	if strings.EqualFold(seg, "myorganization") {
		return true
	}
	if _, ok := directory.ParseTenantID(seg); ok {
		return true
	}
	labels := strings.Split(seg, ".")
	if len(labels) < 2 {
		return false
	}
	for i, l := range labels {
		if l == "" || len(l) > 63 {
			return false
		}
		for _, c := range l {
			letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
			if !letter && (i == len(labels)-1 || !(c >= '0' && c <= '9' || c == '-')) {
				return false
			}
		}
	}
	return true
}

// request is what every handler gets: the pipeline has checked the
// api-version, authenticated the caller, matched the path's tenant and
// checked the permission.
type request struct {
	w      http.ResponseWriter
	r      *http.Request
	ctx    context.Context
	tenant directory.TenantID
	// base is <origin>/{tenant} with {tenant} as the caller wrote it, the
	// root of every URL in responses.
	base  string
	query url.Values
}

// param returns a path parameter, percent-decoded.
func (rq *request) param(name string) string {
	v := chi.URLParam(rq.r, name)
	if u, err := url.PathUnescape(v); err == nil {
		return u
	}
	return v
}

type handlerFunc func(rq *request) error

// audiences: tokens for Azure AD Graph only (the reference's "Decisions").
var audiences = []string{auth.AudienceAADGraph}

// endpoint is the pipeline every route runs through, once: recover
// panics, check api-version, authenticate, match the path's tenant with
// the caller's, authorise, run the handler, and render any error in this
// dialect's shape.
func (a *api) endpoint(need auth.Need, h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				a.writeError(w, r, fmt.Errorf("panic: %v\n%s", v, debug.Stack()))
			}
		}()
		if err := a.serve(w, r, need, h); err != nil {
			a.writeError(w, r, err)
		}
	}
}

func (a *api) serve(w http.ResponseWriter, r *http.Request, need auth.Need, h handlerFunc) error {
	values, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		return err
	}
	if err := checkVersion(values); err != nil {
		return err
	}
	ctx := r.Context()
	p, err := a.authn.Authenticate(ctx, r, auth.Want{Origin: httpx.Origin(r), Audiences: audiences})
	if err != nil {
		return err
	}
	seg := tenantSegment(r)
	if err := a.matchTenant(ctx, seg, p.TenantID); err != nil {
		return err
	}
	ctx = auth.WithPrincipal(ctx, p)
	ctx = directory.WithCaller(ctx, directory.Caller{
		Actor: p.Actor(), RequestID: httpx.RequestID(ctx), ClientAddr: httpx.ClientAddr(r), Roles: p.Roles,
	})
	r = r.WithContext(ctx)
	if !p.Allowed(need) {
		return denied()
	}
	return h(&request{w: w, r: r, ctx: ctx, tenant: p.TenantID, base: httpx.Origin(r) + "/" + seg, query: values})
}

// parseQuery reads the query string. A parameter that cannot be read is
// skipped when it is no OData option (the seed's samples send "&amp;"),
// and refused when it might be one, so that no option is ever ignored.
func parseQuery(raw string) (url.Values, error) {
	values := url.Values{}
	for p := range httpx.SplitQuery(raw) {
		k := p.RawKey
		switch {
		case p.Err == nil && !strings.Contains(k, ";"):
			values[p.Key] = append(values[p.Key], p.Value)
		case strings.HasPrefix(k, "$") || strings.HasPrefix(strings.ToLower(k), "%24") || strings.HasPrefix(k, "api-version"):
			return nil, badRequest(codeBadRequest, "The query parameter '%s' is not valid.", k)
		}
	}
	return values, nil
}

// tenantSegment is the path's first segment, as the caller wrote it.
func tenantSegment(r *http.Request) string {
	seg, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	return seg
}

// checkVersion requires api-version=1.6 on every call, DELETE included.
func checkVersion(values url.Values) error {
	v, ok := values["api-version"]
	switch {
	case !ok || len(v) == 0 || v[0] == "":
		return badRequest(codeBadRequest, "The api-version query parameter is not present.")
	case len(v) > 1 || v[0] != APIVersion:
		return badRequest(codeBadRequest, "The specified api-version is invalid. The value must exactly match a supported version.")
	}
	return nil
}

// matchTenant checks that the path's {tenant} names the caller's tenant:
// myorganization always does; a tenant id must be the caller's; a domain
// must be one the caller's tenant verified.
func (a *api) matchTenant(ctx context.Context, seg string, tenant directory.TenantID) error {
	if strings.EqualFold(seg, "myorganization") {
		return nil
	}
	if id, ok := directory.ParseTenantID(seg); ok {
		if id == tenant {
			return nil
		}
		return foreignTenant(seg)
	}
	t, err := a.dir.Tenant(ctx, tenant)
	if err != nil {
		return err
	}
	if t.HasDomain(seg) {
		return nil
	}
	return foreignTenant(seg)
}
