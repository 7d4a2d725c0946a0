package msgraph

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"

	"groupd/internal/directory"
)

// option is a set of OData system query options an endpoint accepts.
type option uint8

const (
	optSelect option = 1 << iota
	optTop
	optSkipToken
	optExpand

	optList = optSelect | optTop | optSkipToken
	optAny  = option(0xff) // routing fallbacks: the query is not looked at
)

var optionNames = map[string]option{
	"$select":    optSelect,
	"$top":       optTop,
	"$skiptoken": optSkipToken,
	"$expand":    optExpand,
}

// Page sizes as Graph documents them for directory objects.
const (
	defaultTop = 100
	maxTop     = 999
	expandCap  = 20 // $expand returns at most this many related objects
)

// query holds the parsed OData query options of one request.
type query struct {
	set    option
	selRaw []string // $select names as written, not yet checked against a type
	top    int
	after  string // decoded $skiptoken: the store cursor
	expand string // the one relationship in $expand, as written
}

// page is the store page request the options ask for.
func (q *query) page() directory.PageRequest {
	return directory.PageRequest{Top: q.top, After: q.after}
}

// parseQuery reads the system query options of raw. An option outside
// allowed is refused rather than ignored, so that a client never gets an
// unfiltered answer to a filtered question; parameters without "$" are not
// OData options and are ignored, as Graph does.
func parseQuery(raw string, allowed option) (query, error) {
	q := query{top: defaultTop}
	if raw == "" || allowed == optAny {
		return q, nil
	}
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return q, badRequest(codeBadRequest, "The query string is not valid: '%s'.", part)
		}
		if !strings.HasPrefix(key, "$") {
			continue
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			return q, badRequest(codeBadRequest, "The query string is not valid: '%s'.", part)
		}
		name := strings.ToLower(key)
		opt, known := optionNames[name]
		if !known || allowed&opt == 0 {
			return q, badRequest(codeUnsupportedQuery, "The query option '%s' is not supported on this resource.", key)
		}
		if q.set&opt != 0 {
			return q, badRequest(codeBadRequest, "Query option '%s' was specified more than once, but it must be specified at most once.", name)
		}
		q.set |= opt
		switch opt {
		case optSelect:
			q.selRaw = splitList(val)
		case optTop:
			n, ok := parseTop(val)
			if !ok {
				return q, badRequest(codeBadRequest, "Invalid page size specified: '%s'. Must be between 1 and %d inclusive.", val, maxTop)
			}
			q.top = n
		case optSkipToken:
			after, ok := decodeSkipToken(val)
			if !ok {
				return q, badRequest(codeBadRequest, "The $skiptoken value '%s' is not valid.", val)
			}
			q.after = after
		case optExpand:
			if q.expand, err = parseExpand(val); err != nil {
				return q, err
			}
		}
	}
	return q, nil
}

// splitList splits a comma list, dropping blanks.
func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func parseTop(v string) (int, bool) {
	if v == "" || len(v) > 4 {
		return 0, false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 1 && n <= maxTop
}

// parseExpand accepts one relationship without nested options; which
// relationships an endpoint can expand is checked by the endpoint.
func parseExpand(v string) (string, error) {
	items := splitList(v)
	switch {
	case len(items) == 0:
		return "", nil
	case len(items) > 1:
		return "", badRequest(codeUnsupportedQuery, "Only one relationship can be expanded in a request: '%s'.", v)
	case strings.ContainsAny(items[0], "()/$*"):
		return "", badRequest(codeUnsupportedQuery, "Nested query options, paths and wildcards in $expand are not supported: '%s'.", v)
	}
	return items[0], nil
}

// The $skiptoken is the store cursor in base64url, so that clients treat it
// as opaque. Store cursors are object ids.
func encodeSkipToken(cursor string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursor))
}

func decodeSkipToken(tok string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(tok, "="))
	if err != nil {
		return "", false
	}
	id, ok := directory.ParseObjectID(string(b))
	return string(id), ok
}

// checkExpand resolves q.expand against the relationships an endpoint can
// expand (can) and those the type has (known, for the error message).
func checkExpand(q *query, typeName string, can, known []string) (string, error) {
	if q.expand == "" {
		return "", nil
	}
	for _, c := range can {
		if strings.EqualFold(c, q.expand) {
			return c, nil
		}
	}
	for _, k := range known {
		if strings.EqualFold(k, q.expand) {
			return "", badRequest(codeUnsupportedQuery, "Expanding '%s' is not supported on this resource.", k)
		}
	}
	return "", selectNotFound(q.expand, typeName)
}

// nextLink is the absolute URL of the next page: the same path and query
// with $skiptoken replaced.
func nextLink(base, path, rawQuery, cursor string) string {
	var b strings.Builder
	b.Grow(len(base) + len(path) + len(rawQuery) + 64)
	b.WriteString(base)
	b.WriteString(path)
	b.WriteByte('?')
	for rawQuery != "" {
		var part string
		part, rawQuery, _ = strings.Cut(rawQuery, "&")
		if part == "" {
			continue
		}
		k, _, _ := strings.Cut(part, "=")
		if key, err := url.QueryUnescape(k); err == nil && strings.EqualFold(key, "$skiptoken") {
			continue
		}
		b.WriteString(part)
		b.WriteByte('&')
	}
	b.WriteString("$skiptoken=")
	b.WriteString(encodeSkipToken(cursor))
	return b.String()
}
