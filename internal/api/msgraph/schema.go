package msgraph

import (
	"net/http"
	"strings"

	"groupd/internal/directory"
	"groupd/internal/odata"
)

// prop is one property of an entity type and how to write its value.
type prop[T any] struct {
	name string
	emit func(e *enc, v *T)
}

// schema lists the properties of an entity type in Graph's order. The first
// nDefault are returned when no $select is given; the rest are returned only
// when selected.
type schema[T any] struct {
	typeName string // "microsoft.graph.group"
	odata    string // "#microsoft.graph.group", the @odata.type of list items
	props    []prop[T]
	byName   map[string]int // lower-case name -> index
	defaults []int
	// memoized, when set, writes the default properties after something
	// else of the object, possibly from a memo (memo.go).
	memoized func(e *enc, v *T)
}

func newSchema[T any](typeName string, nDefault int, props []prop[T]) *schema[T] {
	s := &schema[T]{typeName: typeName, odata: "#" + typeName, props: props, byName: make(map[string]int, len(props))}
	for i, p := range props {
		s.byName[strings.ToLower(p.name)] = i
		if i < nDefault {
			s.defaults = append(s.defaults, i)
		}
	}
	return s
}

// has reports whether name (exact case) is a property of the type.
func (s *schema[T]) has(name string) bool {
	i, ok := s.byName[strings.ToLower(name)]
	return ok && s.props[i].name == name
}

// write writes the properties sel (nil: the default set) of v as members of
// the current object.
func (s *schema[T]) write(e *enc, v *T, sel []int) {
	if sel == nil {
		sel = s.defaults
	}
	for _, i := range sel {
		p := &s.props[i]
		e.key(p.name)
		p.emit(e, v)
	}
}

// selection is a resolved $select: canonical property names in the order
// asked, without duplicates; empty when nothing was selected.
type selection struct {
	names []string
}

// proj returns the @odata.context projection: the selected names and the
// expansion as expandProj words it, "(displayName,id,members())"; "" for
// neither.
func (sel selection) proj(expand string) string {
	if len(sel.names) == 0 && expand == "" {
		return ""
	}
	parts := append([]string(nil), sel.names...)
	if expand != "" {
		parts = append(parts, expand)
	}
	return "(" + strings.Join(parts, ",") + ")"
}

// indexes returns the property indexes of s that sel names, in s's order;
// nil when nothing was selected (the default set). "*" selects everything.
func indexes[T any](s *schema[T], sel selection) []int {
	if len(sel.names) == 0 {
		return nil
	}
	mark := make([]bool, len(s.props))
	for _, n := range sel.names {
		if n == "*" {
			for i := range mark {
				mark[i] = true
			}
			break
		}
		if i, ok := s.byName[strings.ToLower(n)]; ok {
			mark[i] = true
		}
	}
	out := make([]int, 0, len(sel.names))
	for i, m := range mark {
		if m {
			out = append(out, i)
		}
	}
	return out
}

// lookup finds the canonical spelling of a selected name in any of the
// given property sets.
type lookup func(lower string) (string, bool)

func (s *schema[T]) lookup(lower string) (string, bool) {
	i, ok := s.byName[lower]
	if !ok {
		return "", false
	}
	return s.props[i].name, true
}

// resolveSelect checks the raw $select names against the type(s) and
// returns the selection. typeName names the type in the error message.
func resolveSelect(raw []string, typeName string, finds ...lookup) (selection, error) {
	if len(raw) == 0 {
		return selection{}, nil
	}
	names := make([]string, 0, len(raw))
next:
	for _, r := range raw {
		canon := r
		if r != "*" {
			found := false
			for _, f := range finds {
				if c, ok := f(strings.ToLower(r)); ok {
					canon, found = c, true
					break
				}
			}
			if !found {
				return selection{}, selectNotFound(r, typeName)
			}
		}
		for _, n := range names {
			if n == canon {
				continue next
			}
		}
		names = append(names, canon)
	}
	return selection{names: names}, nil
}

// sendEntity answers a GET of one entity: its selected properties and, when
// $expand asks, the expanded relationship, in one body.
func sendEntity[T any](a *api, rq *request, q *odata.Query, s *schema[T], v *T, collection string,
	id directory.ObjectID, kind directory.ObjectKind) error {
	var related, chain []directory.Object
	user, _ := any(v).(*directory.User)
	expand, exU, exG := expansion(q)
	manager := expandsManager(q) && user != nil
	switch {
	case manager:
		var err error
		if chain, err = a.managerChain(rq, user, max(1, q.Expand.Levels)); err != nil {
			return err
		}
	case expand != "":
		var err error
		if related, err = a.expandOne(rq, q, id, kind); err != nil {
			return err
		}
	}
	sel := selection{names: q.Select}
	e := getEnc()
	e.beginObject()
	e.metadataContext(rq.base, collection, sel.proj(expandProj(q)), true)
	if idx := indexes(s, sel); idx == nil && s.memoized != nil {
		s.memoized(e, v)
	} else {
		s.write(e, v, idx)
	}
	switch {
	case manager:
		writeManagerChain(e, chain, exU, exG)
	case expand != "":
		e.key(expand)
		writeObjects(e, related, exU, exG)
	}
	e.endObject()
	send(rq.w, http.StatusOK, e)
	return nil
}
