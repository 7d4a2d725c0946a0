package msgraph

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"

	"github.com/go-chi/chi/v5"

	"groupd/internal/api/httpx"
	"groupd/internal/auth"
	"groupd/internal/directory"
)

// Config wires the dialect to the directory and the authenticators.
type Config struct {
	Directory *directory.Service
	Basic     *auth.Basic
	// Tokens verifies bearer tokens; nil refuses them.
	Tokens *auth.Tokens
	Logger *slog.Logger
}

// api is the dialect: the directory it translates for and its router.
type api struct {
	dir    *directory.Service
	authn  auth.Authenticator
	log    *slog.Logger
	router *chi.Mux
	// grammar names the segment of an unknown path (segments.go).
	grammar grammar
}

// New returns the Microsoft Graph v1.0 handler, to be mounted at /v1.0.
// The server must wrap it in httpx.WithRequestIDs.
func New(cfg Config) http.Handler {
	a := &api{dir: cfg.Directory, authn: auth.Authenticator{Basic: cfg.Basic, Tokens: cfg.Tokens}, log: cfg.Logger}
	if a.log == nil {
		a.log = slog.Default()
	}
	r := chi.NewRouter()
	r.Use(httpx.HeadAsGet(r), unqualifyOperations)
	a.router = r
	r.NotFound(a.canonicalRetry(a.endpoint(auth.NeedSignedIn, optAny, "", a.notFound)).ServeHTTP)
	r.MethodNotAllowed(a.canonicalRetry(a.endpoint(auth.NeedSignedIn, optAny, "", a.methodNotAllowed)).ServeHTTP)

	// The permission each call needs is the reference's table; see
	// internal/auth/perms.go for the sets.
	r.Get("/organization", a.endpoint(auth.NeedOrganization, optSelect, "Organization", a.listOrganization))
	r.Get("/organization/{id}", a.endpoint(auth.NeedOrganization, optSelect, "Organization", a.getOrganization))

	r.Get("/users", a.endpoint(auth.NeedUserRead, optList, "User", a.listUsers))
	r.Post("/users", a.endpoint(auth.NeedUserWrite, 0, "User", a.createUser))
	r.Post("/invitations", a.endpoint(auth.NeedInvite, 0, "Invitation", a.invite))
	r.Get("/users/{id}", a.endpoint(auth.NeedUserReadSelf, optSelect, "User", a.getUser))
	r.Patch("/users/{id}", a.endpoint(auth.NeedUserWrite, 0, "User", a.updateUser))
	r.Delete("/users/{id}", a.endpoint(auth.NeedUserWrite, 0, "User", a.deleteUser))
	r.Get("/users/{id}/memberOf", a.endpoint(auth.NeedUserMemberOfSelf, optList, "User", a.userMemberOf))
	r.Post("/users/{id}/changePassword", a.endpoint(auth.NeedSignedIn, 0, "User", a.changePassword))

	r.Get("/groups", a.endpoint(auth.NeedGroupRead, optList|optExpand, "Group", a.listGroups))
	r.Post("/groups", a.endpoint(auth.NeedGroupCreate, 0, "Group", a.createGroup))
	r.Get("/groups/{id}", a.endpoint(auth.NeedGroupRead, optSelect|optExpand, "Group", a.getGroup))
	r.Patch("/groups/{id}", a.endpoint(auth.NeedGroupWrite, 0, "Group", a.updateGroup))
	r.Delete("/groups/{id}", a.endpoint(auth.NeedGroupWrite, 0, "Group", a.deleteGroup))
	r.Get("/groups/{id}/memberOf", a.endpoint(auth.NeedGroupRead, optList, "Group", a.groupMemberOf))

	r.Get("/groups/{id}/members", a.endpoint(auth.NeedGroupRead, optList, "Group", a.listMembers))
	r.Get("/groups/{id}/members/$count", a.endpoint(auth.NeedGroupRead, optList, "Group", a.countMembers))
	r.Get("/groups/{id}/members/"+castSegment, a.endpoint(auth.NeedGroupRead, optList, "Group", a.listMembersOfType))
	r.Get("/groups/{id}/members/"+castSegment+"/$count", a.endpoint(auth.NeedGroupRead, optList, "Group", a.countMembersOfType))
	r.Get("/groups/{id}/owners/"+castSegment, a.endpoint(auth.NeedGroupRead, optList, "Group", a.listOwnersOfType))
	r.Get("/groups/{id}/owners/$count", a.endpoint(auth.NeedGroupRead, optList, "Group", a.countOwners))
	r.Get("/groups/{id}/owners/"+castSegment+"/$count", a.endpoint(auth.NeedGroupRead, optList, "Group", a.countOwnersOfType))
	r.Post("/groups/{id}/members/$ref", a.endpoint(auth.NeedMemberWrite, 0, "Group", a.addMember))
	r.Get("/groups/{id}/members/$ref", a.endpoint(auth.NeedGroupRead, optList, "Group", a.listRefs(directory.SourceMembers, "members")))
	r.Get("/groups/{id}/owners/$ref", a.endpoint(auth.NeedGroupRead, optList, "Group", a.listRefs(directory.SourceOwners, "owners")))
	// Removing a non-member is not found; the last owner of a Microsoft
	// 365 group stays (directory).
	r.Delete("/groups/{id}/members/{ref}/$ref", a.endpoint(auth.NeedMemberWrite, 0, "Group", a.removeRelated(a.dir.RemoveMember, refFromPath)))
	r.Delete("/groups/{id}/members/$ref", a.endpoint(auth.NeedMemberWrite, optAny, "Group", a.removeRelated(a.dir.RemoveMember, refFromQuery)))
	r.Get("/groups/{id}/owners", a.endpoint(auth.NeedGroupRead, optList, "Group", a.listOwners))
	r.Post("/groups/{id}/owners/$ref", a.endpoint(auth.NeedOwnerWrite, 0, "Group", a.addOwner))
	r.Delete("/groups/{id}/owners/{ref}/$ref", a.endpoint(auth.NeedOwnerWrite, 0, "Group", a.removeRelated(a.dir.RemoveOwner, refFromPath)))
	r.Delete("/groups/{id}/owners/$ref", a.endpoint(auth.NeedOwnerWrite, optAny, "Group", a.removeRelated(a.dir.RemoveOwner, refFromQuery)))

	r.Get("/directoryObjects/{id}", a.endpoint(auth.NeedObjectRead, optSelect, "DirectoryObject", a.getDirectoryObject))
	r.Post("/directoryObjects/getByIds", a.endpoint(auth.NeedObjectRead, optSelect, "DirectoryObject", a.getByIDs))
	r.Post("/users/getByIds", a.endpoint(auth.NeedUserRead, optSelect, "DirectoryObject", a.getByIDsOf(directory.KindUser)))
	r.Post("/groups/getByIds", a.endpoint(auth.NeedGroupRead, optSelect, "DirectoryObject", a.getByIDsOf(directory.KindGroup)))
	a.mountNesting(r)
	a.mountManager(r)
	a.routeTracking(r)
	a.mountGovernance(r) // settings.go
	a.mountValidateProperties(r)
	a.mountAudit(r)
	a.mountSubscriptions(r)
	r.Post("/$batch", a.endpoint(auth.NeedSignedIn, 0, "", a.batch))
	r.HandleFunc("/me", a.endpoint(auth.NeedSignedIn, optAny, "User", a.me))
	r.HandleFunc("/me/*", a.endpoint(auth.NeedSignedIn, optAny, "User", a.me))
	a.grammar = grammarOf(r)
	return r
}

