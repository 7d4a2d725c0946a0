package odata

import (
	"strconv"
	"time"
)

// Op is a filter operator. The set is closed: a store maps each Op to a
// fixed SQL fragment and never needs the client's spelling.
type Op uint8

// Filter operators. OpEq..OpLe compare a property with a literal; OpIn tests
// membership in a literal list; OpStartsWith and OpEndsWith are the string
// functions; OpNot, OpNull and OpAny name capabilities in FilterOps (a
// property may be negated, compared with null, or be the collection of an
// any() lambda) and never appear in a Compare or Func.
const (
	OpEq Op = iota + 1
	OpNe
	OpGt
	OpGe
	OpLt
	OpLe
	OpIn
	OpStartsWith
	OpEndsWith
	OpNot
	OpNull
	OpAny
	opEnd
)

var opNames = [opEnd]string{"", "eq", "ne", "gt", "ge", "lt", "le", "in", "startsWith", "endsWith", "not", "null", "any"}

// String is the operator as written in OData (startsWith in Graph's casing).
func (o Op) String() string {
	if o < opEnd {
		return opNames[o]
	}
	return "Op(" + strconv.Itoa(int(o)) + ")"
}

// OpSet is a set of operators.
type OpSet uint16

// Ops returns the set of ops.
func Ops(ops ...Op) OpSet {
	var s OpSet
	for _, o := range ops {
		if o < opEnd {
			s |= 1 << o
		}
	}
	return s
}

// Has reports whether o is in s.
func (s OpSet) Has(o Op) bool { return o < opEnd && s&(1<<o) != 0 }

// LitKind is the type of a literal.
type LitKind uint8

// Literal kinds. A GUID literal is what a string or GUID literal becomes when
// compared with a TypeGUID property; its Str is the lower-case canonical form.
const (
	LitNull LitKind = iota + 1
	LitString
	LitBool
	LitInt
	LitDateTime
	LitGUID
)

// Literal is a typed constant from the query. Only the field of its Kind is
// set: Str for LitString and LitGUID, Bool, Int, Time (always UTC) for
// LitDateTime.
type Literal struct {
	Kind LitKind
	Str  string
	Bool bool
	Int  int64
	Time time.Time
}

// Value is the literal as a Go value for a SQL parameter: nil, string, bool,
// int64 or time.Time.
func (l Literal) Value() any {
	switch l.Kind {
	case LitString, LitGUID:
		return l.Str
	case LitBool:
		return l.Bool
	case LitInt:
		return l.Int
	case LitDateTime:
		return l.Time
	}
	return nil
}

// Expr is a node of a $filter or $search tree: *Compare, *In, *Func, *Any,
// *And, *Or, *Not in a filter; *SearchTerm, *And, *Or in a search. String
// returns the canonical OData text of the node (see Query.Canonical).
type Expr interface {
	String() string
	isExpr()
}

// Compare is "Prop Op Value" with Op one of OpEq..OpLe. Value is LitNull only
// with OpEq and OpNe. Prop is the schema's canonical name; when Prop is a
// collection the node is inside an Any over it and tests one element.
type Compare struct {
	Prop  string
	Op    Op
	Value Literal
}

// In is "Prop in (Values...)": 1..MaxInValues literals of the property's
// type, never null.
type In struct {
	Prop   string
	Values []Literal
}

// Func is startsWith(Prop, Value) or endsWith(Prop, Value): Op is
// OpStartsWith or OpEndsWith and Value a LitString. Matching is
// case-insensitive, as in Microsoft Graph.
type Func struct {
	Op    Op
	Prop  string
	Value Literal
}

// Any is "Prop/any(Var: Body)" over a string collection: true when at least
// one element satisfies Body. Every leaf of Body names Prop itself and tests
// the element; Var is the variable as the client wrote it, for messages only.
type Any struct {
	Prop string
	Var  string
	Body Expr
}

// And holds when every term holds. It has at least two terms, none an *And.
type And struct{ Terms []Expr }

// Or holds when any term holds. It has at least two terms, none an *Or.
type Or struct{ Terms []Expr }

// Not negates Expr.
type Not struct{ Expr Expr }

func (*Compare) isExpr()    {}
func (*In) isExpr()         {}
func (*Func) isExpr()       {}
func (*Any) isExpr()        {}
func (*And) isExpr()        {}
func (*Or) isExpr()         {}
func (*Not) isExpr()        {}
func (*SearchTerm) isExpr() {}

// Walk calls fn for e and then, if fn returns true, for each child of e in
// order (depth first): the terms of And and Or, the operand of Not, the body
// of Any. A nil e is not visited.
func Walk(e Expr, fn func(Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	switch n := e.(type) {
	case *And:
		for _, t := range n.Terms {
			Walk(t, fn)
		}
	case *Or:
		for _, t := range n.Terms {
			Walk(t, fn)
		}
	case *Not:
		Walk(n.Expr, fn)
	case *Any:
		Walk(n.Body, fn)
	}
}

// Props returns the distinct properties e refers to, in order of first
// appearance: what a store must be able to filter or search on.
func Props(e Expr) []string {
	var out []string
	seen := map[string]bool{}
	Walk(e, func(n Expr) bool {
		var p string
		switch n := n.(type) {
		case *Compare:
			p = n.Prop
		case *In:
			p = n.Prop
		case *Func:
			p = n.Prop
		case *Any:
			p = n.Prop
		case *SearchTerm:
			p = n.Prop
		}
		if p != "" && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
		return true
	})
	return out
}
