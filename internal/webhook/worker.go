package webhook

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"maps"
	"math"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"groupd/internal/directory"
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
	// Client sends the POSTs (default: NewClient(Policy), which connects
	// to public addresses only and follows no redirects). A Client given
	// here is used as it is: Policy does not apply to it.
	Client *http.Client
	// Policy is where the default Client may connect.
	Policy Policy
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
		c.Client = NewClient(c.Policy)
	}
	return c
}

// defaultBatch: Microsoft Graph documents no limit on the notifications
// in one POST (a changeNotificationCollection's value). A thousand of
// groupd's are about 450 KB, which a receiver takes in well within the
// Timeout. In the member-add benchmark (20,000 adds, PollInterval 50 ms),
// rounds of at most 100 took about 200 POSTs, of at most 1000 about 50.
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
// their leases, and those kept between rounds, released, so another
// instance (or the next start) sends them again.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	var lastExpiry, lastClaim time.Time
	// seen is the newest change every subscription this worker could
	// claim had been moved past. While the log does not move, a poll
	// costs one read: no write transaction competes with the directory's
	// writers.
	seen := int64(-1)
	// held: subscriptions whose receiver acknowledged the last round and
	// whose lease this worker kept (RenewDelivery). They go on without a
	// claim, so a busy subscription costs one write per round; a round
	// that finds nothing for one releases it.
	held := map[directory.ObjectID]directory.Subscription{}
	defer w.release(ctx, held)
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
		round := maps.Clone(held)
		// A worker with subscriptions in hand claims more only every
		// claimIdle, as it looks for others' expired leases and deferred
		// retries; one with none claims whenever the log moved.
		retry := w.retryAt.Load()
		due := time.Since(lastClaim) >= claimIdle || (retry != 0 && time.Now().UnixNano() >= retry)
		if len(round) < w.cfg.Concurrency && (due || (len(round) == 0 && last != seen)) {
			lastClaim = time.Now()
			w.retryAt.Store(0)
			claimed, err := w.svc.ClaimDeliveries(ctx, w.owner, w.cfg.Lease, last, w.cfg.Concurrency-len(round))
			if err != nil {
				w.warn(ctx, "webhooks: claiming deliveries failed; retrying", err)
			} else if len(claimed) == 0 && known {
				seen = last
			}
			// A kept lease that ran out and was claimed again is one
			// subscription, delivered once.
			for _, s := range claimed {
				round[s.ID] = s
			}
		}
		subs := slices.Collect(maps.Values(round))
		// full: some receiver got a full batch, so more is waiting. Any
		// other round waits a poll: notifications gather into fewer,
		// fuller rounds, and subscriptions whose resource is quiet do not
		// turn every write elsewhere into two more.
		full := false
		outs := make([]outcome, len(subs))
		var wg sync.WaitGroup
		for i, s := range subs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				outs[i] = w.deliver(ctx, s)
			}()
		}
		wg.Wait()
		for _, o := range outs {
			if o.kept {
				held[o.sub.ID] = o.sub
			} else {
				delete(held, o.sub.ID)
			}
			full = full || o.full
		}
		if time.Since(lastExpiry) > expiryInterval {
			lastExpiry = time.Now()
			if n, err := w.svc.RemoveExpiredSubscriptions(ctx); err != nil {
				w.warn(ctx, "webhooks: removing expired subscriptions failed", err)
			} else if n > 0 {
				w.log.Info("webhooks: expired subscriptions removed", "count", n)
			}
		}
		if full {
			t.Reset(0)
		} else {
			t.Reset(w.cfg.PollInterval)
		}
	}
}

// release hands back the leases kept between rounds.
func (w *Worker) release(ctx context.Context, held map[directory.ObjectID]directory.Subscription) {
	for _, s := range held {
		w.finish(ctx, s, 0, s.Failures, s.NextAttemptAt)
	}
}

func (w *Worker) warn(ctx context.Context, msg string, err error) {
	if ctx.Err() == nil {
		w.log.Warn(msg, "err", err)
	}
}

// releaseTimeout bounds the write that records a delivery or hands a
// lease back, which runs even when ctx has ended.
const releaseTimeout = 5 * time.Second

// finish records the outcome of a round on s and ends the lease.
func (w *Worker) finish(ctx context.Context, s directory.Subscription, upTo int64, failures int, next time.Time) {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	if err := w.svc.FinishDelivery(fctx, s.ID, w.owner, upTo, failures, next); err != nil {
		w.log.Warn("webhooks: recording a delivery failed; it will be sent again", "subscription", s.ID, "err", err)
	}
}

// outcome is what a round did with a subscription: the subscription as
// stored after it, whether this worker kept its lease, and whether its
// receiver acknowledged a full batch.
type outcome struct {
	sub        directory.Subscription
	kept, full bool
}

// deliver sends a leased subscription's next notifications and records the
// outcome; only an acknowledged delivery moves its position, and keeps the
// lease for the next round.
func (w *Worker) deliver(ctx context.Context, s directory.Subscription) outcome {
	out := outcome{sub: s}
	notes, upTo, err := w.svc.PendingNotifications(ctx, s, w.cfg.Batch)
	if err != nil {
		w.warn(ctx, "webhooks: reading the change log failed; retrying", err)
		w.finish(ctx, s, 0, s.Failures, s.NextAttemptAt)
		return out
	}
	if len(notes) == 0 {
		// Nothing concerned it: its position moves past what was read.
		w.finish(ctx, s, upTo, s.Failures, s.NextAttemptAt)
		return out
	}
	err = w.post(ctx, s, notes)
	switch {
	case err == nil && ctx.Err() != nil:
		// Acknowledged, but shutting down: recorded, and the lease ends.
		w.finish(ctx, s, upTo, 0, time.Time{})
	case err == nil:
		out.full = len(notes) == w.cfg.Batch
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
		defer cancel()
		sub, kept, err := w.svc.RenewDelivery(rctx, s.ID, w.owner, upTo, w.cfg.Lease)
		if err != nil {
			// The lease runs out by itself; then the batch is sent again.
			w.log.Warn("webhooks: recording a delivery failed; it will be sent again", "subscription", s.ID, "err", err)
		} else if kept {
			out.sub, out.kept = sub, true
		}
	case ctx.Err() != nil:
		// Shutting down: not the receiver's fault.
		w.finish(ctx, s, 0, s.Failures, s.NextAttemptAt)
	case s.Failures+1 >= w.cfg.MaxFailures:
		w.log.Warn("webhooks: receiver kept failing; subscription dropped", "subscription", s.ID,
			"url", s.NotificationURL, "failures", s.Failures+1, "err", err)
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
		defer cancel()
		if err := w.svc.DropSubscription(dctx, s); err != nil {
			w.log.Warn("webhooks: dropping a subscription failed", "subscription", s.ID, "err", err)
			w.finish(ctx, s, 0, s.Failures+1, time.Now().Add(w.cfg.Backoff(s.Failures+1)))
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
		w.finish(ctx, s, 0, n, time.Now().Add(w.cfg.Backoff(n)))
	}
	return out
}
