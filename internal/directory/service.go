package directory

import (
	"context"
	"time"
)

// Service is the directory's one entry point for every dialect. Each write
// method runs in one store transaction that also appends its change log rows,
// so a write is either wholly done and durable or not done at all.
type Service struct {
	store        Store
	now          func() time.Time
	passwordCost int
	cache        *objectCache // nil: every read goes to the store
	nest         *nestIndex   // nil: nesting questions go to the store
	checked      *nestSync    // non-nil: caches are used only once checked (nestsync.go)
	wake         chan struct{}
	appCache     *appCache        // applications named by tokens (keys.go)
	tracking     tracking         // deletion and change log retention (deleted.go)
	deltaKeys    deltaKeys        // delta token keys per tenant (deltatoken.go)
	secrets      secrets          // keys kept in the store (secrets.go)
	webhooks     *WebhookSettings // nil: no subscriptions (subscriptions.go)
	adds         *addBatcher      // nil: no batching of member adds (addbatch.go)
	own          ownSpans         // change log rows written here, for Follow (ownchanges.go)
}

// Option configures a Service.
type Option func(*Service)

// WithClock replaces the wall clock (tests).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithPasswordCost sets the bcrypt cost; tests lower it to keep suites fast.
func WithPasswordCost(cost int) Option { return func(s *Service) { s.passwordCost = cost } }

// New returns a Service over store.
func New(store Store, opts ...Option) *Service {
	s := &Service{store: store, now: time.Now, passwordCost: DefaultPasswordCost, appCache: newAppCache(),
		wake: make(chan struct{}, 1), adds: &addBatcher{max: 1}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Store exposes the underlying store for readers that need no rules
// (change followers, health checks).
func (s *Service) Store() Store { return s.store }

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Caller describes who asks, for the change log. Dialects attach it to the
// request context once, in their pipeline.
type Caller struct {
	Actor      Actor
	RequestID  string
	ClientAddr string
	// Roles are an application caller's permissions; the directory needs
	// them where a rule depends on data (Group.Create may change only
	// groups the app owns).
	Roles []Permission
}

type callerKey struct{}

// WithCaller returns ctx carrying c.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the Caller attached to ctx, or a system caller.
func CallerFrom(ctx context.Context) Caller {
	if c, ok := ctx.Value(callerKey{}).(Caller); ok {
		return c
	}
	return Caller{Actor: Actor{Kind: ActorSystem, ID: "groupd"}}
}

// Policy holds the rules a dialect switches on for its calls, on top of the
// rules that hold everywhere.
type Policy struct {
	// UniqueDisplayName refuses a group displayName that another group of the
	// tenant has (LibreGraph; Microsoft Graph allows duplicates).
	UniqueDisplayName bool
	// MembersUsersOnly refuses groups as members (LibreGraph, as oCIS).
	MembersUsersOnly bool
	// DeriveDefaults fills what a minimal create body leaves out (see the
	// reference's decisions): a group becomes a security group with a
	// mailNickname derived from its displayName; a user gets its
	// userPrincipalName and mailNickname from onPremisesSamAccountName.
	DeriveDefaults bool
}

// changeLog collects the change rows of one transaction.
type changeLog struct {
	caller Caller
	tenant TenantID
	at     time.Time
	rows   []Change
}

func (s *Service) newLog(ctx context.Context, tenant TenantID) *changeLog {
	return &changeLog{caller: CallerFrom(ctx), tenant: tenant, at: s.clock()}
}

func (l *changeLog) add(kind ObjectKind, id ObjectID, op ChangeOp, props []string) {
	l.rows = append(l.rows, Change{
		TenantID: l.tenant, ObjectID: id, ObjectKind: kind, Op: op, Properties: props,
		Actor: l.caller.Actor, RequestID: l.caller.RequestID, ClientAddr: l.caller.ClientAddr, At: l.at,
	})
}

func (l *changeLog) relate(group ObjectID, op ChangeOp, related MemberRef) {
	l.rows = append(l.rows, Change{
		TenantID: l.tenant, ObjectID: group, ObjectKind: KindGroup, Op: op,
		RelatedID: related.ID, RelatedKind: related.Kind,
		Actor: l.caller.Actor, RequestID: l.caller.RequestID, ClientAddr: l.caller.ClientAddr, At: l.at,
	})
}

// update runs fn in a transaction with a fresh change log that is written
// before commit. Cached copies of every object the log names are dropped
// once the commit is durable and before the caller is answered, so a read
// that follows an acknowledged write sees it.
func (s *Service) update(ctx context.Context, tenant TenantID, fn func(tx Tx, log *changeLog) error) error {
	var last *changeLog
	err := s.updateLogged(ctx, func(tx Tx) ([]Change, error) {
		log := s.newLog(ctx, tenant)
		last = log
		if err := fn(tx, log); err != nil {
			return nil, err
		}
		return log.rows, nil
	})
	if last != nil {
		// Also after a failure: with group commit a failed call may still
		// have been retried alone, and dropping entries is always safe.
		s.afterUpdate(last.rows)
	}
	return err
}

// afterUpdate drops the cached copies of every object rows name.
func (s *Service) afterUpdate(rows []Change) {
	if s.cache != nil {
		s.cache.invalidate(rows)
		s.nest.invalidate(rows)
	}
	s.invalidateApps(rows)
}
