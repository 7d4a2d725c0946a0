package httpx

import (
	"context"
	"log/slog"
	"net/http"
)

// BearerChallenge sets the WWW-Authenticate header Microsoft's APIs send
// with a 401 for a missing or bad bearer token, pointing at this server's
// authorize endpoint.
func BearerChallenge(h http.Header, r *http.Request) {
	h.Set("WWW-Authenticate", `Bearer realm="", authorization_uri="`+Origin(r)+
		`/common/oauth2/authorize", error="invalid_token"`)
}

// LogInternal logs an error no dialect maps to an answer, with what the
// operator needs to find the request; the caller gets only its request id.
func LogInternal(ctx context.Context, log *slog.Logger, dialect string, r *http.Request, err error) {
	log.ErrorContext(ctx, dialect+": internal error", "request_id", RequestID(ctx),
		"method", r.Method, "path", r.URL.Path, "err", err.Error())
}
