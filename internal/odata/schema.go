package odata

import "strings"

// PropType is the type of a property as far as queries care.
type PropType uint8

// Property types. TypeGUID is a string holding an object id: literals
// compared with it must be GUIDs. TypeOther is anything a query cannot
// filter on (complex types, collections of complex types): such properties
// are only ever selected.
const (
	TypeString PropType = iota + 1
	TypeBool
	TypeDateTime
	TypeInt
	TypeGUID
	TypeStringCollection
	TypeOther
)

// edmName is the type's name in OData error messages.
func (t PropType) edmName() string {
	switch t {
	case TypeString:
		return "Edm.String"
	case TypeBool:
		return "Edm.Boolean"
	case TypeDateTime:
		return "Edm.DateTimeOffset"
	case TypeInt:
		return "Edm.Int64"
	case TypeGUID:
		return "Edm.Guid"
	case TypeStringCollection:
		return "Collection(Edm.String)"
	}
	return "Edm.ComplexType"
}

// FilterOps says which filter operators a property supports: those in
// Default always, those in Advanced only in advanced queries (header
// ConsistencyLevel: eventual and $count=true). An operator in neither is
// refused with CodeUnsupportedQuery. For a TypeStringCollection property the
// comparison operators apply to its elements inside any(), and OpAny says
// whether any() may be used at all. OpNot is needed by every property under
// a not; OpNull by "eq null" and "ne null".
type FilterOps struct {
	Default  OpSet
	Advanced OpSet
}

// Allows reports whether o is supported at all.
func (f FilterOps) Allows(o Op) bool { return f.Default.Has(o) || f.Advanced.Has(o) }

// NeedsAdvanced reports whether o is supported only in advanced queries.
func (f FilterOps) NeedsAdvanced(o Op) bool { return !f.Default.Has(o) && f.Advanced.Has(o) }

// Support says whether a capability is available by default, only in
// advanced queries, or not at all.
type Support uint8

// Support levels.
const (
	Unsupported Support = iota
	Supported
	AdvancedOnly
)

// Prop is one property of an entity type.
type Prop struct {
	Name string // canonical casing, as Graph writes it: "displayName"
	Type PropType
	// Filter lists the $filter operators the property supports.
	Filter FilterOps
	// Sort says whether $orderby may name it.
	Sort Support
	// Searchable marks the properties $search tokenizes (Graph: displayName
	// and description). Other properties whose Filter allows startsWith are
	// searched by prefix instead; see SearchTerm.
	Searchable bool
	// Selectable: $select (and a nested $select in $expand) may name it.
	Selectable bool
}

// Relationship is a navigation property that $expand may name.
type Relationship struct {
	Name string // "members"
	// Props are what a nested $select may name: the selectable properties
	// of every type the related objects may have.
	Props map[string]Prop
	// Chain: the related object has the same relationship, and a nested
	// $levels may follow it (manager).
	Chain bool
}

// Schema describes an entity type for query validation. A Schema is
// read-only once built and may be shared by concurrent Parse calls.
type Schema struct {
	EntityType    string // "microsoft.graph.group", for messages
	Resource      string // "Group", as Graph names the resource in messages
	Props         map[string]Prop
	Relationships []Relationship
	// Unexpanded are relationships the type has in Microsoft Graph that
	// groupd does not expand, so that $expand of one is refused as
	// unsupported instead of as a misspelled name.
	Unexpanded []string
}

// Lookup finds a property by name, case-insensitively as Graph does, and
// returns it with its canonical Name.
func (s *Schema) Lookup(name string) (Prop, bool) {
	return lookup(s.Props, name)
}

func lookup(props map[string]Prop, name string) (Prop, bool) {
	if p, ok := props[name]; ok {
		return p, true
	}
	for k, p := range props {
		if strings.EqualFold(k, name) {
			return p, true
		}
	}
	return Prop{}, false
}

// relationship finds a relationship by name, case-insensitively.
func (s *Schema) relationship(name string) (Relationship, bool) {
	for _, r := range s.Relationships {
		if strings.EqualFold(r.Name, name) {
			return r, true
		}
	}
	return Relationship{}, false
}

// unexpanded finds name among the relationships groupd does not expand,
// case-insensitively, and returns it as Graph spells it.
func (s *Schema) unexpanded(name string) (string, bool) {
	for _, r := range s.Unexpanded {
		if strings.EqualFold(r, name) {
			return r, true
		}
	}
	return "", false
}

// expandable lists the relationships $expand may name, for messages.
func (s *Schema) expandable() string {
	names := make([]string, len(s.Relationships))
	for i, r := range s.Relationships {
		names[i] = r.Name
	}
	return strings.Join(names, ", ")
}

// newProps indexes list by name.
func newProps(list ...Prop) map[string]Prop {
	m := make(map[string]Prop, len(list))
	for _, p := range list {
		m[p.Name] = p
	}
	return m
}

// selectable merges the selectable properties of several property sets,
// the first set's definition winning.
func selectable(sets ...map[string]Prop) map[string]Prop {
	m := map[string]Prop{}
	for _, set := range sets {
		for k, p := range set {
			if _, ok := m[k]; !ok && p.Selectable {
				m[k] = p
			}
		}
	}
	return m
}
