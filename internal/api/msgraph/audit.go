package msgraph

import (
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"groupd/internal/auth"
	"groupd/internal/directory"
	"groupd/internal/odata"
)

// mountAudit registers /auditLogs: Microsoft Graph's directoryAudit
// resources over the directory's audit log.
func (a *api) mountAudit(r chi.Router) {
	r.Get("/auditLogs/directoryAudits", a.endpoint(auth.NeedAuditRead, optList, "DirectoryAudit", a.listAudits))
	r.Get("/auditLogs/directoryAudits/{id}", a.endpoint(auth.NeedAuditRead, optSelect, "DirectoryAudit", a.getAudit))
}

const auditPath = "/auditLogs/directoryAudits"

func (a *api) listAudits(rq *request) error {
	if err := rq.q.only(optTop | optSkipToken | odata.OptFilter); err != nil {
		return err
	}
	filter := rq.q.values.Get("$filter")
	q, err := parseAuditFilter(filter)
	if err != nil {
		return err
	}
	q.Page.Top = 100
	if v := rq.q.values.Get("$top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > directory.MaxAuditTop {
			return badRequest(codeBadRequest, "Invalid page size specified: '%s'. Must be between 1 and %d inclusive.", v, directory.MaxAuditTop)
		}
		q.Page.Top = n
	}
	scope := auditPath + "?" + filter
	pk, err := a.dir.PagingKey(rq.ctx)
	if err != nil {
		return err
	}
	if tok := rq.q.values.Get("$skiptoken"); tok != "" {
		if q.Page.After, err = decodeSkipToken(pk, rq.tenant, tok, scope); err != nil {
			return err
		}
	}
	page, err := a.dir.AuditLog(rq.ctx, rq.tenant, q)
	if err != nil {
		return err
	}
	e := getEnc()
	e.beginObject()
	e.metadataContext(rq.base, "auditLogs/directoryAudits", "", false)
	if page.Next != "" {
		e.key("@odata.nextLink")
		e.str(nextLink(rq.base, auditPath, rq.r.URL.RawQuery, encodeSkipToken(pk, rq.tenant, scope, page.Next)))
	}
	e.key("value")
	e.beginArray()
	for i := range page.Items {
		writeAudit(e, &page.Items[i])
	}
	e.endArray()
	e.endObject()
	send(rq.w, http.StatusOK, e)
	return nil
}

// getAudit reads one entry: the newest row at or below its number.
func (a *api) getAudit(rq *request) error {
	if err := rq.q.only(0); err != nil {
		return err
	}
	id := rq.param("id")
	nf := &directory.NotFoundError{ID: id}
	seq, err := strconv.ParseInt(strings.TrimPrefix(id, "Directory_"), 10, 64)
	if err != nil || !strings.HasPrefix(id, "Directory_") || seq <= 0 || directory.AuditID(seq) != id {
		return nf
	}
	page, err := a.dir.AuditLog(rq.ctx, rq.tenant, directory.AuditQuery{
		Page: directory.PageRequest{Top: 1, After: strconv.FormatInt(seq+1, 10)}})
	if err != nil {
		return err
	}
	if len(page.Items) == 0 || page.Items[0].Seq != seq {
		return nf
	}
	e := getEnc()
	e.beginObject()
	e.metadataContext(rq.base, "auditLogs/directoryAudits", "", true)
	writeAuditFields(e, &page.Items[0])
	e.endObject()
	send(rq.w, http.StatusOK, e)
	return nil
}

// auditTimeFormat is how Graph writes activityDateTime: seven fractional
// digits.
const auditTimeFormat = "2006-01-02T15:04:05.0000000Z"

func writeAudit(e *enc, a *directory.AuditEntry) {
	e.beginObject()
	writeAuditFields(e, a)
	e.endObject()
}

func writeAuditFields(e *enc, a *directory.AuditEntry) {
	e.key("id")
	e.str(a.ID)
	e.key("category")
	e.str(a.Activity.Category)
	e.key("correlationId")
	e.strOrNull(a.RequestID)
	e.key("result")
	e.str("success")
	e.key("resultReason")
	e.str("")
	e.key("activityDisplayName")
	e.str(a.Activity.DisplayName)
	e.key("activityDateTime")
	e.str(a.At.UTC().Format(auditTimeFormat))
	e.key("loggedByService")
	e.str(a.Activity.Service)
	e.key("operationType")
	e.str(a.Activity.OperationType)
	ip := auditIP(a.ClientAddr)
	e.key("initiatedBy")
	e.beginObject()
	e.key("user")
	if a.Actor.Kind == directory.ActorUser {
		e.beginObject()
		e.key("id")
		e.str(a.Actor.ID)
		e.key("displayName")
		e.raw("null")
		e.key("userPrincipalName")
		e.strOrNull(a.Actor.Name)
		e.key("ipAddress")
		e.strOrNull(ip)
		e.endObject()
	} else {
		e.raw("null")
	}
	e.key("app")
	if a.Actor.Kind != directory.ActorUser {
		e.beginObject()
		e.key("appId")
		e.strOrNull(a.InitiatorAppID)
		e.key("displayName")
		if a.Actor.Kind == directory.ActorSystem && a.Actor.Name == "" {
			e.str(a.Actor.ID) // groupd itself
		} else {
			e.strOrNull(a.Actor.Name)
		}
		e.key("servicePrincipalId")
		if a.Actor.Kind == directory.ActorApp {
			e.strOrNull(a.Actor.ID)
		} else {
			e.raw("null")
		}
		e.key("servicePrincipalName")
		e.raw("null")
		e.endObject()
	} else {
		e.raw("null")
	}
	e.endObject()
	e.key("targetResources")
	e.beginArray()
	for _, t := range a.Targets {
		e.beginObject()
		e.key("id")
		e.str(t.ID)
		e.key("displayName")
		e.strOrNull(t.DisplayName)
		e.key("type")
		e.str(auditTargetType(t.Kind))
		e.key("userPrincipalName")
		e.strOrNull(t.UserPrincipalName)
		e.key("groupType")
		e.raw("null")
		e.key("modifiedProperties")
		e.beginArray()
		for _, p := range t.Properties {
			e.beginObject()
			e.key("displayName")
			e.str(p)
			e.key("oldValue")
			e.raw("null")
			e.key("newValue")
			e.raw("null")
			e.endObject()
		}
		e.endArray()
		e.endObject()
	}
	e.endArray()
	e.key("additionalDetails")
	e.beginArray()
	if ip != "" {
		e.beginObject()
		e.key("key")
		e.str("ClientAddress")
		e.key("value")
		e.str(ip)
		e.endObject()
	}
	e.endArray()
}

