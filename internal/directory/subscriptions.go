package directory

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Subscription asks for change notifications (webhooks) on a resource:
// "users", "groups" or "groups/{id}/members". Notifications are read from
// the change log after the subscription's position (notify.go) and
// delivered by a worker outside this package, at least once and in order
// per subscription.
type Subscription struct {
	ID              ObjectID
	TenantID        TenantID
	Resource        string   // normalised: "users", "groups", "groups/{id}/members"
	ChangeTypes     []string // of created, updated, deleted
	NotificationURL string
	LifecycleURL    string
	ClientState     string
	Creator         Actor // only the creator sees and changes it
	ExpiresAt       time.Time
	CreatedAt       time.Time
	// Delivery state.
	// Position is the change log cursor up to which every change was
	// delivered to the receiver or did not concern it; it moves only when
	// the receiver acknowledges a delivery.
	Position      int64
	Failures      int       // consecutive failed deliveries
	NextAttemptAt time.Time // no delivery before this
}

// Change types of a subscription.
const (
	ChangeCreated = "created"
	ChangeUpdated = "updated"
	ChangeDeleted = "deleted"
)

// MaxSubscriptionLifetime is how far in the future a subscription on users
// or groups may expire, as in Microsoft Graph (41,760 minutes).
const MaxSubscriptionLifetime = 41760 * time.Minute

// MaxClientState bounds clientState, as Graph does.
const MaxClientState = 128

// SubscriptionProblem names what is wrong with a subscription request.
type SubscriptionProblem string

const (
	SubBadResource     SubscriptionProblem = "resource"
	SubBadChangeType   SubscriptionProblem = "changeType"
	SubBadURL          SubscriptionProblem = "notificationUrl"
	SubExpiryPast      SubscriptionProblem = "expiryPast"
	SubExpiryTooFar    SubscriptionProblem = "expiryTooFar"
	SubClientState     SubscriptionProblem = "clientState"
	SubValidationFail  SubscriptionProblem = "validationFailed"
	SubValidationMatch SubscriptionProblem = "validationMismatch"
	SubValidationSlow  SubscriptionProblem = "validationTimeout"
)

// SubscriptionError refuses a subscription request; Value is what the
// client sent.
type SubscriptionError struct {
	Problem SubscriptionProblem
	Value   string
}

func (e *SubscriptionError) Error() string {
	return fmt.Sprintf("subscription: %s %q", e.Problem, e.Value)
}
func (e *SubscriptionError) Is(target error) bool { return target == ErrInvalid }

// EndpointValidator performs the validation handshake with a notification
// URL: it must answer the token as Graph's receivers do, or the returned
// error is a *SubscriptionError (SubValidation…).
type EndpointValidator interface {
	Validate(ctx context.Context, notificationURL string) error
}

// WebhookSettings configure subscriptions for a Service.
type WebhookSettings struct {
	Validator EndpointValidator
	// AllowHTTP accepts http:// notification URLs (tests, trusted
	// networks); otherwise only https.
	AllowHTTP bool
}

// WithWebhooks enables subscriptions.
func WithWebhooks(w WebhookSettings) Option { return func(s *Service) { s.webhooks = &w } }

// NewSubscription is a create request.
type NewSubscription struct {
	Resource        string
	ChangeType      string // comma list
	NotificationURL string
	LifecycleURL    string
	ClientState     string
	ExpiresAt       time.Time
}

// SubscriptionReader is the store's read side.
type SubscriptionReader interface {
	// Subscription returns one of the tenant's subscriptions, or
	// *NotFoundError.
	Subscription(ctx context.Context, tenant TenantID, id ObjectID) (Subscription, error)
	// Subscriptions lists the tenant's subscriptions made by creator,
	// ordered by id.
	Subscriptions(ctx context.Context, tenant TenantID, creatorID string, page PageRequest) (Page[Subscription], error)
	// ActiveSubscriptions returns up to limit subscriptions of every tenant
	// that expire after now.
	ActiveSubscriptions(ctx context.Context, now time.Time, limit int) ([]Subscription, error)
	// SubscriptionsDue reports whether ClaimSubscriptions at now with
	// below would claim any subscription, by a read.
	SubscriptionsDue(ctx context.Context, now time.Time, below int64) (bool, error)
}

