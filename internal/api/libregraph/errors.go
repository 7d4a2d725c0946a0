package libregraph

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"groupd/internal/api/httpx"
	"groupd/internal/auth"
	"groupd/internal/directory"
)

// LibreGraph error codes as oCIS spells them (services/graph/pkg/errorcode).
const (
	codeAccessDenied        = "accessDenied"
	codeGeneralException    = "generalException"
	codeInvalidRequest      = "invalidRequest"
	codeItemNotFound        = "itemNotFound"
	codeNameAlreadyExists   = "nameAlreadyExists"
	codeNotAllowed          = "notAllowed"
	codeNotSupported        = "notSupported"
	codeServiceNotAvailable = "serviceNotAvailable"
	codeUnauthenticated     = "unauthenticated"
)

// retryAfterSeconds is the Retry-After sent with 503.
const retryAfterSeconds = "5"

// apiError is an error the dialect itself decides (request shape, refs,
// permissions), already carrying its wire status, code and message.
type apiError struct {
	status int
	code   string
	msg    string
}

func (e *apiError) Error() string { return e.code + ": " + e.msg }

func invalidRequest(format string, args ...any) error {
	return &apiError{status: http.StatusBadRequest, code: codeInvalidRequest, msg: fmt.Sprintf(format, args...)}
}

var errAccessDenied = &apiError{status: http.StatusForbidden, code: codeAccessDenied,
	msg: "the caller is not allowed to perform this action"}

// errorBody is the oCIS error document. oCIS marshals it from maps, so the
// keys come out sorted: code, innererror, message; date, request-id.
type errorBody struct {
	Error errorMain `json:"error"`
}

type errorMain struct {
	Code       string     `json:"code"`
	Innererror innerError `json:"innererror"`
	Message    string     `json:"message"`
}

type innerError struct {
	Date      string `json:"date"`
	RequestID string `json:"request-id"`
}