func auditIP(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return strings.Trim(addr, "[]")
}

func auditTargetType(k directory.ObjectKind) string {
	switch k {
	case directory.KindUser:
		return "User"
	case directory.KindGroup:
		return "Group"
	case directory.KindServicePrincipal:
		return "ServicePrincipal"
	case directory.KindApplication:
		return "Application"
	case directory.KindSubscription:
		return "Subscription"
	case "tenant":
		return "Company"
	}
	return "Other"
}

// The $filter clauses Graph supports on directoryAudits that groupd
// answers, joined by "and".
var (
	reAuditTime   = regexp.MustCompile(`^activityDateTime\s+(ge|le|gt|lt)\s+(\S+)$`)
	reAuditEq     = regexp.MustCompile(`^(activityDisplayName|correlationId|initiatedBy/user/id|initiatedBy/app/servicePrincipalId)\s+eq\s+'((?:[^']|'')*)'$`)
	reAuditTarget = regexp.MustCompile(`^targetResources/any\(\s*(\w+)\s*:\s*(\w+)/id\s+eq\s+'((?:[^']|'')*)'\s*\)$`)
	reAnd         = regexp.MustCompile(`\s+and\s+`)
)

func parseAuditFilter(filter string) (directory.AuditQuery, error) {
	var q directory.AuditQuery
	if strings.TrimSpace(filter) == "" {
		return q, nil
	}
	bad := func(clause string) error {
		return badRequest(codeBadRequest, "Invalid filter clause: '%s'. groupd filters directoryAudits on activityDateTime (ge, le, gt, lt), activityDisplayName, correlationId, initiatedBy/user/id, initiatedBy/app/servicePrincipalId (eq) and targetResources/any(t:t/id eq '…'), joined by 'and'.", clause)
	}
	for _, clause := range splitAuditAnd(filter) {
		clause = strings.TrimSpace(trimAuditParens(strings.TrimSpace(clause)))
		if m := reAuditTime.FindStringSubmatch(clause); m != nil {
			t, err := time.Parse(time.RFC3339Nano, m[2])
			if err != nil {
				return q, badRequest(codeBadRequest, "The DateTimeOffset literal '%s' is not valid.", m[2])
			}
			t = t.UTC()
			switch m[1] {
			case "gt":
				t = t.Truncate(time.Microsecond).Add(time.Microsecond)
				fallthrough
			case "ge":
				if q.Since.IsZero() || t.After(q.Since) {
					q.Since = t
				}
			case "lt":
				t = t.Add(-time.Nanosecond)
				fallthrough
			case "le":
				t = t.Truncate(time.Microsecond)
				if q.Until.IsZero() || t.Before(q.Until) {
					q.Until = t
				}
			}
			continue
		}
		if m := reAuditEq.FindStringSubmatch(clause); m != nil {
			v := strings.ReplaceAll(m[2], "''", "'")
			switch m[1] {
			case "activityDisplayName":
				q.Activities = directory.ActivitiesNamed(v)
			case "correlationId":
				q.RequestID = v
			default:
				q.ActorID = v
			}
			continue
		}
		if m := reAuditTarget.FindStringSubmatch(clause); m != nil && m[1] == m[2] {
			q.Target = directory.ObjectID(strings.ReplaceAll(m[3], "''", "'"))
			continue
		}
		return q, bad(clause)
	}
	return q, nil
}

// splitAuditAnd splits on " and " outside quoted strings.
func splitAuditAnd(s string) []string {
	var out []string
	start, quoted := 0, false
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		if loc := reAnd.FindStringIndex(s[i:]); loc != nil && loc[0] == 0 {
			out = append(out, s[start:i])
			i += loc[1] - 1
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// trimAuditParens drops parentheses around a whole clause.
func trimAuditParens(s string) string {
	for len(s) > 1 && s[0] == '(' && s[len(s)-1] == ')' && !strings.HasPrefix(s, "targetResources") {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}
