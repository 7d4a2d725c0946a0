package webhook

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"groupd/internal/directory"
	"groupd/internal/jsonx"
)

// Config tunes delivery. Zero values take the defaults.
type Config struct {
	// PollInterval: how often the change log is looked at when there is
	// nothing to do (default 200 ms).
	PollInterval time.Duration
	// Timeout of one delivery POST (default 10 s).
	Timeout time.Duration
	// Backoff after the n-th consecutive failure is BackoffBase·2^(n-1),
	// at most BackoffMax (defaults 1 s and 10 min).
	BackoffBase, BackoffMax time.Duration
	// MaxFailures: after this many consecutive failures the subscription
	// is dropped (default 15: about an hour of retries with the default
	// backoff).
	MaxFailures int
	// Lease: how long a claimed subscription stays with this worker if it
	// dies without releasing it (default 1 min; longer than Timeout).
	Lease time.Duration
	// Batch: notifications per POST at most (default 1000), and
	// Concurrency: subscriptions delivered at once (default 8). A round
	// sends what has gathered since the last one; only a full batch
	// starts the next round at once, otherwise the worker waits a
	// PollInterval, so that a busy log costs a round per PollInterval
	// (with its reads, POST and lease writes) instead of one per handful
	// of changes, and no notification waits longer than it would for
	// the poll that finds it in a quiet log.
	Batch, Concurrency int
	// Client sends the POSTs (default: one that does not follow redirects).
	Client *http.Client
}

func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.PollInterval, 200*time.Millisecond)
	def(&c.Timeout, 10*time.Second)
	def(&c.BackoffBase, time.Second)
	def(&c.BackoffMax, 10*time.Minute)
	def(&c.Lease, time.Minute)
	if c.Lease <= c.Timeout {
		c.Lease = 2 * c.Timeout
	}
	if c.MaxFailures <= 0 {
		c.MaxFailures = 15
	}
	if c.Batch <= 0 {
		c.Batch = defaultBatch
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 8
	}
	if c.Client == nil {
		c.Client = noRedirects
	}
	return c
}

// defaultBatch: Microsoft Graph documents no limit on the notifications
// in one POST. A thousand of groupd's are about 400 KB, which a receiver
// takes in well within the Timeout; in the member-add benchmark, batches of
// up to 1000 rather than 100 cut the POSTs of 20,000 notifications from
// about 200 to about 50.
const defaultBatch = 1000

// Backoff is the wait after the n-th consecutive failure.
func (c Config) Backoff(n int) time.Duration {
	d := c.BackoffBase
	for i := 1; i < n && d < c.BackoffMax; i++ {
		d *= 2
	}
	return min(d, c.BackoffMax)
}

// Worker moves notifications from the change log to receivers.
type Worker struct {
	svc   *directory.Service
	cfg   Config
	log   *slog.Logger
	owner string // this worker's lease name
	// retryAt is when the earliest retry this worker scheduled is due
	// (Unix nanoseconds, 0: none).
	retryAt atomic.Int64
}

// NewWorker returns a worker over svc.
func NewWorker(svc *directory.Service, cfg Config, log *slog.Logger) *Worker {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return &Worker{svc: svc, cfg: cfg.withDefaults(), log: log, owner: "worker-" + hex.EncodeToString(b)}
}

// claimIdle: how often a worker with no known work looks for some.
const claimIdle = time.Second

// expiryInterval: how often expired subscriptions are removed.
const expiryInterval = time.Minute

// Run works until ctx ends. Deliveries in flight are abandoned at once and
// their leases released, so another instance (or the next start) sends
// them again.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	var lastExpiry, lastClaim time.Time
	// seen is the newest change every subscription this worker could
	// claim had been moved past. While the log does not move, a poll
	// costs one read: no write transaction competes with the directory's
	// writers.
	seen := int64(-1)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		last, known, err := w.svc.LastChange(ctx)
		if err != nil {
			w.warn(ctx, "webhooks: reading the change log failed; retrying", err)
			known = false
		}
		if !known {
			last = math.MaxInt64
		}
		var subs []directory.Subscription
		// Others' leases that expired and deferred retries are looked for
		// at least every claimIdle.
		retry := w.retryAt.Load()
		if last != seen || time.Since(lastClaim) >= claimIdle || (retry != 0 && time.Now().UnixNano() >= retry) {
			lastClaim = time.Now()
			w.retryAt.Store(0)
			if subs, err = w.svc.ClaimDeliveries(ctx, w.owner, w.cfg.Lease, last, w.cfg.Concurrency); err != nil {
				w.warn(ctx, "webhooks: claiming deliveries failed; retrying", err)
			} else if len(subs) == 0 && known {
				seen = last
			}
		}
		// full: some receiver got a full batch, so more is waiting. Any
		// other round waits a poll: notifications gather into fewer,
		// fuller rounds, and subscriptions whose resource is quiet do not
		// turn every write elsewhere into two more.
		var full atomic.Bool
		if len(subs) > 0 {
			var wg sync.WaitGroup
			for _, s := range subs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if w.deliver(ctx, s) {
						full.Store(true)
					}
				}()
			}
			wg.Wait()
		}
		if time.Since(lastExpiry) > expiryInterval {
			lastExpiry = time.Now()
			if n, err := w.svc.RemoveExpiredSubscriptions(ctx); err != nil {
				w.warn(ctx, "webhooks: removing expired subscriptions failed", err)
			} else if n > 0 {
				w.log.Info("webhooks: expired subscriptions removed", "count", n)
			}
		}
		if full.Load() {
			t.Reset(0)
		} else {
			t.Reset(w.cfg.PollInterval)
		}
	}
}

