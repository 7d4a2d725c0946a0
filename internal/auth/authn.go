package auth

import (
	"context"
	"net/http"
	"strings"

	"groupd/internal/directory"
)

// Authenticator reads either kind of credential a dialect accepts: HTTP
// Basic (users) or a bearer token (applications).
type Authenticator struct {
	Basic  *Basic
	Tokens *Tokens // nil: bearer tokens are refused
}

// Authenticate returns the principal of r. A bearer token is verified
// against want; anything else goes to Basic. Errors: ErrNoCredentials,
// directory.ErrUnauthorized (wrapped by ErrInvalidToken for tokens), or a
// store error.
func (a Authenticator) Authenticate(ctx context.Context, r *http.Request, want Want) (Principal, error) {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		if a.Tokens == nil {
			return Principal{}, ErrInvalidToken
		}
		return a.Tokens.Verify(ctx, strings.TrimSpace(h[7:]), want)
	}
	p, err := a.Basic.Authenticate(ctx, r)
	if err == ErrNoCredentials && h != "" {
		// Credentials of a kind groupd cannot check are invalid, not missing.
		return Principal{}, directory.ErrUnauthorized
	}
	return p, err
}
