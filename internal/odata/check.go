package odata

import (
	"strings"
	"unicode/utf8"
)

var comparisonOps = map[string]Op{"eq": OpEq, "ne": OpNe, "gt": OpGt, "ge": OpGe, "lt": OpLt, "le": OpLe, "in": OpIn}

// operatorKinds name comparisons in type errors, as the OData library does.
var operatorKinds = [opEnd]string{OpEq: "Equal", OpNe: "NotEqual", OpGt: "GreaterThan", OpGe: "GreaterThanOrEqual", OpLt: "LessThan", OpLe: "LessThanOrEqual", OpIn: "In"}

// odataFunctions are the OData functions Graph does not run on directory
// objects: refused as unsupported rather than unknown.
var odataFunctions = map[string]bool{
	"contains": true, "substring": true, "tolower": true, "toupper": true, "trim": true,
	"length": true, "indexof": true, "concat": true, "matchespattern": true,
	"year": true, "month": true, "day": true, "hour": true, "minute": true, "second": true,
	"fractionalseconds": true, "totalseconds": true, "date": true, "time": true,
	"totaloffsetminutes": true, "now": true, "maxdatetime": true, "mindatetime": true,
	"round": true, "floor": true, "ceiling": true, "cast": true, "isof": true,
}

// parseComparison parses "op literal" or "in (literals)" after prop.
func (p *filterParser) parseComparison(prop Prop, elem bool) (Expr, *Error) {
	if prop.Type == TypeOther || (prop.Type == TypeStringCollection && !elem) {
		return nil, errFilterProp(prop.Name, p.s)
	}
	op, ok := comparisonOps[strings.ToLower(p.tok.text)]
	if p.tok.kind != tIdent || !ok {
		return nil, p.expected("a comparison operator")
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	typ := prop.Type
	if elem {
		typ = TypeString
	}
	if op == OpIn {
		return p.parseIn(prop, typ)
	}
	lit, err := p.literal()
	if err != nil {
		return nil, err
	}
	if err := p.node(); err != nil {
		return nil, err
	}
	if lit, err = p.coerce(lit, typ, op); err != nil {
		return nil, err
	}
	if lit.Kind == LitNull {
		if op != OpEq && op != OpNe {
			return nil, errFilterProp(prop.Name, p.s)
		}
		if err := p.checkOp(prop, op, op.String()); err != nil {
			return nil, err
		}
		if err := p.checkOp(prop, OpNull, op.String()+" null"); err != nil {
			return nil, err
		}
	} else if err := p.checkOp(prop, op, op.String()); err != nil {
		return nil, err
	}
	return &Compare{Prop: prop.Name, Op: op, Value: lit}, nil
}

func (p *filterParser) parseIn(prop Prop, typ PropType) (Expr, *Error) {
	if err := p.expect(tLParen, "'('"); err != nil {
		return nil, err
	}
	var values []Literal
	for {
		lit, err := p.literal()
		if err != nil {
			return nil, err
		}
		if lit.Kind == LitNull {
			return nil, errFilterProp(prop.Name, p.s)
		}
		if lit, err = p.coerce(lit, typ, OpIn); err != nil {
			return nil, err
		}
		values = append(values, lit)
		if p.tok.kind == tRParen {
			break
		}
		if err := p.expect(tComma, "',' or ')'"); err != nil {
			return nil, err
		}
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if len(values) > MaxInValues {
		return nil, unsupported("$filter", "Too many child clauses specified in search filter expression containing 'OR' operators: %d. Max allowed: %d.", len(values), MaxInValues)
	}
	if err := p.node(); err != nil {
		return nil, err
	}
	if err := p.checkOp(prop, OpIn, "in"); err != nil {
		return nil, err
	}
	return &In{Prop: prop.Name, Values: values}, nil
}

// literal consumes one literal.
func (p *filterParser) literal() (Literal, *Error) {
	var lit Literal
	switch t := p.tok; {
	case t.kind == tString:
		lit = Literal{Kind: LitString, Str: t.val}
	case t.kind == tInt || t.kind == tDateTime:
		lit = t.lit
	case t.kind == tGUID:
		lit = Literal{Kind: LitGUID, Str: t.val}
	case p.isKeyword("true") || p.isKeyword("false"):
		lit = Literal{Kind: LitBool, Bool: p.isKeyword("true")}
	case p.isKeyword("null"):
		lit = Literal{Kind: LitNull}
	default:
		return lit, p.expected("a literal")
	}
	return lit, p.advance()
}

// coerce checks that lit can be compared with a property of type typ and
// returns it in the property's literal kind (a string becomes a GUID for an
// id). null passes; the caller decides which operators take it.
func (p *filterParser) coerce(lit Literal, typ PropType, op Op) (Literal, *Error) {
	ok := false
	switch lit.Kind {
	case LitNull:
		return lit, nil
	case LitString, LitGUID:
		if typ == TypeGUID {
			g, valid := parseGUID(lit.Str)
			if !valid {
				return lit, newError(CodeRequestBadRequest, "$filter", "Invalid object identifier '%s'.", quote(lit.Str))
			}
			return Literal{Kind: LitGUID, Str: g}, nil
		}
		ok = typ == TypeString && lit.Kind == LitString
	case LitBool:
		ok = typ == TypeBool
	case LitInt:
		ok = typ == TypeInt
	case LitDateTime:
		ok = typ == TypeDateTime
	}
	if ok {
		return lit, nil
	}
	litType := map[LitKind]PropType{LitString: TypeString, LitGUID: TypeGUID, LitBool: TypeBool, LitInt: TypeInt, LitDateTime: TypeDateTime}[lit.Kind]
	return lit, badRequest("$filter", "Invalid filter clause: A binary operator with incompatible types was detected. Found operand types '%s' and '%s' for operator kind '%s'.", typ.edmName(), litType.edmName(), operatorKinds[op])
}

// resolve finds a name used in a path: inside any() only the lambda
// variable (elem is then true and prop the collection), elsewhere a
// property of the schema.
func (p *filterParser) resolve(name string) (prop Prop, elem bool, err *Error) {
	if p.elem != nil {
		if name == p.lvar {
			return *p.elem, true, nil
		}
		return prop, false, unsupported("$filter", "Only the lambda variable '%s' can be used inside %s/any(), found '%s'.", p.lvar, p.elem.Name, quote(name))
	}
	prop, ok := p.s.Lookup(name)
	if !ok {
		return prop, false, errNotFound("$filter", "Invalid filter clause: ", quote(name), p.s)
	}
	return prop, false, nil
}

// checkOp refuses an operator the property does not support and records
// the first one that needs advanced query parameters, named as in Graph's
// message.
func (p *filterParser) checkOp(prop Prop, op Op, name string) *Error {
	if !prop.Filter.Allows(op) {
		return errFilterProp(prop.Name, p.s)
	}
	if prop.Filter.NeedsAdvanced(op) && p.advanced == "" {
		p.advanced = name
	}
	return nil
}

// checkNot requires every property under a not to support negation.
func (p *filterParser) checkNot(e Expr) *Error {
	var err *Error
	Walk(e, func(n Expr) bool {
		var name string
		switch n := n.(type) {
		case *Compare:
			name = n.Prop
		case *In:
			name = n.Prop
		case *Func:
			name = n.Prop
		case *Any:
			name = n.Prop
		}
		if name != "" && err == nil {
			err = p.checkOp(p.s.Props[name], OpNot, "not")
		}
		return err == nil
	})
	return err
}

// node counts one node of the tree against the limit.
func (p *filterParser) node() *Error {
	if p.nodes++; p.nodes > p.maxNodes {
		return unsupported("$filter", "The filter expression is too complex: more than %d operators and operands.", p.maxNodes)
	}
	return nil
}

// enter counts one level of nesting against the limit; the caller
// decrements depth when the level is done.
func (p *filterParser) enter() *Error {
	if p.depth++; p.depth > p.maxDepth {
		return unsupported("$filter", "The filter expression is nested too deeply: more than %d levels.", p.maxDepth)
	}
	return nil
}

// syntax is a BadRequest at a byte offset, reported in characters.
func (p *filterParser) syntax(pos int, what string) *Error {
	return badRequest("$filter", "Invalid filter clause: %s at position %d in '%s'.", what, runePos(p.src, pos), p.src)
}

func (p *filterParser) expected(what string) *Error {
	if p.tok.kind == tEOF {
		return p.syntax(p.tok.pos, "expected "+what)
	}
	return p.syntax(p.tok.pos, "expected "+what+" but found '"+quote(p.tok.text)+"'")
}

// literalFirst refuses a clause that starts with a literal: valid OData,
// but Graph only compares a property with a literal.
func (p *filterParser) literalFirst() *Error {
	return unsupported("$filter", "Unsupported filter clause at position %d in '%s': a comparison must have a property on its left and a literal on its right.", runePos(p.src, p.tok.pos), p.src)
}

func runePos(s string, pos int) int {
	return utf8.RuneCountInString(s[:min(max(pos, 0), len(s))])
}
