package odata

import (
	"net/url"
	"slices"
	"strings"
)

// Option is a set of system query options.
type Option uint16

// System query options.
const (
	OptFilter Option = 1 << iota
	OptSearch
	OptOrderBy
	OptSelect
	OptExpand
	OptTop
	OptSkipToken
	OptCount
)

// Option sets of common endpoints.
const (
	// ListOptions: a collection (/groups, /groups/{id}/members).
	ListOptions = OptFilter | OptSearch | OptOrderBy | OptSelect | OptExpand | OptTop | OptSkipToken | OptCount
	// EntityOptions: one object (/groups/{id}).
	EntityOptions = OptSelect | OptExpand
	// CountOptions: a /$count segment.
	CountOptions = OptFilter | OptSearch
)

// Page sizes.
const (
	DefaultTop = 100
	MaxTop     = 999
)

// options in the order Parse checks them, so that a request with several
// faults always gets the same error.
var options = []optionName{
	{"$top", OptTop}, {"$skiptoken", OptSkipToken}, {"$count", OptCount},
	{"$select", OptSelect}, {"$expand", OptExpand}, {"$filter", OptFilter},
	{"$search", OptSearch}, {"$orderby", OptOrderBy},
}

type optionName struct {
	name string
	opt  Option
}

// Options describe the request around the query options.
type Options struct {
	// Allowed are the options the endpoint accepts; any other system query
	// option is refused, never ignored, so that a client never gets an
	// unfiltered answer to a filtered question.
	Allowed Option
	// Eventual: the request carries ConsistencyLevel: eventual (see
	// EventualConsistency), which advanced queries need.
	Eventual bool
	// CountSegment: the request is for /$count, which Graph answers only
	// with ConsistencyLevel: eventual and which stands in for $count=true.
	CountSegment bool
}

// EventualConsistency reports whether a ConsistencyLevel header value asks
// for eventual consistency.
func EventualConsistency(header string) bool {
	return strings.EqualFold(strings.TrimSpace(header), "eventual")
}

// Query is the validated query of one request. Property names in it are
// the schema's canonical names.
type Query struct {
	// Filter is the $filter tree, nil when absent.
	Filter Expr
	// Search is the $search tree (*SearchTerm leaves under *And and *Or),
	// nil when absent. It is ANDed with Filter.
	Search Expr
	// OrderBy has at most one item; empty means the store's default order.
	OrderBy []OrderItem
	// Select lists the selected properties in request order without
	// duplicates; nil means the endpoint's default set.
	Select []string
	// Expand is the one relationship to expand, nil when absent.
	Expand *Expand
	// Top is the page size, 1..MaxTop, DefaultTop when absent.
	Top int
	// SkipToken is the raw $skiptoken, "" when absent; the caller decodes
	// and verifies it.
	SkipToken string
	// Count: $count=true, with ConsistencyLevel: eventual.
	Count bool
}

// OrderItem is one $orderby key.
type OrderItem struct {
	Prop string
	Desc bool
}

// Expand is $expand=Relationship($select=Select...). Select is nil when no
// nested $select was given.
type Expand struct {
	Relationship string
	Select       []string
	// Levels is how far a chain relationship is followed ($levels): 0
	// when not given (one level), MaxLevels for "max".
	Levels int
}

// MaxLevels is the most levels $levels may ask for, and what "max" means,
// as in Microsoft Graph.
const MaxLevels = 1000

// Parse reads the system query options in values (names starting with "$",
// case-insensitive; other parameters are not OData's and are ignored),
// validates them against schema and the advanced-query rules, and returns
// the query. Every error is an *Error. The rules beyond syntax:
//   - $skip is refused as Graph refuses it on directory objects;
//   - an option outside opts.Allowed, or given twice, is refused;
//   - $search, $count=true and /$count need opts.Eventual;
//   - filter operators that Graph supports only in advanced queries, and
//     $filter together with $orderby, need opts.Eventual and $count=true
//     (or the /$count segment);
//   - $orderby names one sortable property, needing the same when it is
//     sortable only in advanced queries.
func Parse(values url.Values, schema Schema, opts Options) (*Query, error) {
	q, err := parse(values, &schema, opts)
	if err != nil {
		return nil, err
	}
	return q, nil
}

func parse(values url.Values, s *Schema, opts Options) (*Query, *Error) {
	if len(values) == 0 && !opts.CountSegment {
		// The most common request has no options at all (GET by id); it
		// needs none of the checks below.
		return &Query{Top: DefaultTop}, nil
	}
	raw, err := collect(values, opts.Allowed)
	if err != nil {
		return nil, err
	}
	q := &Query{Top: DefaultTop}
	var advanced string // first advanced filter operator
	for _, o := range options {
		v, ok := raw[o.name]
		if !ok {
			continue
		}
		switch o.opt {
		case OptTop:
			q.Top, err = parseTop(v)
		case OptSkipToken:
			if v == "" {
				err = badRequest(o.name, "The $skiptoken value is empty.")
			}
			q.SkipToken = v
		case OptCount:
			q.Count, err = parseCount(v)
		case OptSelect:
			q.Select, err = parseSelect(v, "$select", s.Props, s.EntityType)
		case OptExpand:
			q.Expand, err = parseExpand(v, s)
		case OptFilter:
			if strings.TrimSpace(v) != "" {
				q.Filter, advanced, err = parseFilter(v, s)
			}
		case OptSearch:
			if strings.TrimSpace(v) != "" {
				q.Search, err = parseSearch(v, s)
			}
		case OptOrderBy:
			q.OrderBy, err = parseOrderBy(v, s)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := checkAdvanced(q, s, opts, advanced); err != nil {
		return nil, err
	}
	return q, nil
}

// collect returns the system query options by lower-case name, refusing
// unknown, disallowed, repeated and oversized ones.
func collect(values url.Values, allowed Option) (map[string]string, *Error) {
	keys := make([]string, 0, len(values))
	for k := range values {
		if strings.HasPrefix(k, "$") {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	raw := make(map[string]string, len(keys))
	for _, k := range keys {
		name := strings.ToLower(k)
		i := slices.IndexFunc(options, func(o optionName) bool { return o.name == name })
		switch {
		case name == "$skip":
			return nil, unsupported(k, "'$skip' is not supported by the service.")
		case i < 0:
			return nil, badRequest(k, "The query parameter '%s' is not supported.", quote(k))
		case allowed&options[i].opt == 0:
			return nil, unsupported(name, "The query option '%s' is not supported on this resource.", name)
		}
		if len(values[k]) == 0 {
			continue
		}
		if _, dup := raw[name]; dup || len(values[k]) > 1 {
			return nil, badRequest(name, "Query option '%s' was specified more than once, but it must be specified at most once.", name)
		}
		v := values[k][0]
		if len(v) > MaxOptionLength {
			return nil, unsupported(name, "The value of '%s' is too long: %d characters, at most %d.", name, len(v), MaxOptionLength)
		}
		raw[name] = v
	}
	return raw, nil
}

func parseTop(v string) (int, *Error) {
	n := 0
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' || n > MaxTop {
			n = -1
			break
		}
		n = n*10 + int(v[i]-'0')
	}
	if n < 1 || n > MaxTop {
		return 0, badRequest("$top", "Invalid page size specified: '%s'. Must be between 1 and %d inclusive.", quote(v), MaxTop)
	}
	return n, nil
}

func parseCount(v string) (bool, *Error) {
	switch strings.ToLower(v) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, badRequest("$count", "Invalid value '%s' for the $count query option: expected 'true' or 'false'.", quote(v))
}
