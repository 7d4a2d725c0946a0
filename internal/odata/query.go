package odata

import (
	"net/url"
	"strconv"
	"strings"
)

// directoryObject is the declared type of every relationship groupd
// expands, named in errors about a nested $select.
const directoryObject = "microsoft.graph.directoryObject"

// parseSelect resolves a comma list of property names against props.
func parseSelect(v, option string, props map[string]Prop, typeName string) ([]string, *Error) {
	var out []string
	seen := map[string]bool{}
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		p, ok := lookup(props, item)
		if !ok || !p.Selectable {
			return nil, badRequest(option, "Parsing OData Select and Expand failed: Could not find a property named '%s' on type '%s'.", quote(item), typeName)
		}
		if !seen[p.Name] {
			seen[p.Name] = true
			out = append(out, p.Name)
		}
	}
	return out, nil
}

// parseExpand accepts one relationship with an optional nested $select:
// members($select=id,displayName).
func parseExpand(v string, s *Schema) (*Expand, *Error) {
	const failed = "Parsing OData Select and Expand failed: "
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	depth, items := 0, 1
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				items++
			}
		}
		if depth < 0 {
			break
		}
	}
	if depth != 0 {
		return nil, badRequest("$expand", failed+"unbalanced parentheses in '%s'.", quote(v))
	}
	if items > 1 {
		return nil, unsupported("$expand", "Only one relationship can be expanded in a request: '%s'.", quote(v))
	}
	name, nested, hasNested := strings.Cut(v, "(")
	name = strings.TrimSpace(name)
	if hasNested {
		if !strings.HasSuffix(nested, ")") {
			return nil, badRequest("$expand", failed+"unexpected text after ')' in '%s'.", quote(v))
		}
		nested = nested[:len(nested)-1]
	}
	rel, ok := s.relationship(name)
	if !ok {
		if p, isProp := s.Lookup(name); isProp {
			return nil, badRequest("$expand", failed+"Property '%s' on type '%s' is not a navigation property or complex property. Only navigation properties can be expanded.", p.Name, s.EntityType)
		}
		if r, known := s.unexpanded(name); known {
			return nil, unsupported("$expand", "Expanding '%s' is not supported by this service; on type '%s' $expand may name %s.", r, s.EntityType, s.expandable())
		}
		return nil, errNotFound("$expand", failed, quote(name), s)
	}
	e := &Expand{Relationship: rel.Name}
	seen := map[string]bool{}
	for _, opt := range strings.Split(nested, ";") {
		if opt = strings.TrimSpace(opt); opt == "" {
			continue
		}
		k, val, _ := strings.Cut(opt, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		switch {
		case k == "$levels" && !rel.Chain, k != "$select" && k != "$levels" && strings.HasPrefix(k, "$"):
			return nil, unsupported("$expand", "The query option '%s' is not supported inside $expand of '%s'; only %s is.", quote(k), rel.Name, nestedOptions(rel))
		case k != "$select" && k != "$levels":
			return nil, badRequest("$expand", failed+"'%s' is not a query option.", quote(opt))
		case seen[k]:
			return nil, badRequest("$expand", "Query option '%s' was specified more than once in $expand, but it must be specified at most once.", k)
		}
		seen[k] = true
		if k == "$levels" {
			n, err := parseLevels(strings.TrimSpace(val))
			if err != nil {
				return nil, err
			}
			e.Levels = n
			continue
		}
		sel, err := parseSelect(val, "$expand", rel.Props, directoryObject)
		if err != nil {
			return nil, err
		}
		e.Select = sel
	}
	return e, nil
}

// nestedOptions names the options $expand of rel may hold, for messages.
func nestedOptions(rel Relationship) string {
	if rel.Chain {
		return "$select or $levels"
	}
	return "$select"
}