// SubscriptionTx is the write side.
type SubscriptionTx interface {
	InsertSubscription(ctx context.Context, s Subscription) error
	// SetSubscriptionExpiry fails with *NotFoundError for an unknown id.
	SetSubscriptionExpiry(ctx context.Context, tenant TenantID, id ObjectID, at time.Time) error
	// DeleteSubscription removes it and reports whether it existed.
	DeleteSubscription(ctx context.Context, tenant TenantID, id ObjectID) (bool, error)
	// ExpiredSubscriptions returns up to limit subscriptions that expired
	// before now.
	ExpiredSubscriptions(ctx context.Context, now time.Time, limit int) ([]Subscription, error)

	// ConsumerPosition is a change log consumer's stored cursor; ok is false
	// when it has none yet.
	ConsumerPosition(ctx context.Context, name string) (cursor int64, ok bool, err error)
	SetConsumerPosition(ctx context.Context, name string, cursor int64) error

	// ClaimSubscriptions leases up to limit subscriptions whose position
	// is below the cursor below (the change log has moved past them), that
	// are due (NextAttemptAt ≤ now), not expired and not leased by anyone
	// (lease ended before now), to owner until until. Several instances
	// may claim at once; each subscription goes to one.
	ClaimSubscriptions(ctx context.Context, owner string, now, until time.Time, below int64, limit int) ([]Subscription, error)
	// FinishDelivery, when owner still holds the lease, moves the
	// subscription's position up to upTo (never back; 0: unchanged),
	// records failures and the next attempt, and ends the lease. It
	// reports whether owner held it.
	FinishDelivery(ctx context.Context, sub ObjectID, owner string, upTo int64, failures int, next time.Time) (bool, error)
	// RenewDelivery, when owner holds the lease, records an acknowledged
	// delivery as FinishDelivery(upTo, 0, zero time) does but keeps the
	// lease, until until, and returns the subscription as it is now. A
	// subscription that has expired by now is released instead. kept
	// reports whether owner still holds the lease.
	RenewDelivery(ctx context.Context, sub ObjectID, owner string, upTo int64, now, until time.Time) (s Subscription, kept bool, err error)
}

// Notification is one change notification.
type Notification struct {
	Seq            int64 // the change log cursor of its change
	SubscriptionID ObjectID
	ChangeType     string
	Resource       string // "Groups/{id}", "Users/{id}"
	ResourceData   string // JSON object
	CreatedAt      time.Time
}

func (s *Service) webhookSettings() (*WebhookSettings, error) {
	if s.webhooks == nil || s.webhooks.Validator == nil {
		return nil, fmt.Errorf("subscriptions: webhooks are not configured")
	}
	return s.webhooks, nil
}

// ParseSubscriptionResource normalises a resource path and returns the
// kind of object it notifies about (KindUser or KindGroup), or
// *SubscriptionError.
func ParseSubscriptionResource(resource string) (string, ObjectKind, error) {
	r := strings.Trim(strings.TrimSpace(resource), "/")
	segs := strings.Split(r, "/")
	switch {
	case len(segs) == 1 && strings.EqualFold(segs[0], "users"):
		return "users", KindUser, nil
	case len(segs) == 1 && strings.EqualFold(segs[0], "groups"):
		return "groups", KindGroup, nil
	case len(segs) == 3 && strings.EqualFold(segs[0], "groups") && strings.EqualFold(segs[2], "members"):
		if id, ok := ParseObjectID(segs[1]); ok {
			return "groups/" + string(id) + "/members", KindGroup, nil
		}
	}
	return "", "", &SubscriptionError{Problem: SubBadResource, Value: resource}
}

func parseChangeTypes(v string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimSpace(p)
		switch p {
		case ChangeCreated, ChangeUpdated, ChangeDeleted:
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		default:
			return nil, &SubscriptionError{Problem: SubBadChangeType, Value: v}
		}
	}
	return out, nil
}

func checkNotificationURL(raw string, allowHTTP bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" ||
		!(u.Scheme == "https" || (allowHTTP && u.Scheme == "http")) {
		return &SubscriptionError{Problem: SubBadURL, Value: raw}
	}
	return nil
}

func (s *Service) checkExpiry(at time.Time) error {
	now := s.clock()
	if !at.After(now) {
		return &SubscriptionError{Problem: SubExpiryPast, Value: at.Format(time.RFC3339)}
	}
	if at.After(now.Add(MaxSubscriptionLifetime)) {
		return &SubscriptionError{Problem: SubExpiryTooFar, Value: at.Format(time.RFC3339)}
	}
	return nil
}

