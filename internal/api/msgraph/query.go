package msgraph

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"net/url"
	"strings"

	"groupd/internal/api/httpx"
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
	values, err := httpx.ParseQuery(raw)
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

// A $skiptoken is the store's cursor behind a version byte and followed
// by an HMAC-SHA256 (truncated to 128 bits) of the tenant, the list it
// pages (its path and Query.Canonical) and the cursor, under the paging
// key every instance on the database shares. A token forged, altered, or
// replayed on another tenant, list, $filter, $search or $orderby is
// refused rather than read as a position in the wrong order. base64url
// keeps it opaque and URL-safe. The store checks the cursor itself too.
const (
	tokenVersion = 2
	tokenMACLen  = 16
)

func tokenMAC(key []byte, tenant directory.TenantID, scope, cursor string) []byte {
	m := hmac.New(sha256.New, key)
	for _, part := range []string{string(tenant), scope, cursor} {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(part)))
		m.Write(n[:])
		m.Write([]byte(part))
	}
	return m.Sum(nil)[:tokenMACLen]
}

func encodeSkipToken(key []byte, tenant directory.TenantID, scope, cursor string) string {
	b := make([]byte, 0, 1+len(cursor)+tokenMACLen)
	b = append(b, tokenVersion)
	b = append(b, cursor...)
	b = append(b, tokenMAC(key, tenant, scope, cursor)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeSkipToken(key []byte, tenant directory.TenantID, tok, scope string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(tok, "="))
	if err != nil || len(b) < 1+tokenMACLen || b[0] != tokenVersion {
		return "", badSkipToken(tok)
	}
	cursor, mac := string(b[1:len(b)-tokenMACLen]), b[len(b)-tokenMACLen:]
	if !hmac.Equal(mac, tokenMAC(key, tenant, scope, cursor)) {
		return "", badSkipToken(tok)
	}
	return cursor, nil
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
	for p := range httpx.SplitQuery(rawQuery) {
		if p.Err == nil && strings.EqualFold(p.Key, "$skiptoken") {
			continue
		}
		b.WriteString(p.Raw)
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
	case "directReports":
		return directory.SourceDirectReports
	}
	return 0
}