// parseLevels reads $levels: "max", or a number from 1 to MaxLevels.
func parseLevels(v string) (int, *Error) {
	if strings.EqualFold(v, "max") {
		return MaxLevels, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > MaxLevels {
		return 0, badRequest("$expand", "Invalid value '%s' for $levels: expected 'max' or a number from 1 to %d.", quote(v), MaxLevels)
	}
	return n, nil
}

// parseOrderBy accepts one "property [asc|desc]".
func parseOrderBy(v string, s *Schema) ([]OrderItem, *Error) {
	var items []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			items = append(items, item)
		}
	}
	switch {
	case len(items) == 0:
		return nil, nil
	case len(items) > 1:
		return nil, unsupported("$orderby", "Sorting by more than one property is not supported: '%s'.", quote(v))
	}
	fields := strings.Fields(items[0])
	desc := false
	if len(fields) > 1 {
		switch dir := strings.ToLower(fields[1]); {
		case len(fields) > 2 || (dir != "asc" && dir != "desc"):
			return nil, badRequest("$orderby", "Invalid $orderby: expected 'asc' or 'desc' after '%s' in '%s'.", quote(fields[0]), quote(v))
		case dir == "desc":
			desc = true
		}
	}
	p, ok := s.Lookup(fields[0])
	if !ok {
		return nil, errNotFound("$orderby", "", quote(fields[0]), s)
	}
	if p.Sort == Unsupported {
		return nil, unsupported("$orderby", "Unsupported sort property '%s' for '%s'.", p.Name, s.Resource)
	}
	return []OrderItem{{Prop: p.Name, Desc: desc}}, nil
}

// checkAdvanced applies Graph's rules for advanced queries. advanced is the
// first filter operator that needs advanced query parameters, or "".
func checkAdvanced(q *Query, s *Schema, opts Options, advanced string) *Error {
	// Advanced query parameters: the header and $count (or /$count).
	full := opts.Eventual && (q.Count || opts.CountSegment)
	switch {
	case opts.CountSegment && !opts.Eventual:
		return newError(CodeRequestBadRequest, "", "$count is not currently supported.")
	case q.Search != nil && !opts.Eventual:
		return unsupported("$search", "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'")
	case q.Count && !opts.Eventual:
		return unsupported("$count", "The $count query option is not supported because the 'ConsistencyLevel:eventual' header is missing. %s", advancedDocs)
	case advanced != "" && !full:
		return errAdvanced("$filter", advanced, opts.Eventual)
	case len(q.OrderBy) == 0 || full:
		return nil
	}
	if p, _ := s.Lookup(q.OrderBy[0].Prop); p.Sort == AdvancedOnly {
		return unsupported("$orderby", "Unsupported sort property '%s' for '%s'. Sorting by it needs the 'ConsistencyLevel:eventual' header and $count=true. %s", p.Name, s.Resource, advancedDocs)
	}
	if q.Filter != nil {
		return unsupported("$orderby", "Sorting not supported for current query: $orderby together with $filter needs the 'ConsistencyLevel:eventual' header and $count=true. %s", advancedDocs)
	}
	return nil
}

// Canonical is a stable text form of what decides which objects a query
// returns and in which order: $filter, $search and $orderby (not $select,
// $expand, $top, $count or $skiptoken). Equal queries written differently
// (spacing, casing of names and keywords, redundant parentheses, lambda
// variable names, date or GUID spelling) have the same Canonical. It is an
// encoded query string that Parse accepts again, so a cursor can embed a
// hash of it and refuse a $skiptoken replayed with another query; the
// resource path is not included and must be bound separately. An empty
// query gives "".
func (q *Query) Canonical() string {
	v := url.Values{}
	if q.Filter != nil {
		v.Set("$filter", q.Filter.String())
	}
	if q.Search != nil {
		v.Set("$search", q.Search.String())
	}
	if len(q.OrderBy) > 0 {
		dir := " asc"
		if q.OrderBy[0].Desc {
			dir = " desc"
		}
		v.Set("$orderby", q.OrderBy[0].Prop+dir)
	}
	return v.Encode()
}