// writeError renders any error in the LibreGraph shape. Errors the
// directory does not return on purpose are logged with the request id and
// answered with a generic 500 that carries no internal text.
func (a *api) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, code, msg := classify(r, err)
	ctx := r.Context()
	switch status {
	case http.StatusInternalServerError:
		a.log.ErrorContext(ctx, "libregraph: internal error", "request_id", httpx.RequestID(ctx),
			"method", r.Method, "path", r.URL.Path, "err", err)
	case http.StatusServiceUnavailable:
		a.log.WarnContext(ctx, "libregraph: store unavailable", "request_id", httpx.RequestID(ctx),
			"method", r.Method, "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", retryAfterSeconds)
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Basic realm="groupd"`)
	}
	writeJSON(w, status, errorBody{Error: errorMain{
		Code:       code,
		Innererror: innerError{Date: time.Now().UTC().Format(time.RFC3339), RequestID: httpx.RequestID(ctx)},
		Message:    msg,
	}})
}

// classify is the one place that maps errors to status, code and message.
func classify(r *http.Request, err error) (int, string, string) {
	var (
		ae   *apiError
		be   *httpx.BodyError
		nf   *directory.NotFoundError
		ce   *directory.ConflictError
		ve   *directory.ValidationError
		re   *directory.ReferenceExistsError
		rule *directory.RuleError
		le   *directory.LimitError
		fe   *directory.ForbiddenError
		gpe  *directory.GuestPolicyError
	)
	switch {
	case errors.As(err, &ae):
		return ae.status, ae.code, ae.msg
	case errors.As(err, &be):
		switch be.Problem {
		case httpx.BodyTooLarge:
			return http.StatusRequestEntityTooLarge, codeInvalidRequest, be.Detail
		case httpx.BodyUnsupportedMedia:
			return http.StatusUnsupportedMediaType, codeNotSupported, be.Detail
		}
		return http.StatusBadRequest, codeInvalidRequest, "invalid request body: " + be.Detail
	case errors.As(err, &nf):
		// oCIS answers every missing user, group or member with "not found"
		// (identity.ErrNotFound; getLDAPGroupByFilter in ldap_group.go).
		return http.StatusNotFound, codeItemNotFound, "not found"
	case errors.As(err, &ce):
		return http.StatusConflict, codeNameAlreadyExists, conflictMessage(r, ce)
	case errors.As(err, &ve):
		return http.StatusBadRequest, codeInvalidRequest, validationMessage(ve)
	case errors.As(err, &re):
		return http.StatusBadRequest, codeInvalidRequest, fmt.Sprintf(
			"One or more added object references already exist for the following modified properties: '%s'.", re.Relation)
	case errors.As(err, &rule):
		return http.StatusBadRequest, codeInvalidRequest, ruleMessage(rule)
	case errors.As(err, &le):
		what := "members"
		if le.What != "members" && le.What != "members@odata.bind" {
			what = "references"
		}
		return http.StatusBadRequest, codeInvalidRequest, fmt.Sprintf("Request is limited to %d %s", le.Limit, what)
	case errors.As(err, &gpe):
		return http.StatusForbidden, codeAccessDenied, "guest users may not be added to the " + gpe.Relation +
			" of this Microsoft 365 group (tenant policy)"
	case errors.As(err, &fe):
		return http.StatusForbidden, codeNotAllowed, fe.Error()
	case errors.Is(err, auth.ErrNoCredentials), errors.Is(err, directory.ErrUnauthorized):
		return http.StatusUnauthorized, codeUnauthenticated, "missing or invalid credentials"
	case errors.Is(err, directory.ErrUnavailable):
		return http.StatusServiceUnavailable, codeServiceNotAvailable,
			"the directory is temporarily unavailable, please retry later"
	case errors.Is(err, directory.ErrForbidden):
		return http.StatusForbidden, codeAccessDenied, errAccessDenied.msg
	case errors.Is(err, directory.ErrNotFound):
		return http.StatusNotFound, codeItemNotFound, "not found"
	case errors.Is(err, directory.ErrConflict):
		return http.StatusConflict, codeNameAlreadyExists, "name already exists"
	case errors.Is(err, directory.ErrInvalid), errors.Is(err, directory.ErrLimit):
		return http.StatusBadRequest, codeInvalidRequest, "invalid request"
	}
	return http.StatusInternalServerError, codeGeneralException, "an internal error occurred"
}

// conflictMessage uses oCIS's wording: "group already exists" when
// creating, "Group name already in use" when renaming, "a user with that
// name already exists" for account names.
func conflictMessage(r *http.Request, ce *directory.ConflictError) string {
	switch ce.Property {
	case "displayName":
		if r.Method == http.MethodPatch {
			return "Group name already in use"
		}
		return "group already exists"
	case "onPremisesSamAccountName", "userPrincipalName":
		return "a user with that name already exists"
	case "mail":
		return "a user with that mail already exists"
	}
	return fmt.Sprintf("'%s' is already in use", ce.Property)
}

func validationMessage(ve *directory.ValidationError) string {
	withDetail := func(s string) string {
		if ve.Detail != "" {
			return s + ": " + ve.Detail
		}
		return s
	}
	switch ve.Reason {
	case directory.ReasonRequired:
		return withDetail(fmt.Sprintf("missing required Attribute: '%s'", ve.Property))
	case directory.ReasonTooLong:
		return fmt.Sprintf("Invalid %s: longer than %d characters", ve.Property, ve.Limit)
	case directory.ReasonInvalidChars:
		return withDetail(fmt.Sprintf("Invalid %s: contains characters that are not allowed", ve.Property))
	case directory.ReasonUnknown:
		return fmt.Sprintf("invalid request body: json: unknown field %q", ve.Property)
	case directory.ReasonReadOnly:
		return fmt.Sprintf("%s is a read-only attribute", ve.Property)
	case directory.ReasonDomain:
		return withDetail(fmt.Sprintf("Invalid %s: the domain is not verified in this tenant", ve.Property))
	case directory.ReasonPassword:
		return withDetail(fmt.Sprintf("Invalid %s: the password must be 8 to %d characters long and contain "+
			"three of lower case letters, upper case letters, digits and symbols", ve.Property, directory.MaxPasswordLen))
	}
	return withDetail(fmt.Sprintf("Invalid %s", ve.Property))
}

func ruleMessage(e *directory.RuleError) string {
	switch e.Rule {
	case directory.RuleMembersUsersOnly, directory.RuleUnifiedMembersUsersOnly:
		return msgOnlyUsers
	case directory.RuleCycle:
		return "Adding this member would create a membership cycle."
	}
	return fmt.Sprintf("the member %s cannot be added to this group (%s)", e.MemberID, e.Rule)
}