func (w *Worker) warn(ctx context.Context, msg string, err error) {
	if ctx.Err() == nil {
		w.log.Warn(msg, "err", err)
	}
}

// releaseTimeout bounds the write that hands a lease back at shutdown.
const releaseTimeout = 5 * time.Second

// deliver sends a claimed subscription's next notifications and records
// the outcome; only an acknowledged delivery moves its position. It
// reports whether the receiver acknowledged a full batch.
func (w *Worker) deliver(ctx context.Context, s directory.Subscription) (full bool) {
	finish := func(upTo int64, failures int, next time.Time) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
		defer cancel()
		if err := w.svc.FinishDelivery(fctx, s.ID, w.owner, upTo, failures, next); err != nil {
			w.log.Warn("webhooks: recording a delivery failed; it will be sent again", "subscription", s.ID, "err", err)
		}
	}
	notes, upTo, err := w.svc.PendingNotifications(ctx, s, w.cfg.Batch)
	if err != nil {
		w.warn(ctx, "webhooks: reading the change log failed; retrying", err)
		finish(0, s.Failures, s.NextAttemptAt)
		return
	}
	if len(notes) == 0 {
		// Nothing concerned it: its position moves past what was read.
		finish(upTo, s.Failures, s.NextAttemptAt)
		return
	}
	err = w.post(ctx, s, notes)
	switch {
	case err == nil:
		full = len(notes) == w.cfg.Batch
		finish(upTo, 0, time.Time{})
	case ctx.Err() != nil:
		// Shutting down: not the receiver's fault.
		finish(0, s.Failures, s.NextAttemptAt)
	case s.Failures+1 >= w.cfg.MaxFailures:
		w.log.Warn("webhooks: receiver kept failing; subscription dropped", "subscription", s.ID,
			"url", s.NotificationURL, "failures", s.Failures+1, "err", err)
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
		defer cancel()
		if err := w.svc.DropSubscription(dctx, s); err != nil {
			w.log.Warn("webhooks: dropping a subscription failed", "subscription", s.ID, "err", err)
			finish(0, s.Failures+1, time.Now().Add(w.cfg.Backoff(s.Failures+1)))
		} else if s.LifecycleURL != "" {
			w.lifecycle(dctx, s, "subscriptionRemoved")
		}
	default:
		n := s.Failures + 1
		due := time.Now().Add(w.cfg.Backoff(n)).UnixNano()
		for {
			cur := w.retryAt.Load()
			if (cur != 0 && cur <= due) || w.retryAt.CompareAndSwap(cur, due) {
				break
			}
		}
		w.log.Info("webhooks: delivery failed; retrying later", "subscription", s.ID, "failures", n,
			"retry_in", w.cfg.Backoff(n).String(), "err", err)
		finish(0, n, time.Now().Add(w.cfg.Backoff(n)))
	}
	return full
}

// Body is the JSON a receiver gets for these notifications, each as
// Microsoft Graph sends it: subscriptionId, subscriptionExpirationDateTime,
// changeType, resource, resourceData (the domain's JSON object, as it is),
// clientState (null when unset) and tenantId. It is written by hand, with what all items share encoded once:
// a backlog goes out in batches of up to Config.Batch notifications, and
// encoding/json cost more per notification than reading its change.
func Body(s directory.Subscription, notes []directory.Notification) ([]byte, error) {
	head := jsonx.AppendString([]byte(`{"subscriptionId":`), string(s.ID))
	head = append(head, `,"subscriptionExpirationDateTime":`...)
	head = jsonx.AppendString(head, s.ExpiresAt.UTC().Format("2006-01-02T15:04:05.0000000Z"))
	tail := []byte(`,"clientState":null`)
	if s.ClientState != "" {
		tail = jsonx.AppendString([]byte(`,"clientState":`), s.ClientState)
	}
	tail = append(tail, `,"tenantId":`...)
	tail = jsonx.AppendString(tail, string(s.TenantID))
	tail = append(tail, '}')
	size := 16
	for _, n := range notes {
		size += len(head) + len(tail) + len(n.Resource) + len(n.ResourceData) + 64
	}
	b := make([]byte, 0, size)
	b = append(b, `{"value":[`...)
	for i, n := range notes {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, head...)
		b = append(b, `,"changeType":`...)
		b = jsonx.AppendString(b, n.ChangeType)
		b = append(b, `,"resource":`...)
		b = jsonx.AppendString(b, n.Resource)
		b = append(b, `,"resourceData":`...)
		b = append(b, n.ResourceData...)
		b = append(b, tail...)
	}
	return append(b, "]}"...), nil
}

func (w *Worker) post(ctx context.Context, s directory.Subscription, notes []directory.Notification) error {
	body, err := Body(s, notes)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.NotificationURL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	res, err := w.cfg.Client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("receiver answered %d", res.StatusCode)
	}
	return nil
}

// lifecycle tells the subscription's lifecycle URL about an event, once and
// best effort: the subscription it concerns is gone, so there is nothing
// to retry for.
func (w *Worker) lifecycle(ctx context.Context, s directory.Subscription, event string) {
	var cs *string
	if s.ClientState != "" {
		cs = &s.ClientState
	}
	body, err := json.Marshal(map[string]any{"value": []any{map[string]any{
		"subscriptionId": s.ID, "subscriptionExpirationDateTime": s.ExpiresAt.UTC().Format("2006-01-02T15:04:05.0000000Z"),
		"tenantId": s.TenantID, "clientState": cs, "lifecycleEvent": event,
	}}})
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.LifecycleURL, bytes.NewReader(body))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	res, err := w.cfg.Client.Do(req)
	if err != nil {
		w.log.Info("webhooks: lifecycle notification not delivered", "subscription", s.ID, "err", err)
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
}
