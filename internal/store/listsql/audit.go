package listsql

import (
	"strings"
	"time"

	"groupd/internal/directory"
)

// AuditWhere returns the conditions of q's filters on the columns both
// engines' audit rows name alike (at, object_id, related_id, actor_id,
// request_id, object_kind, op), joined by AND. arg binds a value and
// returns its placeholder; at gives a time as the engine stores it.
// Tenant and cursor bounds are the engine's, which knows its keys.
func AuditWhere(q directory.AuditQuery, arg func(any) string, at func(time.Time) any) []string {
	var where []string
	if !q.Since.IsZero() {
		where = append(where, "at >= "+arg(at(q.Since)))
	}
	if !q.Until.IsZero() {
		where = append(where, "at <= "+arg(at(q.Until)))
	}
	if q.Target != "" {
		p := arg(string(q.Target))
		where = append(where, "(object_id = "+p+" OR related_id = "+p+")")
	}
	if q.ActorID != "" {
		where = append(where, "actor_id = "+arg(q.ActorID))
	}
	if q.RequestID != "" {
		where = append(where, "request_id = "+arg(q.RequestID))
	}
	if len(q.Activities) > 0 {
		var or []string
		for _, a := range q.Activities {
			or = append(or, "(object_kind = "+arg(string(a.Kind))+" AND op = "+arg(string(a.Op))+")")
		}
		where = append(where, "("+strings.Join(or, " OR ")+")")
	}
	return where
}
