package aadgraph

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"

	"groupd/internal/directory"
	"groupd/internal/odata"
)

// The properties Azure AD Graph filters on, with eq and startswith (and
// any() over address collections), joined by and/or. objectId is the
// directory's id.
var (
	eqOnly    = odata.Ops(odata.OpEq)
	eqPrefix  = odata.Ops(odata.OpEq, odata.OpStartsWith)
	addresses = odata.Ops(odata.OpAny, odata.OpEq, odata.OpStartsWith)
)

func filterProp(name string, t odata.PropType, ops odata.OpSet) odata.Prop {
	return odata.Prop{Name: name, Type: t, Filter: odata.FilterOps{Default: ops}}
}

var groupSchema = odata.Schema{
	EntityType: typeGroup, Resource: "Group",
	Props: props(
		filterProp("objectId", odata.TypeGUID, eqOnly),
		filterProp("displayName", odata.TypeString, eqPrefix),
		filterProp("mailNickname", odata.TypeString, eqPrefix),
		filterProp("mail", odata.TypeString, eqPrefix),
		filterProp("mailEnabled", odata.TypeBool, eqOnly),
		filterProp("securityEnabled", odata.TypeBool, eqOnly),
		filterProp("proxyAddresses", odata.TypeStringCollection, addresses),
	),
}

var userSchema = odata.Schema{
	EntityType: typeUser, Resource: "User",
	Props: props(
		filterProp("objectId", odata.TypeGUID, eqOnly),
		filterProp("displayName", odata.TypeString, eqPrefix),
		filterProp("givenName", odata.TypeString, eqPrefix),
		filterProp("surname", odata.TypeString, eqPrefix),
		filterProp("userPrincipalName", odata.TypeString, eqPrefix),
		filterProp("mail", odata.TypeString, eqPrefix),
		filterProp("mailNickname", odata.TypeString, eqPrefix),
		filterProp("jobTitle", odata.TypeString, eqPrefix),
		filterProp("department", odata.TypeString, eqPrefix),
		filterProp("accountEnabled", odata.TypeBool, eqOnly),
		filterProp("userType", odata.TypeString, eqOnly),
		filterProp("otherMails", odata.TypeStringCollection, addresses),
	),
}

// noFilter is the schema of relationship lists, which take $top and
// $skiptoken only.
var noFilter = odata.Schema{EntityType: "Microsoft.DirectoryServices.DirectoryObject", Resource: "DirectoryObject"}

func props(list ...odata.Prop) map[string]odata.Prop {
	m := make(map[string]odata.Prop, len(list))
	for _, p := range list {
		m[p.Name] = p
	}
	return m
}

// toDirectory renames objectId to the directory's id in a parsed filter.
func toDirectory(e odata.Expr) odata.Expr {
	odata.Walk(e, func(n odata.Expr) bool {
		switch n := n.(type) {
		case *odata.Compare:
			if n.Prop == "objectId" {
				n.Prop = "id"
			}
		case *odata.In:
			if n.Prop == "objectId" {
				n.Prop = "id"
			}
		}
		return true
	})
	return e
}

// listQuery is a parsed list request: the filter as written (it travels
// in the $skiptoken), the page size and the cursor.
type listQuery struct {
	filterRaw string
	filter    odata.Expr
	top       int
	after     string
	// key signs the next page's $skiptoken (the paging key every
	// instance on the database shares); tenant binds it to the caller's.
	key    []byte
	tenant directory.TenantID
}

