// Package oauth is groupd's identity platform endpoint, shaped like
// Microsoft Entra's: the client credentials token endpoints (v2.0 with
// scope, v1 with resource), OpenID discovery documents and the signing
// keys (JWKS), under /{tenant}/... where {tenant} is a tenant id or one of
// its verified domains; the documents and keys are also served under
// common and organizations, as Entra serves them. It owns the OAuth wire
// shapes (form in, JSON out, AADSTS-coded errors) and the slowing down of
// failed client logins; tokens themselves are internal/auth's,
// applications internal/directory's.
package oauth
