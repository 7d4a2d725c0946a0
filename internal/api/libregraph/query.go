package libregraph

import (
	"net/http"
	"net/url"
	"strings"

	"groupd/internal/api/httpx"
	"groupd/internal/directory"
	"groupd/internal/odata"
)

// listQuery reads the query options oCIS accepts on /groups and /users:
// $search with a bare term (oCIS searches names for it; groupd matches
// the term's words as prefixes of displayName's words, as Microsoft Graph's
// token search does) and $orderby=displayName [asc|desc], which oCIS sorts
// by. $expand and $select are read by the handlers (expand.go). Every
// other system option ($filter, $top, $skip, $count, …) is refused with 400
// invalidRequest, so that no client gets an unfiltered answer to a
// filtered question.
func listQuery(r *http.Request, src directory.Source) (directory.ListQuery, error) {
	q := directory.ListQuery{Source: src, Page: directory.PageRequest{Top: 999}}
	values, err := httpx.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return q, invalidRequest("the query string is not valid: %v", err)
	}
	for k, vals := range values {
		if !strings.HasPrefix(k, "$") {
			continue
		}
		v := ""
		if len(vals) > 0 {
			v = vals[0]
		}
		switch strings.ToLower(k) {
		case "$expand", "$select":
		case "$search":
			term := strings.TrimSpace(strings.Trim(strings.TrimSpace(v), `"`))
			tokens := odata.Tokenize(term)
			if len(tokens) == 0 {
				return q, invalidRequest("the search term must contain a word")
			}
			q.Search = &odata.SearchTerm{Prop: "displayName", Text: term, Mode: odata.SearchTokens, Tokens: tokens}
		case "$orderby":
			f := strings.Fields(v)
			if len(f) == 0 || len(f) > 2 || f[0] != "displayName" || (len(f) == 2 && f[1] != "asc" && f[1] != "desc") {
				return q, invalidRequest("unsupported $orderby: %s", v)
			}
			q.OrderBy, q.Desc = "displayName", len(f) == 2 && f[1] == "desc"
		default:
			return q, invalidRequest("query option %s is not supported", k)
		}
	}
	return q, nil
}

// queryValues is the request's query parameters; ";" is no separator
// (httpx.ParseQuery), and a pair that does not decode is left out, as
// listQuery has refused it on the routes that take options.
func queryValues(r *http.Request) url.Values {
	values, _ := httpx.ParseQuery(r.URL.RawQuery)
	return values
}
