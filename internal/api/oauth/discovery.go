package oauth

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"groupd/internal/api/httpx"
)

// issuerPlaceholder stands for the tenant in the issuer of a multi-tenant
// document, as Entra writes it: a validator of tokens from any tenant
// puts a token's tid there before comparing (Microsoft.Identity.Web, MSAL).
const issuerPlaceholder = "{tenantid}"

// authority is what a discovery path's {tenant} names: one tenant, by id,
// or every tenant (common, organizations), whose document names its
// endpoints by that word and its issuer by issuerPlaceholder.
type authority struct {
	endpoints string // the path segment of the endpoint URLs
	issuer    string // the path segment of the issuer
}

// documentAuthority resolves a discovery or JWKS path's {tenant}. common
// and organizations are served, as Entra serves them: a client pointed at
// them then gets the token endpoint's own refusal of client credentials
// without a tenant, and a validator of groupd's tokens gets the keys.
// consumers, the personal accounts' tenant, has no counterpart here.
func (a *api) documentAuthority(ctx context.Context, key string) (authority, *oauthError, error) {
	switch k := strings.ToLower(key); k {
	case "common", "organizations":
		return authority{endpoints: k, issuer: issuerPlaceholder}, nil, nil
	case "consumers":
		return authority{}, oerr(http.StatusBadRequest, "invalid_request", 90002,
			"Tenant 'consumers' not found: groupd holds no personal Microsoft accounts. Use a tenant id, a verified domain, 'organizations' or 'common'."), nil
	}
	t, oe, err := a.tenantFor(ctx, key)
	if oe != nil || err != nil {
		return authority{}, oe, err
	}
	return authority{endpoints: string(t.ID), issuer: string(t.ID)}, nil, nil
}

// discovery serves the OpenID configuration of a tenant, or of every
// tenant. Every URL in it is built from the origin the client used: MSAL
// checks that the issuer's scheme, host and port equal its authority's.
func (a *api) discovery(v1 bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		au, oe, err := a.documentAuthority(r.Context(), chi.URLParam(r, "tenant"))
		if err != nil {
			a.internal(w, r, err)
			return
		}
		if oe != nil {
			writeError(w, r, oe)
			return
		}
		origin := httpx.Origin(r)
		base := origin + "/" + au.endpoints
		doc := map[string]any{
			"token_endpoint":                        base + "/oauth2/v2.0/token",
			"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
			"jwks_uri":                              base + "/discovery/v2.0/keys",
			"response_modes_supported":              []string{"query", "fragment", "form_post"},
			"subject_types_supported":               []string{"pairwise"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
			"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
			// Our tokens carry the v2.0 issuer whichever endpoint issued
			// them (see the reference's decisions), so v1 names it too.
			"issuer":                          origin + "/" + au.issuer + "/v2.0",
			"request_uri_parameter_supported": false,
			"authorization_endpoint":          base + "/oauth2/v2.0/authorize",
			"device_authorization_endpoint":   base + "/oauth2/v2.0/devicecode",
			"end_session_endpoint":            base + "/oauth2/v2.0/logout",
			"http_logout_supported":           true,
			"frontchannel_logout_supported":   true,
			"claims_supported":                []string{"sub", "iss", "aud", "exp", "iat", "nbf", "tid", "ver", "oid", "roles", "appid", "azp"},
			"tenant_region_scope":             nil,
			"cloud_instance_name":             r.Host,
			"cloud_graph_host_name":           "graph.windows.net",
			"msgraph_host":                    "graph.microsoft.com",
		}
		if v1 {
			doc["token_endpoint"] = base + "/oauth2/token"
			doc["authorization_endpoint"] = base + "/oauth2/authorize"
			doc["end_session_endpoint"] = base + "/oauth2/logout"
			doc["jwks_uri"] = base + "/discovery/keys"
		}
		writeJSON(w, http.StatusOK, doc)
	}
}

// keys serves the JWKS: the active key and retired keys whose tokens may
// still be valid. The set is the same for every tenant.
func (a *api) keys(w http.ResponseWriter, r *http.Request) {
	if t := chi.URLParam(r, "tenant"); t != "" {
		_, oe, err := a.documentAuthority(r.Context(), t)
		if err != nil {
			a.internal(w, r, err)
			return
		}
		if oe != nil {
			writeError(w, r, oe)
			return
		}
	}
	b, err := a.tokens.JWKS(r.Context())
	if err != nil {
		a.internal(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	// Short enough that a rotation reaches verifiers well within a token's
	// lifetime.
	h.Set("Cache-Control", "max-age=300")
	_, _ = w.Write(b)
}
