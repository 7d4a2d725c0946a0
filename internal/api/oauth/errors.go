package oauth

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"groupd/internal/api/httpx"
)

// oauthError is an error answer of the token endpoint: an RFC 6749 error
// code plus Entra's AADSTS code, which clients print and documentation
// explains.
type oauthError struct {
	status     int
	code       string // RFC 6749 error
	aadsts     int
	msg        string
	retryAfter int // seconds, for 429
}

func (e *oauthError) Error() string { return fmt.Sprintf("%s: AADSTS%d: %s", e.code, e.aadsts, e.msg) }

func oerr(status int, code string, aadsts int, format string, args ...any) *oauthError {
	return &oauthError{status: status, code: code, aadsts: aadsts, msg: fmt.Sprintf(format, args...)}
}

func missingParam(name string) *oauthError {
	return oerr(http.StatusBadRequest, "invalid_request", 900144,
		"The request body must contain the following parameter: '%s'.", name)
}

// errInvalidClient is the one answer to an unknown app, an app of another
// tenant, a wrong secret and a bad assertion, so that none of them tells
// whether an appId exists.
func errInvalidClient(appID string) *oauthError {
	return oerr(http.StatusUnauthorized, "invalid_client", 7000215,
		"Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", appID)
}

func errDisabled(appID string) *oauthError {
	return oerr(http.StatusBadRequest, "unauthorized_client", 7000112,
		"Application '%s' is disabled.", appID)
}

type errorBody struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	ErrorCodes       []int  `json:"error_codes"`
	Timestamp        string `json:"timestamp"`
	TraceID          string `json:"trace_id"`
	CorrelationID    string `json:"correlation_id"`
	ErrorURI         string `json:"error_uri,omitempty"`
}

// writeError renders e as Entra does: the description starts with the
// AADSTS code and ends with trace and correlation ids and a timestamp.
func writeError(w http.ResponseWriter, r *http.Request, e *oauthError) {
	now := time.Now().UTC()
	trace := httpx.RequestID(r.Context())
	corr := httpx.ClientRequestID(r.Context())
	ts := now.Format("2006-01-02 15:04:05Z")
	body := errorBody{
		Error: e.code,
		ErrorDescription: fmt.Sprintf("AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s",
			e.aadsts, e.msg, trace, corr, ts),
		ErrorCodes: []int{e.aadsts}, Timestamp: ts, TraceID: trace, CorrelationID: corr,
		ErrorURI: httpx.Origin(r) + "/error?code=" + strconv.Itoa(e.aadsts),
	}
	h := w.Header()
	if e.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(e.retryAfter))
	}
	if e.status == http.StatusUnauthorized {
		// RFC 6749 5.2: a client that failed to authenticate gets a challenge.
		h.Set("WWW-Authenticate", `Basic realm="`+httpx.Origin(r)+`"`)
	}
	writeJSON(w, e.status, body)
}

// writeJSON sends v with its Content-Length, so that HEAD, whose body the
// server drops, still tells the length GET would send.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Unreachable: every value sent here is strings, numbers and lists.
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	b = append(b, '\n')
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("Cache-Control", "no-store, no-cache")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(b) // the client is gone if this fails
}