// CreateSubscription checks the request, performs the validation
// handshake with the notification URL (and the lifecycle URL when given)
// and stores the subscription. Notifications cover changes committed
// after it exists. The caller has checked the read permission the
// resource needs.
func (s *Service) CreateSubscription(ctx context.Context, tenant TenantID, n NewSubscription) (Subscription, error) {
	res, _, err := ParseSubscriptionResource(n.Resource)
	if err != nil {
		return Subscription{}, err
	}
	types, err := parseChangeTypes(n.ChangeType)
	if err != nil {
		return Subscription{}, err
	}
	hooks, err := s.webhookSettings()
	if err != nil {
		return Subscription{}, err
	}
	if err := checkNotificationURL(n.NotificationURL, hooks.AllowHTTP); err != nil {
		return Subscription{}, err
	}
	if n.LifecycleURL != "" {
		if err := checkNotificationURL(n.LifecycleURL, hooks.AllowHTTP); err != nil {
			return Subscription{}, err
		}
	}
	if len([]rune(n.ClientState)) > MaxClientState {
		return Subscription{}, &SubscriptionError{Problem: SubClientState, Value: n.ClientState}
	}
	if err := s.checkExpiry(n.ExpiresAt); err != nil {
		return Subscription{}, err
	}
	if res != "users" && res != "groups" {
		// The group must exist (and be visible) now.
		if _, err := s.store.Group(ctx, tenant, ObjectID(strings.Split(res, "/")[1])); err != nil {
			return Subscription{}, err
		}
	}
	if err := hooks.Validator.Validate(ctx, n.NotificationURL); err != nil {
		return Subscription{}, err
	}
	if n.LifecycleURL != "" && n.LifecycleURL != n.NotificationURL {
		if err := hooks.Validator.Validate(ctx, n.LifecycleURL); err != nil {
			return Subscription{}, err
		}
	}
	caller := CallerFrom(ctx)
	sub := Subscription{
		ID: NewObjectID(), TenantID: tenant, Resource: res, ChangeTypes: types,
		NotificationURL: n.NotificationURL, LifecycleURL: n.LifecycleURL, ClientState: n.ClientState,
		Creator: Actor{Kind: caller.Actor.Kind, ID: caller.Actor.ID}, ExpiresAt: n.ExpiresAt.UTC().Truncate(time.Microsecond),
	}
	err = s.update(ctx, tenant, func(tx Tx, log *changeLog) error {
		sub.CreatedAt = log.at
		// Changes committed from now on get greater cursors (ChangePosition).
		var err error
		if sub.Position, err = tx.ChangePosition(ctx); err != nil {
			return err
		}
		if err := tx.InsertSubscription(ctx, sub); err != nil {
			return err
		}
		log.add(KindSubscription, sub.ID, OpCreated, []string{"resource", "changeType", "notificationUrl", "expirationDateTime"})
		return nil
	})
	return sub, err
}

// Subscription returns a subscription the caller made, else
// *NotFoundError.
func (s *Service) Subscription(ctx context.Context, tenant TenantID, id ObjectID) (Subscription, error) {
	sub, err := s.store.Subscription(ctx, tenant, id)
	if err != nil {
		return sub, err
	}
	if sub.Creator.ID != CallerFrom(ctx).Actor.ID {
		return Subscription{}, &NotFoundError{Kind: KindSubscription, ID: string(id)}
	}
	return sub, nil
}

// Subscriptions lists the caller's subscriptions.
func (s *Service) Subscriptions(ctx context.Context, tenant TenantID, page PageRequest) (Page[Subscription], error) {
	return s.store.Subscriptions(ctx, tenant, CallerFrom(ctx).Actor.ID, page)
}

// RenewSubscription sets a new expiry, with the same bounds as at create.
func (s *Service) RenewSubscription(ctx context.Context, tenant TenantID, id ObjectID, at time.Time) (Subscription, error) {
	if _, err := s.Subscription(ctx, tenant, id); err != nil {
		return Subscription{}, err
	}
	if err := s.checkExpiry(at); err != nil {
		return Subscription{}, err
	}
	at = at.UTC().Truncate(time.Microsecond)
	err := s.update(ctx, tenant, func(tx Tx, log *changeLog) error {
		if err := tx.SetSubscriptionExpiry(ctx, tenant, id, at); err != nil {
			return err
		}
		log.add(KindSubscription, id, OpUpdated, []string{"expirationDateTime"})
		return nil
	})
	if err != nil {
		return Subscription{}, err
	}
	return s.store.Subscription(ctx, tenant, id)
}

// DeleteSubscription removes a subscription the caller made; what was not
// delivered yet is not.
func (s *Service) DeleteSubscription(ctx context.Context, tenant TenantID, id ObjectID) error {
	if _, err := s.Subscription(ctx, tenant, id); err != nil {
		return err
	}
	return s.update(ctx, tenant, func(tx Tx, log *changeLog) error {
		ok, err := tx.DeleteSubscription(ctx, tenant, id)
		if err != nil {
			return err
		}
		if !ok {
			return &NotFoundError{Kind: KindSubscription, ID: string(id)}
		}
		log.add(KindSubscription, id, OpHardDeleted, nil)
		return nil
	})
}
