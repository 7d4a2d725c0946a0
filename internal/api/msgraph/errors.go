package msgraph

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"groupd/internal/api/entra"
	"groupd/internal/api/httpx"
	"groupd/internal/auth"
	"groupd/internal/directory"
	"groupd/internal/odata"
)

// apiError is an error this dialect already knows the wire shape of
// (malformed queries and bodies, unknown routes). Domain errors are mapped
// in writeError instead.
type apiError struct {
	status  int
	code    string
	message string
	target  string // property named in details, if any
	detail  string // details code
	// details replaces target and detail where an error has several, or
	// more members than those two (validateProperties).
	details []errorDetail
	header  [2]string
}

// errorDetail is one member of an error's "details": target, code,
// message, then more members in order.
type errorDetail struct {
	target, code, message string
	more                  [][2]string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func badRequest(code, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: code, message: fmt.Sprintf(format, args...)}
}

func withTarget(e *apiError, target, code string) *apiError {
	e.target, e.detail = target, code
	return e
}

// Messages and codes of errors raised by this package.
const (
	codeBadRequest       = "BadRequest"
	codeRequestBad       = "Request_BadRequest"
	codeUnsupportedQuery = "Request_UnsupportedQuery"
	codeNotFound         = "Request_ResourceNotFound"
	codeDenied           = "Authorization_RequestDenied"
)

func selectNotFound(name, typeName string) *apiError {
	return badRequest(codeBadRequest, "Parsing OData Select and Expand failed: Could not find a property named '%s' on type '%s'.", name, typeName)
}

func invalidProperty(name string) *apiError {
	return withTarget(badRequest(codeRequestBad, "Invalid property '%s'.", name), name, "InvalidProperty")
}

func readOnlyProperty(name string) *apiError {
	return withTarget(badRequest(codeRequestBad, "Property '%s' is read-only and cannot be set.", name), name, "ReadOnlyProperty")
}

// notSupported refuses a property Graph lets clients write but groupd does
// not keep: calling it read-only would send the client looking for
// another way to set it.
func notSupported(name string) *apiError {
	return withTarget(badRequest(codeRequestBad, "Property '%s' cannot be set: groupd does not support it.", name), name, "NotSupported")
}

// unwritableProperty refuses a property a write does not take: one Graph
// lets clients write that groupd does not keep (unkept), one of the
// entity's read-only properties (inSchema), or one its type lacks.
func unwritableProperty(name string, unkept map[string]bool, inSchema bool) *apiError {
	switch {
	case unkept[name]:
		return notSupported(name)
	case inSchema:
		return readOnlyProperty(name)
	}
	return invalidProperty(name)
}

func invalidValue(name, resource string) *apiError {
	return withTarget(badRequest(codeRequestBad, "Invalid value specified for property '%s' of resource '%s'.", name, resource), name, "InvalidValue")
}

func denied() *apiError {
	return &apiError{status: http.StatusForbidden, code: codeDenied, message: entra.Denied}
}

// ruleMessages words each membership rule.
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

