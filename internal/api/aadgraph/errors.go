package aadgraph

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"groupd/internal/api/entra"
	"groupd/internal/api/httpx"
	"groupd/internal/auth"
	"groupd/internal/directory"
	"groupd/internal/odata"
)

// apiError is an error whose wire shape this dialect already knows
// (malformed requests, unknown routes); domain errors are mapped in
// mapError.
type apiError struct {
	status int
	code   string
	msg    string
	header [2]string
}

func (e *apiError) Error() string { return e.code + ": " + e.msg }

// Codes of Azure AD Graph (the reference lists them).
const (
	codeBadRequest       = "Request_BadRequest"
	codeUnsupportedQuery = "Request_UnsupportedQuery"
	codeNotFound         = "Request_ResourceNotFound"
	codeDenied           = "Authorization_RequestDenied"
	codeMissingToken     = "Authentication_MissingOrMalformed"
	codeExpiredToken     = "Authentication_ExpiredToken"
	codeUnauthorized     = "Authentication_Unauthorized"
	codeThrottled        = "Request_ThrottledTemporarily"
	codeResultSize       = "Directory_ResultSizeLimitExceeded"
)

func badRequest(code, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: code, msg: fmt.Sprintf(format, args...)}
}

func denied() *apiError {
	return &apiError{status: http.StatusForbidden, code: codeDenied, msg: entra.Denied}
}

// foreignTenant: the path names a tenant the credential does not belong
// to (the reference's "Decisions": 401 Authentication_Unauthorized).
func foreignTenant(seg string) *apiError {
	return &apiError{status: http.StatusUnauthorized, code: codeUnauthorized,
		msg: fmt.Sprintf("Access to tenant '%s' is not permitted with the credential presented.", seg)}
}

func notFoundID(id string) *apiError {
	return &apiError{status: http.StatusNotFound, code: codeNotFound,
		msg: entra.NotFound(id)}
}

// mailEnabledWrite is 1.6's refusal of writes to mail-enabled and
// Microsoft 365 groups, which only security groups may receive.
func mailEnabledWrite() *apiError {
	return badRequest(codeBadRequest, "The service does not currently support writes of mail-enabled groups. Please ensure that the mail-enablement property is unset or set to false.")
}

var ruleMessages = map[directory.Rule]string{
	directory.RuleCycle:                   "Adding this member would create a membership cycle.",
	directory.RuleUnifiedMembersUsersOnly: "Only users can be members of a Microsoft 365 group.",
	directory.RuleUnifiedNotNestable:      "A Microsoft 365 group cannot be a member of another group.",
	directory.RuleMailEnabledNoGroups:     "Groups cannot be added to a mail-enabled security group.",
	directory.RuleRoleAssignableNoGroups:  "Groups cannot be added to a role-assignable group.",
	directory.RuleOwnersUsersOnly:         "Only users can be owners of a group.",
	directory.RuleLastOwner:               "The last owner of a Microsoft 365 group cannot be removed.",
	directory.RuleMembersUsersOnly:        "Only users can be members of this group.",
}

// mapError turns any error into the wire error; ok is false for internal
// errors.
func mapError(err error) (*apiError, bool) {
	var (
		ae  *apiError
		oe  *odata.Error
		be  *httpx.BodyError
		nf  *directory.NotFoundError
		ce  *directory.ConflictError
		re  *directory.ReferenceExistsError
		ve  *directory.ValidationError
		rue *directory.RuleError
		le  *directory.LimitError
	)
	switch {
	case errors.As(err, &ae):
		return ae, true
	case errors.As(err, &oe):
		return badRequest(codeUnsupportedQuery, "%s", oe.Message), true
	case errors.Is(err, directory.ErrBadCursor):
		return badRequest(codeBadRequest, "The $skiptoken value is not valid."), true
	case errors.As(err, &be):
		return bodyError(be), true
	case errors.As(err, &nf):
		return notFoundID(nf.ID), true
	case errors.As(err, &ce):
		return badRequest(codeBadRequest, "Another object with the same value for property %s already exists.", ce.Property), true
	case errors.As(err, &re):
		return badRequest(codeBadRequest, "One or more added object references already exist for the following modified properties: '%s'.", re.Relation), true
	case errors.As(err, &ve):
		return validationError(ve), true
	case errors.As(err, &rue):
		msg, ok := ruleMessages[rue.Rule]
		if !ok {
			msg = "The change breaks a membership rule."
		}
		return badRequest(codeBadRequest, "%s", msg), true
	case errors.As(err, &le):
		return badRequest(codeBadRequest, "At most %d %s are allowed.", le.Limit, le.What), true
	case errors.Is(err, directory.ErrForbidden):
		return denied(), true
	case errors.Is(err, auth.ErrExpiredToken):
		return &apiError{status: http.StatusUnauthorized, code: codeExpiredToken,
			msg: "Your access token has expired. Please renew it before submitting the request."}, true
	case errors.Is(err, auth.ErrNoCredentials), errors.Is(err, directory.ErrUnauthorized):
		return &apiError{status: http.StatusUnauthorized, code: codeMissingToken, msg: "Access Token missing or malformed."}, true
	case errors.Is(err, directory.ErrUnavailable):
		return &apiError{status: http.StatusServiceUnavailable, code: codeThrottled,
			msg:    "The request has been throttled temporarily. Please try again later.",
			header: [2]string{"Retry-After", "5"}}, true
	}
	return resultSizeError(err)
}

