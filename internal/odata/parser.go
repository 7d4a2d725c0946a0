package odata

import "strings"

// Limits against abusive queries.
const (
	MaxOptionLength = 4096 // bytes in one option value
	MaxNodes        = 100  // nodes in a $filter or $search tree
	MaxDepth        = 16   // nesting of parentheses, not and any()
	MaxInValues     = 15   // values in one in list, as in Microsoft Graph
)

// The $filter grammar, a subset of the OData ABNF. Keywords and function
// names are case-insensitive, as Graph accepts them (AND, NOT, startswith).
//
//	filter     = or
//	or         = and *( "or" and )
//	and        = unary *( "and" unary )
//	unary      = "not" unary / primary
//	primary    = "(" or ")" / function / path "/any(" var ":" or ")" / comparison
//	function   = ( "startsWith" / "endsWith" ) "(" path "," string ")"
//	comparison = path ( "eq" / "ne" / "gt" / "ge" / "lt" / "le" ) literal
//	           / path "in" "(" literal *( "," literal ) ")"
//	literal    = string / integer / date / dateTimeOffset / guid / "true" / "false" / "null"
//
// Precedence is not > comparison > and > or. Unlike the OData ABNF, not
// applies to the whole comparison that follows it, so "not displayName eq
// 'x'" means not(displayName eq 'x'), which is what Graph's own examples
// ("NOT startsWith(displayName, 'Conf')") intend. A path inside any() must be
// the lambda variable.

// filterParser parses and validates one $filter against a schema. It checks
// as it goes, so the tree it returns is valid for the schema: known
// properties in canonical casing, operators each property supports, literals
// of the property's type.
type filterParser struct {
	src      string
	lx       lexer
	tok      token
	s        *Schema
	nodes    int
	depth    int
	maxNodes int
	maxDepth int
	elem     *Prop  // inside any(): the collection
	lvar     string // inside any(): its variable
	advanced string // the first operator that needs advanced query parameters
}

// parseFilter parses src. advanced names the first operator used that needs
// advanced query parameters ("" if none), for the caller to check against
// the request's header and $count.
func parseFilter(src string, s *Schema) (e Expr, advanced string, err *Error) {
	p := &filterParser{src: src, lx: lexer{src: src}, s: s, maxNodes: MaxNodes, maxDepth: MaxDepth}
	return p.parse()
}

func (p *filterParser) parse() (Expr, string, *Error) {
	if err := p.advance(); err != nil {
		return nil, "", err
	}
	e, err := p.parseOr()
	if err != nil {
		return nil, "", err
	}
	if p.tok.kind != tEOF {
		return nil, "", p.syntax(p.tok.pos, "unexpected '"+quote(p.tok.text)+"'")
	}
	return e, p.advanced, nil
}

func (p *filterParser) advance() *Error {
	t, lerr := p.lx.next()
	if lerr != nil {
		return p.syntax(lerr.pos, lerr.msg)
	}
	p.tok = t
	return nil
}

// peek returns the token after the current one without consuming it.
func (p *filterParser) peek() token {
	l := p.lx
	t, err := l.next()
	if err != nil {
		return token{kind: tEOF}
	}
	return t
}

func (p *filterParser) isKeyword(kw string) bool {
	return p.tok.kind == tIdent && strings.EqualFold(p.tok.text, kw)
}

// expect consumes a token of kind k or fails naming what was expected.
func (p *filterParser) expect(k tokKind, what string) *Error {
	if p.tok.kind != k {
		return p.expected(what)
	}
	return p.advance()
}

func (p *filterParser) parseOr() (Expr, *Error) {
	return p.junction("or", p.parseAnd, func(t []Expr) Expr { return &Or{Terms: t} })
}

func (p *filterParser) parseAnd() (Expr, *Error) {
	return p.junction("and", p.parseUnary, func(t []Expr) Expr { return &And{Terms: t} })
}

// junction parses operand *(kw operand), flattening nested junctions of the
// same kind so that equal queries get equal trees.
func (p *filterParser) junction(kw string, operand func() (Expr, *Error), mk func([]Expr) Expr) (Expr, *Error) {
	first, err := operand()
	if err != nil || !p.isKeyword(kw) {
		return first, err
	}
	terms := flatten(nil, first, kw)
	for p.isKeyword(kw) {
		if err := p.advance(); err != nil {
			return nil, err
		}
		t, err := operand()
		if err != nil {
			return nil, err
		}
		terms = flatten(terms, t, kw)
	}
	if err := p.node(); err != nil {
		return nil, err
	}
	return mk(terms), nil
}

func flatten(terms []Expr, e Expr, kw string) []Expr {
	switch n := e.(type) {
	case *And:
		if kw == "and" {
			return append(terms, n.Terms...)
		}
	case *Or:
		if kw == "or" {
			return append(terms, n.Terms...)
		}
	}
	return append(terms, e)
}

func (p *filterParser) parseUnary() (Expr, *Error) {
	if !p.isKeyword("not") {
		return p.parsePrimary()
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	inner, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	p.depth--
	if err := p.node(); err != nil {
		return nil, err
	}
	if err := p.checkNot(inner); err != nil {
		return nil, err
	}
	return &Not{Expr: inner}, nil
}

func (p *filterParser) parsePrimary() (Expr, *Error) {
	switch p.tok.kind {
	case tLParen:
		if err := p.advance(); err != nil {
			return nil, err
		}
		if err := p.enter(); err != nil {
			return nil, err
		}
		e, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		p.depth--
		return e, p.expect(tRParen, "')' or an operator")
	case tIdent:
		switch {
		case p.isKeyword("true") || p.isKeyword("false") || p.isKeyword("null"):
			return nil, p.literalFirst()
		case p.peek().kind == tLParen:
			return p.parseCall()
		}
		return p.parsePath()
	case tString, tInt, tDateTime, tGUID:
		return nil, p.literalFirst()
	}
	return nil, p.expected("an expression")
}

// parsePath parses what follows a property name: a lambda or a comparison.
func (p *filterParser) parsePath() (Expr, *Error) {
	prop, elem, err := p.resolve(p.tok.text)
	if err != nil {
		return nil, err
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tSlash {
		if elem {
			return nil, p.syntax(p.tok.pos, "unexpected '/' after the lambda variable")
		}
		return p.parseLambda(prop)
	}
	return p.parseComparison(prop, elem)
}
