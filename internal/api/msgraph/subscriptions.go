package msgraph

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"groupd/internal/api/httpx"
	"groupd/internal/auth"
	"groupd/internal/directory"
	"groupd/internal/webhook"
)

// mountSubscriptions registers /subscriptions (change notifications). A
// subscription is seen and changed only by the principal that made it, as
// Graph shows an application its own; creating one needs read access to
// the resource.
func (a *api) mountSubscriptions(r chi.Router) {
	r.Post("/subscriptions", a.endpoint(auth.NeedSignedIn, 0, "Subscription", a.createSubscription))
	r.Get("/subscriptions", a.endpoint(auth.NeedSignedIn, optTop|optSkipToken, "Subscription", a.listSubscriptions))
	r.Get("/subscriptions/{id}", a.endpoint(auth.NeedSignedIn, 0, "Subscription", a.getSubscription))
	r.Patch("/subscriptions/{id}", a.endpoint(auth.NeedSignedIn, 0, "Subscription", a.renewSubscription))
	r.Delete("/subscriptions/{id}", a.endpoint(auth.NeedSignedIn, 0, "Subscription", a.deleteSubscription))
}

var subscriptionProps = []string{"resource", "changeType", "notificationUrl", "lifecycleNotificationUrl",
	"expirationDateTime", "clientState", "includeResourceData", "latestSupportedTlsVersion", "@odata.type"}

func (a *api) createSubscription(rq *request) error {
	obj, err := httpx.DecodeObject(rq.w, rq.r)
	if err != nil {
		return err
	}
	var n directory.NewSubscription
	br := &bodyReader{resource: "Subscription"}
	str := func(f httpx.Field) string {
		if p := br.str(f); p != nil {
			return *p
		}
		return ""
	}
	for _, f := range obj {
		if br.dup(f.Name) {
			break
		}
		switch f.Name {
		case "resource":
			n.Resource = str(f)
		case "changeType":
			n.ChangeType = str(f)
		case "notificationUrl":
			n.NotificationURL = str(f)
		case "lifecycleNotificationUrl":
			n.LifecycleURL = str(f)
		case "clientState":
			n.ClientState = str(f)
		case "expirationDateTime":
			t, err := time.Parse(time.RFC3339Nano, str(f))
			if err != nil {
				br.fail(invalidValue(f.Name, "Subscription"))
			}
			n.ExpiresAt = t
		case "includeResourceData":
			if v := br.boolean(f); v != nil && *v {
				br.fail(badRequest(codeSubscriptionInvalid, "includeResourceData is not supported; notifications carry the id of the changed object."))
			}
		case "latestSupportedTlsVersion":
		case "@odata.type":
			br.entityType(f, "subscription")
		default:
			br.fail(invalidProperty(f.Name))
		}
	}
	if br.err != nil {
		return br.err
	}
	for _, req := range [][2]string{{"resource", n.Resource}, {"changeType", n.ChangeType},
		{"notificationUrl", n.NotificationURL}, {"expirationDateTime", zeroIfUnset(n.ExpiresAt)}} {
		if req[1] == "" {
			return validationError(&directory.ValidationError{Property: req[0], Reason: directory.ReasonRequired}, "Subscription")
		}
	}
	_, kind, err := directory.ParseSubscriptionResource(n.Resource)
	if err != nil {
		return subscriptionError(err)
	}
	need := auth.NeedGroupRead
	if kind == directory.KindUser {
		need = auth.NeedUserRead
	}
	if !auth.Allowed(rq.ctx, need) {
		return denied()
	}
	s, err := a.dir.CreateSubscription(rq.ctx, rq.tenant, n)
	if err != nil {
		return subscriptionError(err)
	}
	rq.w.Header().Set("Location", rq.base+"/subscriptions/"+string(s.ID))
	return writeSubscription(rq, http.StatusCreated, &s)
}

func zeroIfUnset(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return "set"
}

func (a *api) listSubscriptions(rq *request) error {
	page, pk, err := a.plainPage(rq, "/subscriptions")
	if err != nil {
		return err
	}
	p, err := a.dir.Subscriptions(rq.ctx, rq.tenant, page)
	if err != nil {
		return err
	}
	e := getEnc()
	e.beginObject()
	e.metadataContext(rq.base, "subscriptions", "", false)
	writeNextLink(rq, e, pk, "/subscriptions", p.Next)
	e.key("value")
	e.beginArray()
	for i := range p.Items {
		e.beginObject()
		subscriptionFields(rq, e, &p.Items[i])
		e.endObject()
	}
	e.endArray()
	e.endObject()
	send(rq.w, http.StatusOK, e)
	return nil
}

func (a *api) getSubscription(rq *request) error {
	s, err := a.dir.Subscription(rq.ctx, rq.tenant, directory.ObjectID(rq.param("id")))
	if err != nil {
		return err
	}
	return writeSubscription(rq, http.StatusOK, &s)
}