// mapError turns any error into the wire error: status, code, message and
// the property it names. ok is false for internal errors.
func mapError(err error, resource string) (e *apiError, ok bool) {
	var (
		ae  *apiError
		nf  *directory.NotFoundError
		ce  *directory.ConflictError
		re  *directory.ReferenceExistsError
		ve  *directory.ValidationError
		rue *directory.RuleError
		le  *directory.LimitError
		rse *directory.ResultSizeLimitError
		fe  *directory.ForbiddenError
		gpe *directory.GuestPolicyError
		npe *directory.NamePolicyError
		be  *httpx.BodyError
	)
	var oe *odata.Error
	switch {
	case errors.As(err, &ae):
		return ae, true
	case errors.As(err, &oe):
		return badRequest(oe.Code, "%s", oe.Message), true
	case errors.Is(err, directory.ErrBadCursor):
		return badRequest(codeBadRequest, "The $skiptoken value is not valid."), true
	case errors.As(err, &be):
		return bodyError(be), true
	case errors.As(err, &nf):
		return &apiError{status: http.StatusNotFound, code: codeNotFound, message: entra.NotFound(nf.ID)}, true
	case errors.As(err, &ce):
		return withTarget(badRequest(codeRequestBad, "Another object with the same value for property %s already exists.", ce.Property),
			ce.Property, "ObjectConflict"), true
	case errors.As(err, &re):
		return badRequest(codeRequestBad, "One or more added object references already exist for the following modified properties: '%s'.", re.Relation), true
	case errors.As(err, &ve):
		return validationError(ve, resource), true
	case errors.As(err, &npe):
		return namePolicyError(npe), true
	case errors.As(err, &rue):
		msg, ok := ruleMessages[rue.Rule]
		if !ok {
			msg = "The change breaks a membership rule."
		}
		return badRequest(codeRequestBad, "%s", msg), true
	case errors.As(err, &le):
		return badRequest(codeRequestBad, "%s", limitMessage(le)), true
	case errors.As(err, &rse):
		return badRequest("Directory_ResultSizeLimitExceeded",
			"The number of results exceeds the limit of %d. Use transitiveMemberOf to list them page by page.", rse.Limit), true
	case errors.As(err, &gpe):
		return guestRefused(gpe), true
	case errors.As(err, &fe), errors.Is(err, directory.ErrForbidden):
		return denied(), true
	case errors.Is(err, auth.ErrNoCredentials), errors.Is(err, directory.ErrUnauthorized):
		msg := "Access token validation failure."
		switch {
		case errors.Is(err, auth.ErrNoCredentials):
			msg = "Access token is empty."
		case errors.Is(err, auth.ErrExpiredToken):
			msg = "Lifetime validation failed, the token is expired."
		case errors.Is(err, auth.ErrTokenAudience):
			msg = "Access token validation failure. Invalid audience."
		}
		return &apiError{status: http.StatusUnauthorized, code: "InvalidAuthenticationToken", message: msg}, true
	case errors.Is(err, directory.ErrUnavailable):
		return &apiError{status: http.StatusServiceUnavailable, code: "ServiceUnavailable",
			message: "The service is temporarily unavailable. Retry the request later.",
			header:  [2]string{"Retry-After", "5"}}, true
	}
	return nil, false
}

func limitMessage(le *directory.LimitError) string {
	switch {
	case le.What == "groupIds" || le.What == "ids":
		return fmt.Sprintf("The number of '%s' cannot exceed %d.", le.What, le.Limit)
	case le.Limit == directory.MaxBindRefs:
		return fmt.Sprintf("At most %d references can be bound in one request.", le.Limit)
	case le.What == "owners":
		return fmt.Sprintf("A group can have at most %d owners.", le.Limit)
	}
	return fmt.Sprintf("At most %d %s are allowed.", le.Limit, le.What)
}

func validationError(ve *directory.ValidationError, resource string) *apiError {
	p := ve.Property
	switch ve.Reason {
	case directory.ReasonRequired:
		return withTarget(badRequest(codeRequestBad, "Invalid value specified for property '%s' of resource '%s'. The property is required.", p, resource), p, "PropertyRequired")
	case directory.ReasonTooLong:
		return withTarget(badRequest(codeRequestBad, "Property %s has an invalid value. It must be at most %d characters.", p, ve.Limit), p, "InvalidLength")
	case directory.ReasonDomain:
		return withTarget(badRequest(codeRequestBad, "The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization."), p, "InvalidValue")
	case directory.ReasonPassword:
		return withTarget(badRequest(codeRequestBad, "The specified password does not comply with password complexity requirements. Please provide a different password."), p, "InvalidValue")
	case directory.ReasonReadOnly:
		return readOnlyProperty(p)
	case directory.ReasonUnknown:
		return invalidProperty(p)
	}
	msg := "Property " + p + " has an invalid value."
	if d := strings.TrimSpace(ve.Detail); d != "" {
		msg += " " + sentence(d)
	}
	return withTarget(&apiError{status: http.StatusBadRequest, code: codeRequestBad, message: msg}, p, "InvalidValue")
}