func validationError(ve *directory.ValidationError) *apiError {
	switch ve.Reason {
	case directory.ReasonReadOnly:
		return badRequest(codeBadRequest, "Property '%s' is read-only and cannot be set.", ve.Property)
	case directory.ReasonUnknown:
		return unknownProperty(ve.Property, "Group")
	case directory.ReasonTooLong:
		return badRequest(codeBadRequest, "Invalid value specified for property '%s': at most %d characters are allowed.", ve.Property, ve.Limit)
	}
	return badRequest(codeBadRequest, "Invalid value specified for property '%s' of resource '%s'.", ve.Property, "Group")
}

// userValidation renders a refused value of a user write (the dialect's
// other writes are of groups, which validationError words) with the
// directory's reason.
func userValidation(err error) error {
	var ve *directory.ValidationError
	if !errors.As(err, &ve) || ve.Reason == directory.ReasonUnknown || ve.Reason == directory.ReasonReadOnly {
		return err
	}
	if ve.Reason == directory.ReasonPassword {
		return badRequest(codeBadRequest, "The specified password does not comply with password complexity requirements. Please provide a different password.")
	}
	msg := fmt.Sprintf("Invalid value specified for property '%s' of resource 'User'.", ve.Property)
	if d := strings.TrimSpace(ve.Detail); d != "" {
		msg += " " + strings.ToUpper(d[:1]) + strings.TrimSuffix(d[1:], ".") + "."
	}
	return badRequest(codeBadRequest, "%s", msg)
}

func unknownProperty(name, typ string) *apiError {
	return badRequest(codeBadRequest, "The property '%s' does not exist on type 'Microsoft.DirectoryServices.%s'. Make sure to only use property names that are defined by the type.", name, typ)
}

func bodyError(be *httpx.BodyError) *apiError {
	switch be.Problem {
	case httpx.BodyEmpty:
		return badRequest(codeBadRequest, "The request body is empty; a JSON object is required.")
	case httpx.BodyTooLarge:
		return &apiError{status: http.StatusRequestEntityTooLarge, code: "Request_EntityTooLarge", msg: be.Detail}
	case httpx.BodyUnsupportedMedia:
		return &apiError{status: http.StatusUnsupportedMediaType, code: "Request_UnsupportedMediaType", msg: be.Detail}
	}
	return badRequest(codeBadRequest, "Invalid JSON. %s", be.Detail)
}

// wireError is the body of every error: {"odata.error":{"code","message":{"lang","value"}}}.
type wireError struct {
	Error struct {
		Code    string `json:"code"`
		Message struct {
			Lang  string `json:"lang"`
			Value string `json:"value"`
		} `json:"message"`
	} `json:"odata.error"`
}

// writeError answers err in this dialect's shape. Internal errors are
// logged with the request id and answered without their text.
func (a *api) writeError(w http.ResponseWriter, r *http.Request, err error) {
	ctx := r.Context()
	rid := httpx.RequestID(ctx)
	e, ok := mapError(err)
	if !ok {
		httpx.LogInternal(ctx, a.log, "aadgraph", r, err)
		e = &apiError{status: http.StatusInternalServerError, code: "Service_InternalServerError",
			msg: "Encountered an internal server error. Quote request-id " + rid + " when reporting it."}
	} else if e.status == http.StatusServiceUnavailable {
		a.log.WarnContext(ctx, "aadgraph: store unavailable", "request_id", rid, "err", err.Error())
	}
	h := w.Header()
	if e.status == http.StatusUnauthorized {
		httpx.BearerChallenge(h, r)
	}
	if e.header[0] != "" {
		h.Set(e.header[0], e.header[1])
	}
	var body wireError
	body.Error.Code = e.code
	body.Error.Message.Lang = "en"
	body.Error.Message.Value = e.msg
	b, merr := marshal(&body)
	if merr != nil {
		b = []byte(`{"odata.error":{"code":"Service_InternalServerError","message":{"lang":"en","value":"Encountered an internal server error."}}}`)
	}
	send(w, e.status, b)
}
