package listsql

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"groupd/internal/odata"
)

// compiler turns one tree into a predicate. elem is the element
// expression inside an any() body, where leaves name the collection.
type compiler struct {
	d      Dialect
	sc     Scope
	tenant string
	b      strings.Builder
	args   []any
	elem   string
}

func (c *compiler) w(s ...string) {
	for _, x := range s {
		c.b.WriteString(x)
	}
}

// ph adds a parameter and returns its placeholder.
func (c *compiler) ph(v any) string {
	c.args = append(c.args, v)
	return c.d.Placeholder(len(c.args))
}

func (c *compiler) arg(v any) { c.b.WriteString(c.ph(v)) }

func (c *compiler) expr(e odata.Expr) error {
	switch n := e.(type) {
	case *odata.And:
		return c.junction(n.Terms, " AND ")
	case *odata.Or:
		return c.junction(n.Terms, " OR ")
	case *odata.Not:
		// Two-valued logic: not is true exactly when its operand is false.
		c.w("NOT COALESCE((")
		if err := c.expr(n.Expr); err != nil {
			return err
		}
		c.w("), ", c.d.Bool(false), ")")
		return nil
	case *odata.Compare:
		return c.compare(n)
	case *odata.In:
		return c.in(n)
	case *odata.Func:
		return c.fn(n)
	case *odata.Any:
		return c.any(n)
	case *odata.SearchTerm:
		return c.search(n)
	}
	return fmt.Errorf("unsupported query node %T", e)
}

func (c *compiler) junction(terms []odata.Expr, op string) error {
	c.w("(")
	for i, t := range terms {
		if i > 0 {
			c.w(op)
		}
		if err := c.expr(t); err != nil {
			return err
		}
	}
	c.w(")")
	return nil
}

// operand resolves a leaf's property: the lambda element inside any(),
// a column otherwise.
func (c *compiler) operand(prop string) (string, Kind, error) {
	if c.elem != "" {
		if _, k, err := c.sc.column(c.d, prop); err == nil && k == KList {
			return c.elem, KKey, nil
		}
	}
	expr, kind, err := c.sc.column(c.d, prop)
	if err == nil && kind == KList {
		err = fmt.Errorf("collection %q outside any()", prop)
	}
	return expr, kind, err
}

var cmpSQL = map[odata.Op]string{
	odata.OpEq: " = ", odata.OpNe: " <> ", odata.OpGt: " > ",
	odata.OpGe: " >= ", odata.OpLt: " < ", odata.OpLe: " <= ",
}

func (c *compiler) compare(n *odata.Compare) error {
	expr, kind, err := c.operand(n.Prop)
	if err != nil {
		return err
	}
	op, ok := cmpSQL[n.Op]
	if !ok {
		return fmt.Errorf("unsupported operator %v", n.Op)
	}
	if n.Value.Kind == odata.LitNull {
		// Strings store "not set" as ''; other columns are never null.
		switch {
		case kind.str():
			c.w(expr, op, "''")
		default:
			c.w(c.d.Bool(n.Op != odata.OpEq))
		}
		return nil
	}
	v, err := value(c.d, kind, n.Value)
	if err != nil {
		return err
	}
	if kind.str() && n.Op != odata.OpNe {
		// A null ('') fails every comparison but ne.
		c.w("(", expr, " <> '' AND ", expr, op)
		c.arg(v)
		c.w(")")
		return nil
	}
	c.w(expr, op)
	c.arg(v)
	return nil
}

func (c *compiler) in(n *odata.In) error {
	expr, kind, err := c.operand(n.Prop)
	if err != nil {
		return err
	}
	vals := make([]any, 0, len(n.Values))
	for _, l := range n.Values {
		v, err := value(c.d, kind, l)
		if err != nil {
			return err
		}
		if s, ok := v.(string); ok && s == "" {
			continue // null is never in a list
		}
		vals = append(vals, v)
	}
	cond, err := c.d.In(expr, kind, vals, c.ph)
	c.w(cond)
	return err
}

func (c *compiler) fn(n *odata.Func) error {
	expr, kind, err := c.operand(n.Prop)
	if err != nil {
		return err
	}
	if !kind.str() {
		return fmt.Errorf("%v on a non-string property", n.Op)
	}
	return c.stringFunc(n.Op, expr, strings.ToLower(n.Value.Str))
}

func (c *compiler) stringFunc(op odata.Op, expr, v string) error {
	if v == "" {
		c.w("(", expr, " <> '')")
		return nil
	}
	switch op {
	case odata.OpStartsWith:
		// A range, so an index on expr serves it.
		c.w("(", expr, " >= ")
		c.arg(v)
		c.w(" AND ", expr, " < ")
		c.arg(c.d.PrefixEnd(v))
		c.w(")")
	case odata.OpEndsWith:
		c.w("(", c.d.Right(expr, c.ph(int64(utf8.RuneCountInString(v)))), " = ")
		c.arg(v)
		c.w(")")
	default:
		return fmt.Errorf("unsupported function %v", op)
	}
	return nil
}

func (c *compiler) any(n *odata.Any) error {
	expr, kind, err := c.sc.column(c.d, n.Prop)
	if err != nil {
		return err
	}
	if kind != KList || c.elem != "" {
		return fmt.Errorf("any() over %q", n.Prop)
	}
	from, elem := c.d.Elements(expr)
	c.w("EXISTS (SELECT 1 FROM ", from, " WHERE ")
	c.elem = elem
	err = c.expr(n.Body)
	c.elem = ""
	c.w(")")
	return err
}

// search compiles one $search clause. A token-prefix term needs every
// token to prefix some token of the property: one range scan of
// search_tokens per token.
func (c *compiler) search(n *odata.SearchTerm) error {
	if n.Mode == odata.SearchPrefix {
		expr, kind, err := c.operand(n.Prop)
		if err != nil {
			return err
		}
		if !kind.str() {
			return fmt.Errorf("search on a non-string property %q", n.Prop)
		}
		return c.stringFunc(odata.OpStartsWith, expr, strings.ToLower(n.Text))
	}
	if _, _, err := c.sc.column(c.d, n.Prop); err != nil {
		return err
	}
	c.w("(")
	for i, t := range n.Tokens {
		if i > 0 {
			c.w(" AND ")
		}
		// A token row matches by id and kind, so that a user's tokens
		// never select a group of the same id, or the reverse.
		if c.sc.Users && c.sc.Groups {
			c.w("(", c.sc.ID, ", ", c.sc.Kind, ") IN (SELECT s.object_id, s.kind")
		} else {
			c.w(c.sc.ID, " IN (SELECT s.object_id")
		}
		c.w(" FROM search_tokens s WHERE s.tenant_id = ")
		c.arg(c.tenant)
		if !c.sc.Groups {
			c.w(" AND s.kind = 'user'")
		} else if !c.sc.Users {
			c.w(" AND s.kind = 'group'")
		}
		c.w(" AND s.prop = ")
		c.arg(n.Prop)
		c.w(" AND s.token >= ")
		c.arg(t)
		c.w(" AND s.token < ")
		c.arg(c.d.PrefixEnd(t))
		c.w(")")
	}
	c.w(")")
	return nil
}
