package odata

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

// FuzzParse holds Parse to its contract on any input: it never panics,
// every error is an *Error with a known code and a message, and every
// accepted query is a well-formed tree whose canonical text parses back to
// the same tree.
//
//	go test -fuzz=FuzzParse -fuzztime=20s ./internal/odata/
func FuzzParse(f *testing.F) {
	seeds := []string{
		"displayName eq 'a'",
		"startswith(displayName,'a') or endsWith(mail,'b''c')",
		"groupTypes/any(c:c eq 'Unified') and not(mailEnabled eq true)",
		"proxyAddresses/any(x:startsWith(x,'smtp:') or x in ('a','b'))",
		"(id in ('0123abcd-0123-4567-89ab-0123456789ab', 0123abcd-0123-4567-89ab-0123456789ab))",
		"createdDateTime ge 2024-01-01T00:00:00.5+01:00 and createdDateTime lt 2024-02-01",
		"NOT displayName eq null AND mail ne 'x' OR mailNickname le 'm'",
		"displayName eq 'é' ==",
		"'a' eq displayName",
		"groupTypes/all(c:c eq 'x')",
	}
	searches := []string{`"displayName:OneVideo"`, `"description:a" AND ("displayName:b" OR "mail:c")`, `"displayName:\"q\\"`, `x`}
	for i, s := range seeds {
		f.Add(s, searches[i%len(searches)], "displayName desc", "id,displayName", "members($select=id)", i%2 == 0, i%3 == 0)
	}
	f.Add("", "", "", "", "", false, false)
	f.Fuzz(func(t *testing.T, filter, search, orderby, sel, expand string, eventual, count bool) {
		v := url.Values{}
		for k, val := range map[string]string{"$filter": filter, "$search": search, "$orderby": orderby, "$select": sel, "$expand": expand} {
			if val != "" {
				v.Set(k, val)
			}
		}
		if count {
			v.Set("$count", "true")
		}
		for _, s := range []*Schema{&GroupSchema, &UserSchema} {
			q, err := Parse(v, *s, Options{Allowed: ListOptions, Eventual: eventual})
			if err != nil {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("error of type %T: %v", err, err)
				}
				if e.Message == "" || (e.Code != CodeBadRequest && e.Code != CodeUnsupportedQuery && e.Code != CodeRequestBadRequest) ||
					(e.Option != "" && !strings.HasPrefix(e.Option, "$")) {
					t.Fatalf("malformed error %+v", e)
				}
				continue
			}
			if q.Top < 1 || q.Top > MaxTop {
				t.Fatalf("Top = %d", q.Top)
			}
			checkTree(t, s, q.Filter, "")
			checkTree(t, s, q.Search, "")
			_ = q.Canonical()
			if q.Filter != nil {
				text := q.Filter.String()
				p := &filterParser{src: text, lx: lexer{src: text}, s: s, maxNodes: 1 << 20, maxDepth: 1 << 20}
				back, _, perr := p.parse()
				if perr != nil || back.String() != text {
					t.Fatalf("filter %q: canonical %q parses to %v, %v", filter, text, back, perr)
				}
			}
			if q.Search != nil {
				text := q.Search.String()
				p := &searchParser{src: text, s: s, maxNodes: 1 << 20, maxDepth: 1 << 20}
				back, perr := p.parse()
				if perr != nil || back.String() != text {
					t.Fatalf("search %q: canonical %q parses to %v, %v", search, text, back, perr)
				}
			}
		}
	})
}

// checkTree verifies the invariants a store relies on. elem is the
// collection of the enclosing Any, or "".
func checkTree(t *testing.T, s *Schema, e Expr, elem string) {
	t.Helper()
	leaf := func(prop string) {
		p, ok := s.Props[prop]
		if !ok {
			t.Fatalf("%s: property %q is not a canonical schema name", e, prop)
		}
		if (p.Type == TypeStringCollection) != (elem == prop) {
			t.Fatalf("%s: property %q in lambda of %q", e, prop, elem)
		}
	}
	switch n := e.(type) {
	case nil:
	case *Compare:
		leaf(n.Prop)
		if n.Op < OpEq || n.Op > OpLe || n.Value.Kind == 0 || (n.Value.Kind == LitNull && n.Op != OpEq && n.Op != OpNe) {
			t.Fatalf("bad compare %#v", n)
		}
	case *In:
		leaf(n.Prop)
		if len(n.Values) == 0 || len(n.Values) > MaxInValues {
			t.Fatalf("in with %d values", len(n.Values))
		}
		for _, v := range n.Values {
			if v.Kind == LitNull || v.Kind == 0 {
				t.Fatalf("bad in value %#v", v)
			}
		}
	case *Func:
		leaf(n.Prop)
		if (n.Op != OpStartsWith && n.Op != OpEndsWith) || n.Value.Kind != LitString {
			t.Fatalf("bad func %#v", n)
		}
	case *Any:
		if elem != "" || n.Body == nil {
			t.Fatalf("bad any %#v", n)
		}
		checkTree(t, s, n.Body, n.Prop)
	case *Not:
		checkTree(t, s, n.Expr, elem)
	case *And:
		checkJunction(t, s, n.Terms, elem, func(e Expr) bool { _, ok := e.(*And); return ok })
	case *Or:
		checkJunction(t, s, n.Terms, elem, func(e Expr) bool { _, ok := e.(*Or); return ok })
	case *SearchTerm:
		p, ok := s.Props[n.Prop]
		if !ok || p.Type != TypeString || (n.Mode == SearchTokens) != (len(n.Tokens) > 0) || (n.Mode == SearchPrefix && n.Text == "") {
			t.Fatalf("bad search term %#v", n)
		}
	default:
		t.Fatalf("unknown node %T", e)
	}
}

func checkJunction(t *testing.T, s *Schema, terms []Expr, elem string, same func(Expr) bool) {
	t.Helper()
	if len(terms) < 2 {
		t.Fatalf("junction with %d terms", len(terms))
	}
	for _, term := range terms {
		if same(term) {
			t.Fatalf("unflattened junction %s", term)
		}
		checkTree(t, s, term, elem)
	}
}
