package postgres

import (
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"groupd/internal/store/listsql"
)

// dialect is PostgreSQL's SQL for the shared list query compiler.
type dialect struct{}

var pg listsql.Dialect = dialect{}

func (dialect) Placeholder(n int) string { return "$" + strconv.Itoa(n) }

func (dialect) Bool(b bool) string { return strconv.FormatBool(b) }

// Fold compares in byte order, like the COLLATE "C" key columns, so that
// ge and le agree with the *_key columns and with SQLite.
func (dialect) Fold(expr string) string { return "lower(" + expr + ") COLLATE \"C\"" }

func (dialect) Time(t time.Time) any { return t }

// In takes one array parameter of the column's type.
func (dialect) In(expr string, kind listsql.Kind, vals []any, ph func(any) string) (string, error) {
	switch kind {
	case listsql.KBool:
		return expr + " = ANY(" + ph(typed[bool](vals)) + ")", nil
	case listsql.KTime:
		return expr + " = ANY(" + ph(typed[time.Time](vals)) + ")", nil
	}
	return expr + " = ANY(" + ph(typed[string](vals)) + "::text[])", nil
}

// typed is vals as a []T (the values value made for one column kind).
func typed[T any](vals []any) []T {
	out := make([]T, 0, len(vals))
	for _, v := range vals {
		if x, ok := v.(T); ok {
			out = append(out, x)
		}
	}
	return out
}

func (dialect) Right(expr, n string) string { return "right(" + expr + ", (" + n + ")::int)" }

func (dialect) Elements(expr string) (string, string) {
	return "unnest(" + expr + ") AS j(v)", "lower(j.v) COLLATE \"C\""
}

// PrefixEnd increments the last code point (code point order is the
// byte order of COLLATE "C"). Unlike SQLite, PostgreSQL refuses invalid
// UTF-8 in a parameter, so the bound must stay valid.
func (dialect) PrefixEnd(p string) string {
	r := []rune(p)
	for len(r) > 0 {
		last := r[len(r)-1]
		switch {
		case last == 0xD7FF:
			r[len(r)-1] = 0xE000 // skip the surrogates, which UTF-8 cannot hold
			return string(r)
		case last < utf8.MaxRune:
			r[len(r)-1] = last + 1
			return string(r)
		}
		r = r[:len(r)-1]
	}
	return string(utf8.MaxRune)
}

// Hide makes the order an expression no index has. Under LIMIT the
// planner may otherwise walk the order's index and filter, which reads
// most of the tenant whenever its statistics lag.
func (dialect) Hide(expr, prop string) string {
	if prop == "createdDateTime" {
		return "(" + expr + " + interval '0 s')"
	}
	return "((" + expr + " || '') COLLATE \"C\")"
}

// CursorKey: a createdDateTime cursor holds Unix microseconds.
func (dialect) CursorKey(k any) any {
	if micros, ok := k.(int64); ok {
		return time.UnixMicro(micros).UTC()
	}
	return k
}

func (dialect) Deferred() bool { return false }

func (dialect) Columns() (string, string) { return userCols, groupCols }

// UpGroups reads groups by id through LATERAL subqueries that OFFSET 0
// keeps from being flattened into plain joins (see upWalk).
func (dialect) UpGroups(member string) string {
	return "(" + fmt.Sprintf(upWalk, member) + ` SELECT id FROM up) t
CROSS JOIN LATERAL (SELECT * FROM groups g WHERE g.id = t.id AND g.deleted_at IS NULL OFFSET 0) g`
}
