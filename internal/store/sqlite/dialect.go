package sqlite

import (
	"encoding/json"
	"fmt"
	"time"

	"groupd/internal/store/listsql"
)

// dialect is SQLite's SQL for the shared list query compiler.
type dialect struct{}

var lite listsql.Dialect = dialect{}

func (dialect) Placeholder(int) string { return "?" }

func (dialect) Bool(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// Fold is groupd_fold (search.go): SQLite's lower() folds ASCII only.
func (dialect) Fold(expr string) string { return "groupd_fold(" + expr + ")" }

func (dialect) Time(t time.Time) any { return micros(t) }

// In takes one JSON array parameter.
func (dialect) In(expr string, _ listsql.Kind, vals []any, ph func(any) string) (string, error) {
	b, err := json.Marshal(vals)
	if err != nil {
		return "", err
	}
	return expr + " IN (SELECT value FROM json_each(" + ph(string(b)) + "))", nil
}

func (dialect) Right(expr, n string) string { return "substr(" + expr + ", -" + n + ")" }

func (dialect) Elements(expr string) (string, string) {
	return "json_each(" + expr + ") j", "groupd_fold(j.value)"
}

// PrefixEnd increments the last byte: valid UTF-8 never holds 0xFF, so
// the last byte of a non-empty p can always be.
func (dialect) PrefixEnd(p string) string {
	b := []byte(p)
	for len(b) > 0 {
		if b[len(b)-1] < 0xff {
			b[len(b)-1]++
			return string(b)
		}
		b = b[:len(b)-1]
	}
	return "\xff"
}

// Hide is unary +, which keeps the value and hides the index from
// SQLite's planner.
func (dialect) Hide(expr, _ string) string { return "+" + expr }

func (dialect) CursorKey(k any) any { return k }

func (dialect) Deferred() bool { return true }

func (dialect) Columns() (string, string) { return userCols, groupCols }

// UpGroups joins with CROSS JOIN, which SQLite's planner never reorders:
// ordered by id, it would rather scan every group of an index and probe
// the walk.
func (dialect) UpGroups(member string) string {
	return "(" + fmt.Sprintf(listsql.UpWalk, member) + " SELECT id FROM up) t CROSS JOIN groups g ON g.id = t.id"
}
