package httpx

import (
	"context"
	"net/http"
	"strings"

	"github.com/google/uuid"
)

type ctxKey int

const (
	requestIDKey ctxKey = iota
	clientRequestIDKey
	originKey
)

// MaxClientRequestIDLen bounds an echoed client-request-id so a client
// cannot make responses arbitrarily large.
const MaxClientRequestIDLen = 128

// WithRequestIDs assigns a request id, echoes client-request-id (or the
// request id when the client sent none, as Microsoft Graph does) and sets
// both response headers before the handler runs.
func WithRequestIDs(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rid := uuid.NewString()
		crid := strings.TrimSpace(r.Header.Get("client-request-id"))
		if crid == "" || len(crid) > MaxClientRequestIDLen {
			crid = rid
		}
		h := w.Header()
		h["Request-Id"] = []string{rid}
		h["Client-Request-Id"] = []string{crid}
		ctx := context.WithValue(r.Context(), requestIDKey, rid)
		ctx = context.WithValue(ctx, clientRequestIDKey, crid)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// RequestID returns the id WithRequestIDs gave the request.
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey).(string)
	return s
}

// ClientRequestID returns the echoed client-request-id.
func ClientRequestID(ctx context.Context) string {
	s, _ := ctx.Value(clientRequestIDKey).(string)
	return s
}

// WithOrigin records the scheme://host[:port] the client used, as decided by
// the server (its --public-url values, or the request itself).
func WithOrigin(ctx context.Context, origin string) context.Context {
	return context.WithValue(ctx, originKey, origin)
}

// Origin returns the recorded origin; without one it is built from r.
func Origin(r *http.Request) string {
	if s, ok := r.Context().Value(originKey).(string); ok && s != "" {
		return s
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// ClientAddr is the remote address without port.
func ClientAddr(r *http.Request) string {
	addr := r.RemoteAddr
	if i := strings.LastIndexByte(addr, ':'); i > 0 && !strings.HasSuffix(addr, "]") {
		addr = addr[:i]
	}
	return strings.Trim(addr, "[]")
}
