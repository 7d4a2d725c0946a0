// Package odata parses and validates the OData v4 system query options of a
// request ($filter, $search, $orderby, $select, $expand, $top, $skiptoken,
// $count) against the schema of an entity type, and returns a typed Query.
//
// It owns the query language and its rules, nothing else: no HTTP, no SQL,
// no other groupd package. A dialect calls Parse with the request's query
// values and whether the ConsistencyLevel: eventual header was present; a
// storage engine compiles the resulting Query into parameterised SQL by
// walking its expression trees (Walk) and binding each Literal's Value as a
// parameter. Nothing a client writes ever needs to be spliced into SQL text:
// property names in the tree are the schema's canonical names, operators are
// a closed set (Op), and values are typed literals.
//
// # What is accepted
//
// The grammar is the subset of the OData ABNF that Microsoft Graph accepts on
// directory objects (see parser.go for the grammar): comparisons
// (eq ne gt ge lt le) of a property with a literal, in with at most 15
// values, startsWith and endsWith, any() lambdas over string collections,
// and, or, not, parentheses. Which operator works on which property, and
// which ones are "advanced" (need ConsistencyLevel: eventual and
// $count=true), is data in the Schema (schema.go, graph.go), following
// Microsoft Graph's documentation of advanced query capabilities.
//
// # Meaning, for the store that runs a Query
//
// String comparisons (eq, ne, gt, ge, lt, le, in) and startsWith/endsWith
// ignore case, as Microsoft Graph does on directory objects. Logic is
// OData's two-valued logic, not SQL's three-valued one: a property that is
// null (or absent) equals null and nothing else, is "ne" every non-null
// value, and fails gt, ge, lt, le, in, startsWith and endsWith; "not e" is
// true exactly when e is false. In SQL that means IS [NOT] DISTINCT FROM for
// eq/ne and NOT COALESCE(e, FALSE) for not. An Any is true when at least one
// element of the collection satisfies its body (EXISTS). $filter and
// $search, when both are given, must both hold. For the token-prefix
// semantics of $search see SearchTerm and Tokenize.
//
// # Errors
//
// Every refusal is an *Error carrying a Microsoft Graph error code
// (CodeBadRequest for malformed input, CodeUnsupportedQuery for valid syntax
// that cannot be run), a message naming the offending part, and the option it
// concerns. Dialects other than Microsoft Graph map the code to their own.
//
// # Limits
//
// Option values are at most MaxOptionLength bytes, a $filter or $search has
// at most MaxNodes nodes and MaxDepth levels of nesting, and in lists at most
// MaxInValues values, so that no input can make the parser, or the SQL a
// store builds from its result, unreasonably large. Parse never panics; a
// fuzz target (FuzzParse) holds it to that.
package odata
