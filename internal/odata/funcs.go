package odata

import "strings"

// parseCall parses startsWith(path, 'text') or endsWith(path, 'text').
func (p *filterParser) parseCall() (Expr, *Error) {
	name := p.tok.text
	var op Op
	switch strings.ToLower(name) {
	case "startswith":
		op = OpStartsWith
	case "endswith":
		op = OpEndsWith
	default:
		if odataFunctions[strings.ToLower(name)] {
			return nil, unsupported("$filter", "The function '%s' is not supported in $filter.", name)
		}
		return nil, badRequest("$filter", "Invalid filter clause: An unknown function with name '%s' was found.", name)
	}
	if err := p.advance(); err != nil { // the name; the '(' is next
		return nil, err
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind != tIdent {
		return nil, p.expected("a property name")
	}
	prop, elem, err := p.resolve(p.tok.text)
	if err != nil {
		return nil, err
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if err := p.expect(tComma, "','"); err != nil {
		return nil, err
	}
	lit, err := p.literal()
	if err != nil {
		return nil, err
	}
	if err := p.expect(tRParen, "')'"); err != nil {
		return nil, err
	}
	if err := p.node(); err != nil {
		return nil, err
	}
	if !elem && prop.Type == TypeStringCollection {
		return nil, errFilterProp(prop.Name, p.s)
	}
	if (prop.Type != TypeString && !elem) || lit.Kind != LitString {
		return nil, badRequest("$filter", "Invalid filter clause: No function signature for the function with name '%s' matches the specified arguments. The function signatures considered are: %s(Edm.String Nullable=true, Edm.String Nullable=true).", name, op)
	}
	if err := p.checkOp(prop, op, op.String()); err != nil {
		return nil, err
	}
	return &Func{Op: op, Prop: prop.Name, Value: lit}, nil
}

// parseLambda parses "/any(var: body)" after a collection property.
func (p *filterParser) parseLambda(prop Prop) (Expr, *Error) {
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind != tIdent || !(p.isKeyword("any") || p.isKeyword("all")) {
		return nil, p.expected("any")
	}
	if p.isKeyword("all") {
		return nil, unsupported("$filter", "The lambda operator 'all' is not supported; use 'any'.")
	}
	if prop.Type != TypeStringCollection {
		return nil, badRequest("$filter", "Invalid filter clause: any() applies to collections and '%s' is not a collection.", prop.Name)
	}
	if !prop.Filter.Allows(OpAny) {
		return nil, errFilterProp(prop.Name, p.s)
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if err := p.expect(tLParen, "'('"); err != nil {
		return nil, err
	}
	if p.tok.kind == tRParen {
		return nil, unsupported("$filter", "any() without a lambda expression is not supported: write %s/any(x:x eq 'value').", prop.Name)
	}
	if p.tok.kind != tIdent {
		return nil, p.expected("a lambda variable")
	}
	lvar := p.tok.text
	if err := p.advance(); err != nil {
		return nil, err
	}
	if err := p.expect(tColon, "':'"); err != nil {
		return nil, err
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	p.elem, p.lvar = &prop, lvar
	body, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	p.elem, p.lvar = nil, ""
	p.depth--
	if err := p.expect(tRParen, "')' or an operator"); err != nil {
		return nil, err
	}
	if err := p.node(); err != nil {
		return nil, err
	}
	if err := p.checkOp(prop, OpAny, "any"); err != nil {
		return nil, err
	}
	return &Any{Prop: prop.Name, Var: lvar, Body: body}, nil
}