// request is what every handler gets: the pipeline has authenticated and
// authorised the caller and parsed the query options.
type request struct {
	w      http.ResponseWriter
	r      *http.Request
	ctx    context.Context
	tenant directory.TenantID // the principal's tenant
	q      query
	base   string // <origin>/v1.0
}

// param returns a path parameter, percent-decoded (chi matches the raw path).
func (rq *request) param(name string) string {
	v := chi.URLParam(rq.r, name)
	if strings.IndexByte(v, '%') >= 0 {
		if u, err := url.PathUnescape(v); err == nil {
			return u
		}
	}
	return v
}

type handlerFunc func(rq *request) error

// graphAudiences are the token audiences /v1.0 accepts (the reference's
// "Decisions": not Azure AD Graph's).
var graphAudiences = []string{auth.AudienceGraph}

// endpoint is the pipeline every route runs through, once: recover panics,
// authenticate, attach principal and caller, authorise, parse the query
// options the route accepts, run the handler, and render any error in
// Graph's shape. resource names the entity type in validation messages.
func (a *api) endpoint(need auth.Need, opts option, resource string, h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				a.writeError(w, r, fmt.Errorf("panic: %v\n%s", v, debug.Stack()), resource)
			}
		}()
		ctx := r.Context()
		p, signedIn := dispatchedPrincipal(ctx)
		if !signedIn {
			var err error
			if p, err = a.authn.Authenticate(ctx, r, auth.Want{Origin: httpx.Origin(r), Audiences: graphAudiences}); err != nil {
				a.writeError(w, r, err, resource)
				return
			}
		}
		ctx = auth.WithPrincipal(ctx, p)
		ctx = directory.WithCaller(ctx, directory.Caller{
			Actor: p.Actor(), RequestID: httpx.RequestID(ctx), ClientAddr: httpx.ClientAddr(r), Roles: p.Roles,
		})
		r = r.WithContext(ctx)
		// {id} is the subject a user may act on as itself (permSelf).
		if !p.AllowedFor(need, unescape(chi.URLParam(r, "id"))) {
			a.writeError(w, r, denied(), resource)
			return
		}
		rq := &request{w: w, r: r, ctx: ctx, tenant: p.TenantID, base: httpx.Origin(r) + "/v1.0"}
		err := invalidObjectKey(r)
		if err == nil {
			rq.q, err = parseQuery(r.URL.RawQuery, opts)
		}
		if err == nil {
			err = jsonContent(r)
		}
		if err == nil {
			err = h(rq)
		}
		if err != nil {
			a.writeError(w, r, err, resource)
		}
	}
}

// routePath is the path below the mount point, as chi routes it.
func routePath(r *http.Request) string {
	if rctx := chi.RouteContext(r.Context()); rctx != nil && rctx.RoutePath != "" {
		return rctx.RoutePath
	}
	if r.URL.RawPath != "" {
		return r.URL.RawPath
	}
	return r.URL.Path
}

func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

func (a *api) notFound(rq *request) error {
	return badRequest(codeBadRequest, "Resource not found for the segment '%s'.", a.grammar.unknownSegment(routePath(rq.r)))
}

func (a *api) methodNotAllowed(rq *request) error {
	allowed := httpx.AllowedMethods(a.router, routePath(rq.r))
	if len(allowed) == 0 {
		return a.notFound(rq)
	}
	rq.w.Header().Set("Allow", strings.Join(allowed, ", "))
	return &apiError{status: http.StatusMethodNotAllowed, code: codeRequestBad,
		message: "Specified HTTP method is not allowed for the request target."}
}
