package listsql

import "time"

// Dialect is what an engine's SQL needs that the other's does not.
type Dialect interface {
	// Placeholder is the text of the n-th parameter (from 1).
	Placeholder(n int) string
	// Bool is a boolean literal.
	Bool(b bool) string
	// Fold is expr case-folded as the domain folds (strings.ToLower), in
	// byte order, for plain string columns.
	Fold(expr string) string
	// Time is t as a time column stores it.
	Time(t time.Time) any
	// In is the condition that expr is one of vals (values of kind, as
	// value returns them) with one parameter, arg, written where ph is:
	// the statement text does not depend on the number of values.
	In(expr string, kind Kind, vals []any, ph func(arg any) string) (string, error)
	// Right is the last n characters (code points) of expr.
	Right(expr, n string) string
	// Elements is the FROM item of the elements of the list column expr,
	// and the folded element expression of its rows, for any().
	Elements(expr string) (from, elem string)
	// PrefixEnd is the least string greater than every string that starts
	// with p, in the byte order the key columns compare in.
	PrefixEnd(p string) string
	// Hide is expr, the order of prop, with the same order but no index on
	// it (see selective).
	Hide(expr, prop string) string
	// CursorKey is a keyset cursor's sort key (directory.DecodeCursor) as
	// the column stores it.
	CursorKey(key any) any
	// Deferred says whether a page of one table is found by id first and
	// read whole for those ids only.
	Deferred() bool
	// UpGroups is the FROM item, alias g with the columns of groups, of
	// the visible groups the object whose placeholder is member is in
	// through any nesting (UpWalk). The walk's few rows must drive: each
	// step and the groups read are probes by id, whatever the planner
	// guesses of a recursive query's rows.
	UpGroups(member string) string
	// Columns are the select lists of users (alias u) and groups (g), in
	// the order the engine scans them.
	Columns() (users, groups string)
}
