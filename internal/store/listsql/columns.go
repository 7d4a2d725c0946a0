package listsql

import (
	"fmt"
	"strings"

	"groupd/internal/odata"
)

// Kind is how a column stores its property.
type Kind uint8

const (
	KKey  Kind = iota + 1 // folded copy of a string, indexed (*_key)
	KText                 // plain string, folded (Dialect.Fold) when compared
	KBool
	KTime // a point in time (Dialect.Time)
	KID
	KList // a list of strings (Dialect.Elements)
)

func (k Kind) str() bool { return k == KKey || k == KText }

type col struct {
	name string
	kind Kind
}

// The columns list queries may name, by property.
var (
	groupColumns = map[string]col{
		"id":              {"id", KID},
		"displayName":     {"display_name_key", KKey},
		"mailNickname":    {"mail_nickname_key", KKey},
		"mail":            {"mail_key", KKey},
		"classification":  {"classification", KText},
		"visibility":      {"visibility", KText},
		"description":     {"description", KText},
		"mailEnabled":     {"mail_enabled", KBool},
		"securityEnabled": {"security_enabled", KBool},
		"createdDateTime": {"created_at", KTime},
		"groupTypes":      {"group_types", KList},
		"proxyAddresses":  {"proxy_addresses", KList},
	}
	userColumns = map[string]col{
		"id":                       {"id", KID},
		"displayName":              {"display_name_key", KKey},
		"userPrincipalName":        {"upn_key", KKey},
		"mail":                     {"mail_key", KKey},
		"onPremisesSamAccountName": {"sam_key", KKey},
		"givenName":                {"given_name", KText},
		"surname":                  {"surname", KText},
		"jobTitle":                 {"job_title", KText},
		"department":               {"department", KText},
		"mailNickname":             {"mail_nickname", KText},
		"accountEnabled":           {"account_enabled", KBool},
		"userType":                 {"user_type", KText},
		"createdDateTime":          {"created_at", KTime},
		"otherMails":               {"other_mails", KList},
	}
)

// Scope is the objects a list query sees: users (alias u), groups (alias
// g) or both (LEFT JOINed, exactly one side non-NULL), the column that
// holds their id and, in a mixed scope, the one that holds their kind
// ('user' or 'group').
type Scope struct {
	Users, Groups bool
	ID            string
	Kind          string
}

// column is the SQL expression of prop in s and its kind. In a mixed
// scope the two sides are COALESCEd (the absent side is NULL); a string
// property that is a key on one side and plain on the other is folded on
// the plain side, so both compare as keys.
func (s Scope) column(d Dialect, prop string) (string, Kind, error) {
	uc, inU := userColumns[prop]
	gc, inG := groupColumns[prop]
	side := func(alias string, c col) string {
		if c.kind == KText {
			return d.Fold(alias + "." + c.name)
		}
		return alias + "." + c.name
	}
	switch {
	case s.Users && s.Groups && inU && inG && (uc.kind == gc.kind || uc.kind.str() && gc.kind.str()):
		if uc.kind == KID {
			return s.ID, KID, nil
		}
		kind := uc.kind
		if kind.str() {
			kind = KKey
		}
		return "COALESCE(" + side("u", uc) + ", " + side("g", gc) + ")", kind, nil
	case s.Users && !s.Groups && inU:
		if uc.kind == KID {
			return s.ID, KID, nil
		}
		return side("u", uc), uc.kind, nil
	case s.Groups && !s.Users && inG:
		if gc.kind == KID {
			return s.ID, KID, nil
		}
		return side("g", gc), gc.kind, nil
	}
	return "", 0, fmt.Errorf("property %q cannot be queried here", prop)
}

// value is a literal as a column of kind stores it.
func value(d Dialect, kind Kind, l odata.Literal) (any, error) {
	switch {
	case kind.str() && l.Kind == odata.LitString:
		return strings.ToLower(l.Str), nil
	case kind == KID && (l.Kind == odata.LitGUID || l.Kind == odata.LitString):
		return strings.ToLower(l.Str), nil
	case kind == KBool && l.Kind == odata.LitBool:
		return l.Bool, nil
	case kind == KTime && l.Kind == odata.LitDateTime:
		return d.Time(l.Time), nil
	}
	return nil, fmt.Errorf("literal of kind %d for a column of kind %d", l.Kind, kind)
}

// selective reports whether e holds a condition an index range serves (eq,
// in or startsWith on a key column or id, a token search) in every branch.
// Under LIMIT both engines may prefer walking the index of the ORDER BY and
// filtering, which reads most of the tenant whenever the filter keeps few
// rows; for such filters the order is kept off its index (Dialect.Hide)
// so that the filter's index drives and only the matches are sorted.
func (s Scope) selective(d Dialect, e odata.Expr) bool {
	keyed := func(prop string) bool {
		_, k, err := s.column(d, prop)
		return err == nil && (k == KKey || k == KID)
	}
	switch n := e.(type) {
	case *odata.And:
		for _, t := range n.Terms {
			if s.selective(d, t) {
				return true
			}
		}
	case *odata.Or:
		for _, t := range n.Terms {
			if !s.selective(d, t) {
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
