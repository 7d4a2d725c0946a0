package oauth

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"groupd/internal/api/httpx"
	"groupd/internal/auth"
	"groupd/internal/directory"
)

// maxFormBytes bounds a token request; MSAL's forms are about 2 KiB, an
// assertion with a certificate chain a few more.
const maxFormBytes = 64 << 10

const assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// tokenRequest is the part of the form groupd uses; MSAL's telemetry and
// capability fields (x-client-*, client-request-id, claims, ...) are read
// by nobody, on purpose.
type tokenRequest struct {
	grantType, clientID, secret, assertionType, assertion, scope, resource string
}

// token is the client credentials grant: v2.0 with scope, v1 with resource.
func (a *api) token(v1 bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		req, oe := readForm(w, r)
		if oe != nil {
			writeError(w, r, oe)
			return
		}
		t, oe, err := a.tenantFor(ctx, chi.URLParam(r, "tenant"))
		if err != nil {
			a.internal(w, r, err)
			return
		}
		if oe != nil {
			writeError(w, r, oe)
			return
		}
		if oe := checkGrant(req); oe != nil {
			writeError(w, r, oe)
			return
		}
		aud, oe := audience(r, req, v1)
		if oe != nil {
			writeError(w, r, oe)
			return
		}
		key := throttleKey(strings.ToLower(req.clientID), httpx.ClientAddr(r))
		if left := a.throttle.wait(key); left > 0 {
			e := oerr(http.StatusTooManyRequests, "temporarily_unavailable", 50196,
				"Too many failed client authentications for '%s'; retry later.", req.clientID)
			e.retryAfter = int(left/time.Second) + 1
			writeError(w, r, e)
			return
		}
		app, err := a.authenticate(r, t, req)
		var ce *directory.ClientError
		switch {
		case errors.As(err, &ce):
			a.throttle.fail(key)
			if ce.Reason == directory.ClientDisabled {
				writeError(w, r, errDisabled(req.clientID))
			} else {
				writeError(w, r, errInvalidClient(req.clientID))
			}
			return
		case err != nil:
			var e *oauthError
			if errors.As(err, &e) {
				writeError(w, r, e)
				return
			}
			a.internal(w, r, err)
			return
		}
		a.throttle.succeed(key)
		raw, exp, err := a.tokens.Issue(ctx, httpx.Origin(r), app, aud)
		if err != nil {
			a.internal(w, r, err)
			return
		}
		secs := int(auth.TokenLifetime / time.Second)
		if v1 {
			now := exp.Add(-auth.TokenLifetime)
			writeJSON(w, http.StatusOK, map[string]string{
				"token_type": "Bearer", "expires_in": strconv.Itoa(secs), "ext_expires_in": strconv.Itoa(secs),
				"expires_on": strconv.FormatInt(exp.Unix(), 10), "not_before": strconv.FormatInt(now.Unix(), 10),
				"resource": req.resource, "access_token": raw,
			})
			return
		}
		// Integers: MSAL Go fails on 3599.0 and msal-node stops caching
		// without expires_in.
		writeJSON(w, http.StatusOK, struct {
			TokenType    string `json:"token_type"`
			ExpiresIn    int    `json:"expires_in"`
			ExtExpiresIn int    `json:"ext_expires_in"`
			AccessToken  string `json:"access_token"`
		}{"Bearer", secs, secs, raw})
	}
}

func readForm(w http.ResponseWriter, r *http.Request) (tokenRequest, *oauthError) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		return tokenRequest{}, oerr(http.StatusBadRequest, "invalid_request", 900144,
			"The request body must contain the following parameter: 'grant_type'. Send it as application/x-www-form-urlencoded.")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return tokenRequest{}, oerr(http.StatusRequestEntityTooLarge, "invalid_request", 90056, "The request body is too large.")
		}
		return tokenRequest{}, oerr(http.StatusBadRequest, "invalid_request", 90014, "The request body is not a valid form.")
	}
	f := r.PostForm
	if oe := onceEach(f); oe != nil {
		return tokenRequest{}, oe
	}
	req := tokenRequest{
		grantType: f.Get("grant_type"), clientID: strings.TrimSpace(f.Get("client_id")),
		secret: f.Get("client_secret"), assertionType: f.Get("client_assertion_type"),
		assertion: f.Get("client_assertion"), scope: f.Get("scope"), resource: f.Get("resource"),
	}
	if req.secret != "" && req.assertion != "" {
		return tokenRequest{}, errTwoMethods("client_secret and client_assertion")
	}
	if !hasBasic(r) {
		return req, nil
	}
	// client_secret_basic. Whichever credential the server read, a client
	// that sent two could be let in by the other one, so RFC 6749 2.3.1
	// forbids more than one method per request; even a wrong or unreadable
	// header counts, since it is what the client meant to send.
	if req.secret != "" || req.assertion != "" {
		return tokenRequest{}, errTwoMethods("an Authorization header and a credential in the body")
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		return req, nil // no credential at all: checkGrant asks for one
	}
	// RFC 6749 2.3.1 form-encodes both parts; groupd's ids and secrets are
	// unreserved characters, which decode to themselves.
	id, secret = formDecode(id), formDecode(secret)
	switch {
	case req.clientID == "":
		req.clientID = id
	case !strings.EqualFold(req.clientID, id):
		return tokenRequest{}, oerr(http.StatusBadRequest, "invalid_request", 90100,
			"The client_id in the request body '%s' is not the client id of the Authorization header.", req.clientID)
	}
	req.secret = secret
	return req, nil
}