// parseList reads $filter, $top and $skiptoken for the list scope. A
// $skiptoken carries the filter of the first request, so that following
// odata.nextLink with only api-version added continues the same query; a
// different $filter alongside it is refused.
func (a *api) parseList(rq *request, schema odata.Schema, scope string) (listQuery, error) {
	allowed := odata.OptTop | odata.OptSkipToken
	if len(schema.Props) > 0 {
		allowed |= odata.OptFilter
	}
	values := url.Values{}
	for k, v := range rq.query {
		if strings.HasPrefix(k, "$") {
			values[k] = v
		}
	}
	q, err := odata.Parse(values, schema, odata.Options{Allowed: allowed})
	if err != nil {
		return listQuery{}, err
	}
	key, err := a.dir.PagingKey(rq.ctx)
	if err != nil {
		return listQuery{}, err
	}
	lq := listQuery{filterRaw: rawOption(values, "$filter"), top: q.Top, key: key, tenant: rq.tenant}
	if q.SkipToken != "" {
		tok, err := decodeSkipToken(key, rq.tenant, q.SkipToken, scope)
		if err != nil {
			return lq, err
		}
		if lq.filterRaw != "" && lq.filterRaw != tok.Filter {
			return lq, badRequest(codeUnsupportedQuery, "The $skiptoken belongs to another $filter.")
		}
		lq.filterRaw, lq.after = tok.Filter, tok.Cursor
		if rawOption(values, "$top") == "" && tok.Top > 0 && tok.Top <= odata.MaxTop {
			lq.top = tok.Top
		}
		if lq.filterRaw != "" {
			if q, err = odata.Parse(url.Values{"$filter": {lq.filterRaw}}, schema, odata.Options{Allowed: odata.OptFilter}); err != nil {
				return lq, err
			}
		}
	}
	lq.filter = toDirectory(q.Filter)
	return lq, nil
}

func rawOption(values url.Values, name string) string {
	for k, v := range values {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// skipToken is what a $skiptoken carries: the list it pages, the filter
// and the store's cursor, and a MAC over them and the tenant, so that a
// token altered or made for another tenant is refused. It is written
// X'<hex>' as Azure AD Graph writes its tokens.
type skipToken struct {
	Scope  string `json:"s"`
	Filter string `json:"f,omitempty"`
	Top    int    `json:"t,omitempty"`
	Cursor string `json:"c"`
	MAC    []byte `json:"m"`
}

func (t skipToken) mac(key []byte, tenant directory.TenantID) []byte {
	m := hmac.New(sha256.New, key)
	for _, part := range []string{string(tenant), t.Scope, t.Filter, strconv.Itoa(t.Top), t.Cursor} {
		m.Write(binary.BigEndian.AppendUint32(nil, uint32(len(part))))
		m.Write([]byte(part))
	}
	return m.Sum(nil)[:16]
}

func encodeSkipToken(key []byte, tenant directory.TenantID, t skipToken) string {
	t.MAC = t.mac(key, tenant)
	b, _ := json.Marshal(t) // strings and bytes only: cannot fail
	return "X'" + strings.ToUpper(hex.EncodeToString(b)) + "'"
}

func decodeSkipToken(key []byte, tenant directory.TenantID, raw, scope string) (skipToken, error) {
	bad := badRequest(codeBadRequest, "The $skiptoken value is not valid.")
	h, ok := strings.CutPrefix(raw, "X'")
	if !ok {
		return skipToken{}, bad
	}
	h, ok = strings.CutSuffix(h, "'")
	b, err := hex.DecodeString(h)
	var t skipToken
	if !ok || err != nil || json.Unmarshal(b, &t) != nil || t.Scope != scope ||
		!hmac.Equal(t.MAC, t.mac(key, tenant)) {
		return skipToken{}, bad
	}
	return t, nil
}

// pageQuery is the directory's question for one page.
func (lq listQuery) pageQuery(src directory.Source, of string) directory.ListQuery {
	return directory.ListQuery{Source: src, Of: directory.ObjectID(of), Filter: lq.filter,
		Page: directory.PageRequest{Top: lq.top, After: lq.after}}
}

// nextLink is the relative odata.nextLink of the page after next.
func nextLink(path, scope string, lq listQuery, next string) string {
	if next == "" {
		return ""
	}
	return path + "?$skiptoken=" + encodeSkipToken(lq.key, lq.tenant,
		skipToken{Scope: scope, Filter: lq.filterRaw, Top: lq.top, Cursor: next})
}