func (a *api) renewSubscription(rq *request) error {
	obj, err := httpx.DecodeObject(rq.w, rq.r)
	if err != nil {
		return err
	}
	var at time.Time
	br := &bodyReader{resource: "Subscription"}
	for _, f := range obj {
		if br.dup(f.Name) {
			break
		}
		switch {
		case f.Name == "expirationDateTime":
			var t time.Time
			if p := br.str(f); p != nil {
				if t, err = time.Parse(time.RFC3339Nano, *p); err != nil {
					br.fail(invalidValue(f.Name, "Subscription"))
				}
			}
			at = t
		case f.Name == "@odata.type":
			br.entityType(f, "subscription")
		case slices.Contains(subscriptionProps, f.Name):
			br.fail(readOnlyProperty(f.Name))
		default:
			br.fail(invalidProperty(f.Name))
		}
	}
	if br.err != nil {
		return br.err
	}
	if at.IsZero() {
		return validationError(&directory.ValidationError{Property: "expirationDateTime", Reason: directory.ReasonRequired}, "Subscription")
	}
	s, err := a.dir.RenewSubscription(rq.ctx, rq.tenant, directory.ObjectID(rq.param("id")), at)
	if err != nil {
		return subscriptionError(err)
	}
	return writeSubscription(rq, http.StatusOK, &s)
}

func (a *api) deleteSubscription(rq *request) error {
	if err := a.dir.DeleteSubscription(rq.ctx, rq.tenant, directory.ObjectID(rq.param("id"))); err != nil {
		return err
	}
	rq.w.WriteHeader(http.StatusNoContent)
	return nil
}

func writeSubscription(rq *request, status int, s *directory.Subscription) error {
	e := getEnc()
	e.beginObject()
	e.metadataContext(rq.base, "subscriptions", "", true)
	subscriptionFields(rq, e, s)
	e.endObject()
	send(rq.w, status, e)
	return nil
}

func subscriptionFields(rq *request, e *enc, s *directory.Subscription) {
	e.key("id")
	e.str(string(s.ID))
	e.key("resource")
	e.str(s.Resource)
	e.key("applicationId")
	// Only the creator reads a subscription, so the caller is the creator.
	if p, ok := auth.PrincipalFrom(rq.ctx); ok && p.AppID != "" {
		e.str(p.AppID)
	} else {
		e.raw("null")
	}
	e.key("changeType")
	e.str(strings.Join(s.ChangeTypes, ","))
	e.key("clientState")
	e.strOrNull(s.ClientState)
	e.key("notificationUrl")
	e.str(s.NotificationURL)
	e.key("lifecycleNotificationUrl")
	e.strOrNull(s.LifecycleURL)
	e.key("expirationDateTime")
	e.str(s.ExpiresAt.UTC().Format(auditTimeFormat))
	e.key("creatorId")
	e.str(s.Creator.ID)
	e.key("includeResourceData")
	e.boolean(false)
	e.key("latestSupportedTlsVersion")
	e.str("v1_2")
}

const codeSubscriptionInvalid = "InvalidRequest"

// subscriptionError words the directory's subscription refusals as Graph
// does; other errors pass through to writeError.
func subscriptionError(err error) error {
	var se *directory.SubscriptionError
	if !errors.As(err, &se) {
		return err
	}
	switch se.Problem {
	case directory.SubBadResource:
		return badRequest(codeSubscriptionInvalid, "The resource '%s' is not supported. Subscribe to users, groups or groups/{id}/members.", se.Value)
	case directory.SubBadChangeType:
		return badRequest(codeSubscriptionInvalid, "Invalid changeType '%s'. Use a comma-separated list of created, updated and deleted.", se.Value)
	case directory.SubBadURL:
		return badRequest(codeSubscriptionInvalid, "The notification URL '%s' is not valid. It must be an absolute https URL.", se.Value)
	case directory.SubExpiryPast:
		return badRequest(codeSubscriptionInvalid, "Subscription expiration must be in the future.")
	case directory.SubExpiryTooFar:
		return badRequest(codeSubscriptionInvalid, "Subscription expiration can only be %d minutes in the future.", int(directory.MaxSubscriptionLifetime/time.Minute))
	case directory.SubClientState:
		return badRequest(codeSubscriptionInvalid, "clientState must be at most %d characters.", directory.MaxClientState)
	case directory.SubValidationMatch:
		return badRequest("ValidationError", "Subscription validation request failed. Response must exactly match validationToken query parameter.")
	case directory.SubValidationSlow:
		return badRequest("ValidationError", "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request within 10 seconds.")
	case webhook.SubAddressNotAllowed:
		// Nothing was connected to, so the answer is the same whether
		// something listens there or not; the address is not told.
		return badRequest("ValidationError", "Subscription validation request failed. The notification URL '%s' is not at a public address, and this server sends notifications to public addresses only. Use a receiver reachable from the internet, or ask the server's operator to allow it (groupd serve --webhook-allow-private or --webhook-allow-hosts).", se.Value)
	}
	return badRequest("ValidationError", "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.")
}
