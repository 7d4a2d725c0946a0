package msgraph

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strings"

	"groupd/internal/directory"
	"groupd/internal/odata"
)

// option is a set of OData system query options an endpoint accepts; the
// route table names them, internal/odata parses them.
type option = odata.Option

const (
	optSelect    = odata.OptSelect
	optTop       = odata.OptTop
	optSkipToken = odata.OptSkipToken
	optExpand    = odata.OptExpand
	optList      = odata.ListOptions
	// optAny: routing fallbacks, whose query is not looked at.
	optAny = option(0xffff)
)

// expandCap: $expand returns at most this many related objects, as in Graph.
const expandCap = 20

// query holds the query options of one request, parsed only as far as the
// pipeline can without knowing the entity type: the handler validates them
// against its schema through internal/odata (see request.odata).
type query struct {
	values url.Values
	selRaw []string // $select as written, for types internal/odata does not describe
}

// parseQuery reads the query string. Routes that take no options refuse
// every "$" parameter here; routes that read validate theirs in the
// handler (request.odata or query.only), which knows the entity type and
// whether the path is really a /$count segment (the route table cannot
// tell /groups/$count from /groups/{id}). Either way an option is refused
// rather than ignored, so that a client never gets an unfiltered answer to
// a filtered question; parameters without "$" are not OData options and
// are ignored, as Graph does.
func parseQuery(raw string, allowed option) (query, error) {
	if raw == "" || allowed == optAny {
		return query{}, nil
	}
	values, err := url.ParseQuery(raw)
	if err != nil {
		return query{}, badRequest(codeBadRequest, "The query string is not valid: '%s'.", raw)
	}
	q := query{values: values}
	for k, v := range values {
		if !strings.HasPrefix(k, "$") {
			continue
		}
		if allowed == 0 {
			return q, badRequest(codeUnsupportedQuery, "The query option '%s' is not supported on this resource.", k)
		}
		if strings.EqualFold(k, "$select") && len(v) > 0 {
			q.selRaw = splitList(v[0])
		}
	}
	return q, nil
}

var optionByName = map[string]option{
	"$filter": odata.OptFilter, "$search": odata.OptSearch, "$orderby": odata.OptOrderBy,
	"$select": optSelect, "$expand": optExpand, "$top": optTop, "$skiptoken": optSkipToken,
	"$count": odata.OptCount,
}

// only refuses every option but allowed, for endpoints whose type
// internal/odata does not describe.
func (q query) only(allowed option) error {
	for k := range q.values {
		if opt, ok := optionByName[strings.ToLower(k)]; strings.HasPrefix(k, "$") && (!ok || allowed&opt == 0) {
			return badRequest(codeUnsupportedQuery, "The query option '%s' is not supported on this resource.", k)
		}
	}
	return nil
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

// odata validates the request's options against schema. countSegment: the
// path ends in /$count.
func (rq *request) odata(schema odata.Schema, allowed odata.Option, countSegment bool) (*odata.Query, error) {
	return odata.Parse(rq.q.values, schema, odata.Options{
		Allowed:      allowed,
		Eventual:     odata.EventualConsistency(rq.r.Header.Get("ConsistencyLevel")),
		CountSegment: countSegment,
	})
}

// A $skiptoken is the store's cursor behind a version byte and a digest of
// the list it pages (its path and Query.Canonical), so that a token replayed
// on another list or with another $filter, $search or $orderby is refused
// rather than read as a position in the wrong order. base64url keeps it
// opaque and URL-safe. The store checks the cursor itself as well.
const tokenVersion = 1

func tokenDigest(scope string) []byte {
	sum := sha256.Sum256([]byte(scope))
	return sum[:12]
}

func encodeSkipToken(scope, cursor string) string {
	b := make([]byte, 0, 1+12+len(cursor))
	b = append(b, tokenVersion)
	b = append(b, tokenDigest(scope)...)
	b = append(b, cursor...)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeSkipToken(tok, scope string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(tok, "="))
	if err != nil || len(b) < 13 || b[0] != tokenVersion || !bytes.Equal(b[1:13], tokenDigest(scope)) {
		return "", badSkipToken(tok)
	}
	return string(b[13:]), nil
}

func badSkipToken(tok string) *apiError {
	return badRequest(codeBadRequest, "The $skiptoken value '%s' is not valid.", tok)
}

// nextLink is the absolute URL of the next page: the same path and query
// with $skiptoken replaced by token.
func nextLink(base, path, rawQuery, token string) string {
	var b strings.Builder
	b.Grow(len(base) + len(path) + len(rawQuery) + len(token) + 16)
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
	b.WriteString(token)
	return b.String()
}

// relationSource maps an $expand relationship to the store's source.
func relationSource(rel string) directory.Source {
	switch rel {
	case "members":
		return directory.SourceMembers
	case "owners":
		return directory.SourceOwners
	case "memberOf":
		return directory.SourceMemberOf
	}
	return 0
}
