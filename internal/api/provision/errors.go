package provision

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"groupd/internal/api/entra"
	"groupd/internal/api/httpx"
	"groupd/internal/auth"
	"groupd/internal/directory"
)

// apiError is an error in GT365's shape: Microsoft Graph's error object
// with innerError {request-id, date} and, where a property is named,
// details [{target, code}]. plain errors are answered as text/plain, as
// GT365 answers a bad visibility.
type apiError struct {
	status  int
	code    string
	message string
	target  string
	detail  string
	plain   bool
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func badRequest(code, msg, target, detail string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: code, message: msg, target: target, detail: detail}
}

func denied() *apiError {
	return &apiError{status: http.StatusForbidden, code: "Authorization_RequestDenied",
		message: entra.Denied}
}

// msgVisibility is GT365's answer to a missing or unknown visibility.
const msgVisibility = "No visibility (Private|Public) was provided or had a wrong label."

func visibilityError() *apiError {
	return &apiError{status: http.StatusBadRequest, message: msgVisibility, plain: true}
}

func mapError(err error) (*apiError, bool) {
	var (
		ae  *apiError
		be  *httpx.BodyError
		ce  *directory.ConflictError
		ve  *directory.ValidationError
		upe *directory.UnknownPrincipalError
		le  *directory.LimitError
		ime *directory.IdempotencyMismatchError
		te  *directory.TeamError
		rue *directory.RuleError
		gpe *directory.GuestPolicyError
	)
	switch {
	case errors.As(err, &ae):
		return ae, true
	case errors.As(err, &be):
		switch be.Problem {
		case httpx.BodyTooLarge:
			return &apiError{status: http.StatusRequestEntityTooLarge, code: "RequestEntityTooLarge", message: be.Detail}, true
		case httpx.BodyUnsupportedMedia:
			return &apiError{status: http.StatusUnsupportedMediaType, code: "UnsupportedMediaType", message: be.Detail}, true
		}
		return badRequest("BadRequest", be.Detail, "", ""), true
	case errors.As(err, &upe):
		who := "Member"
		if upe.Relation == "owners" {
			who = "Team owner"
		}
		return badRequest("InvalidRequest", who+" not found for "+upe.Value+".", "", ""), true
	case errors.As(err, &ime):
		return &apiError{status: http.StatusConflict, code: "InvalidRequest",
			message: "The Idempotency-Key " + strconv.Quote(ime.Key) + " was already used for a different request."}, true
	case errors.As(err, &ce):
		return badRequest("Request_BadRequest", "Another object with the same value for property "+ce.Property+" already exists.",
			ce.Property, "ObjectConflict"), true
	case errors.As(err, &ve):
		return validation(ve), true
	case errors.As(err, &le):
		return badRequest("Request_BadRequest", fmt.Sprintf("At most %d values are allowed in %s.", le.Limit, le.What),
			le.What, "LimitExceeded"), true
	case errors.As(err, &te):
		return badRequest("InvalidRequest", "The team could not be created: "+te.Error()+".", "", ""), true
	case errors.As(err, &rue):
		return badRequest("Request_BadRequest", "The owners or members break a membership rule.", "", ""), true
	case errors.As(err, &gpe):
		return guestRefused(gpe), true
	case errors.Is(err, directory.ErrForbidden):
		return denied(), true
	case errors.Is(err, auth.ErrNoCredentials), errors.Is(err, directory.ErrUnauthorized):
		// GT365 relays Microsoft Graph's answer to a token it cannot use:
		// the seed's message is Graph's for a value that is no token.
		msg := "Access token validation failure."
		switch {
		case errors.Is(err, auth.ErrNoCredentials):
			msg = "Access token is empty."
		case errors.Is(err, auth.ErrMalformedToken):
			msg = "CompactToken parsing failed with error code: 80049217"
		case errors.Is(err, auth.ErrExpiredToken):
			msg = "Lifetime validation failed, the token is expired."
		case errors.Is(err, auth.ErrTokenAudience):
			msg = "Access token validation failure. Invalid audience."
		}
		return &apiError{status: http.StatusUnauthorized, code: "InvalidAuthenticationToken", message: msg}, true
	case errors.Is(err, directory.ErrUnavailable):
		return &apiError{status: http.StatusServiceUnavailable, code: "ServiceUnavailable",
			message: "The service is temporarily unavailable. Retry the request later."}, true
	}
	return nil, false
}

func validation(ve *directory.ValidationError) *apiError {
	p := ve.Property
	switch ve.Reason {
	case directory.ReasonRequired:
		return badRequest("Request_BadRequest", "Property "+p+" is required.", p, "PropertyRequired")
	case directory.ReasonTooLong:
		return badRequest("Request_BadRequest", fmt.Sprintf("Property %s has an invalid value. It must be at most %d characters.", p, ve.Limit), p, "InvalidLength")
	}
	msg := "Property " + p + " has an invalid value."
	if ve.Detail != "" {
		msg += " " + upperFirst(ve.Detail) + "."
	}
	return badRequest("Request_BadRequest", msg, p, "InvalidValue")
}

func upperFirst(s string) string {
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		return string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

type errorBody struct {
	Error errorObject `json:"error"`
}

type errorObject struct {
	Code       string        `json:"code"`
	Message    string        `json:"message"`
	InnerError innerError    `json:"innerError"`
	Details    []errorDetail `json:"details,omitempty"`
}

type innerError struct {
	RequestID string `json:"request-id"`
	Date      string `json:"date"`
}

type errorDetail struct {
	Target string `json:"target"`
	Code   string `json:"code"`
}

// writeError answers err in GT365's shape; internal errors are logged
// with the request id and answered without their text.
func (a *api) writeError(w http.ResponseWriter, r *http.Request, err error) {
	ctx := r.Context()
	rid := httpx.RequestID(ctx)
	e, ok := mapError(err)
	if !ok {
		httpx.LogInternal(ctx, a.log, "provision", r, err)
		e = &apiError{status: http.StatusInternalServerError, code: "InternalServerError",
			message: "An internal error occurred. Quote request-id " + rid + " when reporting it."}
	}
	h := w.Header()
	if e.status == http.StatusUnauthorized {
		httpx.BearerChallenge(h, r)
	}
	if e.status == http.StatusServiceUnavailable {
		h.Set("Retry-After", "5")
	}
	if e.plain {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(e.status)
		_, _ = w.Write([]byte(e.message)) // a failed write means the client went away
		return
	}
	body := errorBody{Error: errorObject{Code: e.code, Message: e.message,
		InnerError: innerError{RequestID: rid, Date: time.Now().UTC().Format("2006-01-02T15:04:05")}}}
	if e.target != "" {
		body.Error.Details = []errorDetail{{Target: e.target, Code: e.detail}}
	}
	writeJSON(w, e.status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(`{}`)
	}
	writeRaw(w, status, b)
}

func writeRaw(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b) // a failed write means the client went away
}

// guestRefused is Entra's answer when the tenant's Group.Unified setting
// keeps a guest out of a Microsoft 365 group's members or owners.
func guestRefused(e *directory.GuestPolicyError) *apiError {
	return &apiError{status: http.StatusForbidden, code: "Authorization_RequestDenied", message: entra.GuestRefused(e.Relation)}
}
