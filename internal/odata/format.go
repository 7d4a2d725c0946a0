package odata

import (
	"strconv"
	"strings"
	"time"
)

// The canonical text of a tree is OData that Parse accepts again and that
// parses to the same tree: keywords in lower case (AND and OR in $search),
// properties in the schema's casing, every And and Or in parentheses, Not as
// not(...), lambda variables renamed to x, strings in single quotes with ''
// escapes, date-times in UTC RFC 3339, GUIDs in lower case and quoted.

// String is the literal in canonical OData form.
func (l Literal) String() string {
	var b strings.Builder
	writeLiteral(&b, l)
	return b.String()
}

func writeLiteral(b *strings.Builder, l Literal) {
	switch l.Kind {
	case LitString, LitGUID:
		b.WriteByte('\'')
		b.WriteString(strings.ReplaceAll(l.Str, "'", "''"))
		b.WriteByte('\'')
	case LitBool:
		b.WriteString(strconv.FormatBool(l.Bool))
	case LitInt:
		b.WriteString(strconv.FormatInt(l.Int, 10))
	case LitDateTime:
		b.WriteString(l.Time.UTC().Format(time.RFC3339Nano))
	default:
		b.WriteString("null")
	}
}

func (n *Compare) String() string    { return format(n) }
func (n *In) String() string         { return format(n) }
func (n *Func) String() string       { return format(n) }
func (n *Any) String() string        { return format(n) }
func (n *And) String() string        { return format(n) }
func (n *Or) String() string         { return format(n) }
func (n *Not) String() string        { return format(n) }
func (n *SearchTerm) String() string { return format(n) }

func format(e Expr) string {
	var b strings.Builder
	writeExpr(&b, e, "")
	return b.String()
}

// writeExpr writes e; inside an Any, elem is its collection, whose name is
// written as the lambda variable x.
func writeExpr(b *strings.Builder, e Expr, elem string) {
	name := func(p string) string {
		if p == elem {
			return "x"
		}
		return p
	}
	switch n := e.(type) {
	case *Compare:
		b.WriteString(name(n.Prop))
		b.WriteByte(' ')
		b.WriteString(n.Op.String())
		b.WriteByte(' ')
		writeLiteral(b, n.Value)
	case *In:
		b.WriteString(name(n.Prop))
		b.WriteString(" in (")
		for i, v := range n.Values {
			if i > 0 {
				b.WriteByte(',')
			}
			writeLiteral(b, v)
		}
		b.WriteByte(')')
	case *Func:
		b.WriteString(n.Op.String())
		b.WriteByte('(')
		b.WriteString(name(n.Prop))
		b.WriteByte(',')
		writeLiteral(b, n.Value)
		b.WriteByte(')')
	case *Any:
		b.WriteString(n.Prop)
		b.WriteString("/any(x:")
		writeExpr(b, n.Body, n.Prop)
		b.WriteByte(')')
	case *And:
		writeJunction(b, n.Terms, "and", "AND", elem)
	case *Or:
		writeJunction(b, n.Terms, "or", "OR", elem)
	case *Not:
		b.WriteString("not")
		switch n.Expr.(type) {
		case *And, *Or: // already in parentheses
			writeExpr(b, n.Expr, elem)
		default:
			b.WriteByte('(')
			writeExpr(b, n.Expr, elem)
			b.WriteByte(')')
		}
	case *SearchTerm:
		b.WriteByte('"')
		b.WriteString(n.Prop)
		b.WriteByte(':')
		b.WriteString(searchEscaper.Replace(n.Text))
		b.WriteByte('"')
	case nil:
	default:
		b.WriteString("?")
	}
}

// searchEscaper escapes the text of a $search clause.
var searchEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

func writeJunction(b *strings.Builder, terms []Expr, op, searchOp, elem string) {
	if len(terms) > 0 && isSearch(terms[0]) {
		op = searchOp
	}
	b.WriteByte('(')
	for i, t := range terms {
		if i > 0 {
			b.WriteByte(' ')
			b.WriteString(op)
			b.WriteByte(' ')
		}
		writeExpr(b, t, elem)
	}
	b.WriteByte(')')
}

// isSearch reports whether e belongs to a $search tree.
func isSearch(e Expr) bool {
	for {
		switch n := e.(type) {
		case *SearchTerm:
			return true
		case *And:
			if len(n.Terms) == 0 {
				return false
			}
			e = n.Terms[0]
		case *Or:
			if len(n.Terms) == 0 {
				return false
			}
			e = n.Terms[0]
		default:
			return false
		}
	}
}
