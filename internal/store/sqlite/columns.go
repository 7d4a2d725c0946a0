package sqlite

// The columns list queries may name, and the literals compared with them.

import (
	"fmt"
	"strings"

	"groupd/internal/odata"
)

type colKind uint8

const (
	kKey  colKind = iota + 1 // folded copy of a string, indexed (*_key)
	kText                    // plain string, folded by groupd_fold when compared
	kBool
	kTime // unix microseconds
	kID
	kList // JSON array of strings
)

type col struct {
	name string
	kind colKind
}

var groupColumns = map[string]col{
	"id":              {"id", kID},
	"displayName":     {"display_name_key", kKey},
	"mailNickname":    {"mail_nickname_key", kKey},
	"mail":            {"mail_key", kKey},
	"classification":  {"classification", kText},
	"visibility":      {"visibility", kText},
	"description":     {"description", kText},
	"mailEnabled":     {"mail_enabled", kBool},
	"securityEnabled": {"security_enabled", kBool},
	"createdDateTime": {"created_at", kTime},
	"groupTypes":      {"group_types", kList},
	"proxyAddresses":  {"proxy_addresses", kList},
}

var userColumns = map[string]col{
	"id":                       {"id", kID},
	"displayName":              {"display_name_key", kKey},
	"userPrincipalName":        {"upn_key", kKey},
	"mail":                     {"mail_key", kKey},
	"onPremisesSamAccountName": {"sam_key", kKey},
	"givenName":                {"given_name", kText},
	"surname":                  {"surname", kText},
	"jobTitle":                 {"job_title", kText},
	"department":               {"department", kText},
	"mailNickname":             {"mail_nickname", kText},
	"accountEnabled":           {"account_enabled", kBool},
	"createdDateTime":          {"created_at", kTime},
	"otherMails":               {"other_mails", kList},
}

// scope is the objects a list query sees: users (alias u), groups (alias
// g) or both (LEFT JOINed, exactly one side non-NULL), and the column that
// holds their id.
type scope struct {
	users, groups bool
	id            string
	kind          string // the kind of id ('user', 'group') in a mixed scope
}

// column is the SQL expression of prop in scope and its kind. In a mixed
// scope the two sides are COALESCEd (the absent side is NULL); a string
// property that is a key on one side and plain on the other is folded on
// the plain side, so both compare as keys.
func (s scope) column(prop string) (string, colKind, error) {
	uc, inU := userColumns[prop]
	gc, inG := groupColumns[prop]
	side := func(alias string, c col) string {
		if c.kind == kText {
			return "groupd_fold(" + alias + "." + c.name + ")"
		}
		return alias + "." + c.name
	}
	str := func(k colKind) bool { return k == kKey || k == kText }
	switch {
	case s.users && s.groups && inU && inG && (uc.kind == gc.kind || str(uc.kind) && str(gc.kind)):
		if uc.kind == kID {
			return s.id, kID, nil
		}
		kind := uc.kind
		if str(kind) {
			kind = kKey
		}
		return "COALESCE(" + side("u", uc) + ", " + side("g", gc) + ")", kind, nil
	case s.users && !s.groups && inU:
		if uc.kind == kID {
			return s.id, kID, nil
		}
		return side("u", uc), uc.kind, nil
	case s.groups && !s.users && inG:
		if gc.kind == kID {
			return s.id, kID, nil
		}
		return side("g", gc), gc.kind, nil
	}
	return "", 0, fmt.Errorf("property %q cannot be queried here", prop)
}

// value is a literal as the column stores it.
func value(kind colKind, l odata.Literal) (any, error) {
	switch {
	case (kind == kKey || kind == kText) && l.Kind == odata.LitString:
		return fold(l.Str), nil
	case kind == kID && (l.Kind == odata.LitGUID || l.Kind == odata.LitString):
		return strings.ToLower(l.Str), nil
	case kind == kBool && l.Kind == odata.LitBool:
		return l.Bool, nil
	case kind == kTime && l.Kind == odata.LitDateTime:
		return micros(l.Time), nil
	}
	return nil, fmt.Errorf("literal of kind %d for a column of kind %d", l.Kind, kind)
}

// prefixEnd is the least string greater than every string that starts
// with p, in byte order: p with its last byte incremented. Valid UTF-8
// never holds 0xFF, so the last byte of a non-empty p can always be.
func prefixEnd(p string) string {
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

// selective reports whether e holds a condition an index range serves (eq,
// in or startsWith on a key column or id, a token search) in every branch.
// SQLite, under LIMIT, prefers walking the index of the ORDER BY to
// sorting, even when statistics say the filter keeps a handful of rows out
// of the whole tenant; for such filters listSQL hides the order's index
// (unary +) so the filter's index drives and only the matches are sorted.
func (s scope) selective(e odata.Expr) bool {
	keyed := func(prop string) bool {
		_, k, err := s.column(prop)
		return err == nil && (k == kKey || k == kID)
	}
	switch n := e.(type) {
	case *odata.And:
		for _, t := range n.Terms {
			if s.selective(t) {
				return true
			}
		}
	case *odata.Or:
		for _, t := range n.Terms {
			if !s.selective(t) {
				return false
			}
		}
		return true
	case *odata.Compare:
		return n.Op == odata.OpEq && n.Value.Kind != odata.LitNull && keyed(n.Prop)
	case *odata.In:
		return keyed(n.Prop)
	case *odata.Func:
		return n.Op == odata.OpStartsWith && n.Value.Str != "" && keyed(n.Prop)
	case *odata.SearchTerm:
		return n.Mode == odata.SearchTokens || keyed(n.Prop)
	}
	return false
}