// sentence makes a domain detail a sentence: a leading plain lower-case
// word is capitalised (a property name such as mailNickname is left alone)
// and a final period added.
func sentence(d string) string {
	word, _, _ := strings.Cut(d, " ")
	if word != "" && word[0] >= 'a' && word[0] <= 'z' && strings.ToLower(word) == word {
		d = strings.ToUpper(d[:1]) + d[1:]
	}
	if !strings.HasSuffix(d, ".") {
		d += "."
	}
	return d
}

func bodyError(be *httpx.BodyError) *apiError {
	switch be.Problem {
	case httpx.BodyEmpty:
		return badRequest(codeBadRequest, "Empty Payload. JSON content expected.")
	case httpx.BodyTooLarge:
		return &apiError{status: http.StatusRequestEntityTooLarge, code: "RequestEntityTooLarge", message: be.Detail}
	case httpx.BodyUnsupportedMedia:
		return &apiError{status: http.StatusUnsupportedMediaType, code: "UnsupportedMediaType", message: be.Detail}
	}
	return &apiError{status: http.StatusBadRequest, code: codeBadRequest, message: be.Detail}
}

// writeError answers err in Graph's error shape. Internal errors are logged
// with the request id and answered without their text.
func (a *api) writeError(w http.ResponseWriter, r *http.Request, err error, resource string) {
	ctx := r.Context()
	rid := httpx.RequestID(ctx)
	e, ok := mapError(err, resource)
	if !ok {
		httpx.LogInternal(ctx, a.log, "msgraph", r, err)
		e = &apiError{status: http.StatusInternalServerError, code: "InternalServerError",
			message: "An internal error occurred. Quote request-id " + rid + " when reporting it."}
	} else if e.status == http.StatusServiceUnavailable {
		a.log.WarnContext(ctx, "msgraph: store unavailable", "request_id", rid, "err", err.Error())
	}
	h := w.Header()
	if e.status == http.StatusUnauthorized {
		httpx.BearerChallenge(h, r)
	}
	if e.header[0] != "" {
		h.Set(e.header[0], e.header[1])
	}
	out := getEnc()
	out.beginObject()
	out.key("error")
	out.beginObject()
	out.key("code")
	out.str(e.code)
	out.key("message")
	out.str(e.message)
	out.key("innerError")
	out.beginObject()
	out.key("date")
	out.str(time.Now().UTC().Format("2006-01-02T15:04:05"))
	out.key("request-id")
	out.str(rid)
	out.key("client-request-id")
	out.str(httpx.ClientRequestID(ctx))
	out.endObject()
	details := e.details
	if e.target != "" {
		details = []errorDetail{{target: e.target, code: e.detail}}
	}
	if len(details) > 0 {
		out.key("details")
		out.beginArray()
		for _, d := range details {
			out.beginObject()
			out.key("target")
			out.str(d.target)
			out.key("code")
			out.str(d.code)
			if d.message != "" {
				out.key("message")
				out.str(d.message)
			}
			for _, kv := range d.more {
				out.key(kv[0])
				out.str(kv[1])
			}
			out.endObject()
		}
		out.endArray()
	}
	out.endObject()
	out.endObject()
	send(w, e.status, out)
}

// guestRefused is Entra's answer when the tenant's Group.Unified setting
// keeps a guest out of a Microsoft 365 group's members or owners.
func guestRefused(e *directory.GuestPolicyError) *apiError {
	return &apiError{status: http.StatusForbidden, code: codeDenied, message: entra.GuestRefused(e.Relation)}
}