// oauthParams are the parameters RFC 6749 3.2 allows once per request.
var oauthParams = []string{"grant_type", "client_id", "client_secret", "client_assertion_type",
	"client_assertion", "scope", "resource"}

// onceEach refuses a form that repeats an OAuth parameter: which copy
// counts would otherwise be the server's guess.
func onceEach(f url.Values) *oauthError {
	for _, p := range oauthParams {
		if len(f[p]) > 1 {
			return oerr(http.StatusBadRequest, "invalid_request", 90100,
				"The request body must contain the parameter '%s' only once.", p)
		}
	}
	return nil
}

func formDecode(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// hasBasic reports whether the request carries HTTP Basic credentials,
// readable or not.
func hasBasic(r *http.Request) bool {
	scheme, _, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	return strings.EqualFold(scheme, "Basic")
}

func errTwoMethods(what string) *oauthError {
	return oerr(http.StatusBadRequest, "invalid_request", 90100,
		"The request authenticates the client more than once (%s). Send the client secret only once, either as client_secret in the body or in an HTTP Basic Authorization header, or send a client_assertion alone.", what)
}

func checkGrant(req tokenRequest) *oauthError {
	switch {
	case req.grantType == "":
		return missingParam("grant_type")
	case req.grantType != "client_credentials":
		return oerr(http.StatusBadRequest, "unsupported_grant_type", 70003,
			"The app requested an unsupported grant type '%s'. groupd issues tokens for client_credentials only.", req.grantType)
	case req.clientID == "":
		return missingParam("client_id")
	case req.secret == "" && req.assertion == "":
		return oerr(http.StatusUnauthorized, "invalid_client", 7000218,
			"The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
	case req.assertion != "" && req.assertionType != assertionType:
		return oerr(http.StatusBadRequest, "invalid_request", 90027,
			"client_assertion_type must be '%s'.", assertionType)
	}
	return nil
}

// audience maps the requested scope (v2.0) or resource (v1) to the token
// audience. Extra OpenID scopes (openid, offline_access, profile, email)
// come with every MSAL request and mean nothing for app tokens.
func audience(r *http.Request, req tokenRequest, v1 bool) (string, *oauthError) {
	origin := httpx.Origin(r)
	resourceAud := func(res string) (string, bool) {
		switch strings.TrimSuffix(strings.ToLower(res), "/") {
		case auth.AudienceGraph, "00000003-0000-0000-c000-000000000000", strings.ToLower(origin):
			return auth.AudienceGraph, true
		case auth.AudienceAADGraph, "00000002-0000-0000-c000-000000000000":
			return auth.AudienceAADGraph, true
		}
		return "", false
	}
	if v1 {
		if req.resource == "" {
			return "", missingParam("resource")
		}
		if aud, ok := resourceAud(req.resource); ok {
			return aud, nil
		}
		return "", oerr(http.StatusBadRequest, "invalid_resource", 500011,
			"The resource principal named %s was not found in the tenant.", req.resource)
	}
	if strings.TrimSpace(req.scope) == "" {
		return "", missingParam("scope")
	}
	aud := ""
	for _, s := range strings.Fields(req.scope) {
		switch strings.ToLower(s) {
		case "openid", "offline_access", "profile", "email":
			continue
		}
		res, ok := strings.CutSuffix(s, "/.default")
		a, known := resourceAud(res)
		if !ok || !known || (aud != "" && aud != a) {
			return "", oerr(http.StatusBadRequest, "invalid_scope", 1002012,
				"The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", s)
		}
		aud = a
	}
	if aud == "" {
		return "", oerr(http.StatusBadRequest, "invalid_scope", 1002012,
			"The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", req.scope)
	}
	return aud, nil
}

// authenticate checks the client's secret or assertion in tenant t.
func (a *api) authenticate(r *http.Request, t directory.Tenant, req tokenRequest) (directory.Application, error) {
	ctx := r.Context()
	if req.assertion == "" {
		return a.dir.AuthenticateClient(ctx, t.ID, req.clientID, req.secret)
	}
	app, err := a.dir.ClientApplication(ctx, t.ID, req.clientID)
	var ce *directory.ClientError
	if err != nil && !(errors.As(err, &ce) && ce.Reason == directory.ClientDisabled) {
		return directory.Application{}, err
	}
	// A disabled app is named as such only to a client that proved it is
	// that app, as with secrets.
	if verr := verifyAssertion(r, t, app, req.assertion); verr != nil {
		a.log.InfoContext(ctx, "oauth: client assertion refused", "app_id", app.AppID, "err", verr.Error())
		return directory.Application{}, &directory.ClientError{Reason: directory.ClientInvalid}
	}
	return app, err
}
