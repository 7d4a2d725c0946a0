package odata

import "fmt"

// Error codes, as Microsoft Graph uses them for query errors.
const (
	// CodeBadRequest: the option is malformed (syntax, unknown property,
	// literal of the wrong type, bad $top).
	CodeBadRequest = "BadRequest"
	// CodeUnsupportedQuery: the option is well formed but cannot be run
	// (operator not supported on that property, advanced query without
	// ConsistencyLevel: eventual, more than 15 values in in, $skip).
	CodeUnsupportedQuery = "Request_UnsupportedQuery"
	// CodeRequestBadRequest: Graph's code for /$count without
	// ConsistencyLevel: eventual and for an invalid object identifier.
	CodeRequestBadRequest = "Request_BadRequest"
)

// advancedDocs ends every message about advanced query parameters, as in
// Microsoft Graph.
const advancedDocs = "Refer to https://aka.ms/graph-docs/advanced-queries for more information"

// Error is a query the service refuses to run. Every error Parse returns is
// an *Error; a dialect renders it as a 400 in its own shape.
type Error struct {
	// Code is CodeBadRequest, CodeUnsupportedQuery or CodeRequestBadRequest.
	Code string
	// Message is client-facing text naming the offending part. It may quote
	// the client's own input and never carries internal detail.
	Message string
	// Option is the query option at fault ("$filter", "$orderby", ...), or
	// "" when the error concerns the request as a whole (the /$count segment).
	Option string
}

// Error returns the client-facing message.
func (e *Error) Error() string { return e.Message }

func newError(code, option, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Option: option}
}

func badRequest(option, format string, args ...any) *Error {
	return newError(CodeBadRequest, option, format, args...)
}

func unsupported(option, format string, args ...any) *Error {
	return newError(CodeUnsupportedQuery, option, format, args...)
}

// errNotFound is the OData library's wording for an unknown property, which
// Graph returns for $select, $expand and $orderby.
func errNotFound(option, prefix, name string, s *Schema) *Error {
	return badRequest(option, "%sCould not find a property named '%s' on type '%s'.", prefix, name, s.EntityType)
}

// errAdvanced is Graph's refusal of an operator that needs advanced query
// parameters: the header missing, or the header present but $count=true
// missing.
func errAdvanced(option, op string, eventual bool) *Error {
	if !eventual {
		return unsupported(option, "Operator '%s' is not supported because the 'ConsistencyLevel:eventual' header is missing. %s", op, advancedDocs)
	}
	return unsupported(option, "Operator '%s' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. %s", op, advancedDocs)
}

// errFilterProp is Graph's refusal of an operator on a property that does
// not support it, even in advanced queries.
func errFilterProp(prop string, s *Schema) *Error {
	return unsupported("$filter", "Unsupported or invalid query filter clause specified for property '%s' of resource '%s'.", prop, s.Resource)
}

// quote shortens client input for an error message.
func quote(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
		cut--
	}
	return s[:cut] + "…"
}
