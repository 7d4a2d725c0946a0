package postgres

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"groupd/internal/directory"
)

// qNotify announces tenants on Channel in one autocommit statement. A
// transaction that only notifies writes no WAL before its commit record,
// and PostgreSQL does not wait for the flush of such a commit (as with
// synchronous_commit off): 0.09 ms a statement against 0.3–0.75 ms for a
// one-row insert on the same server. So it holds the database-wide notify
// lock only briefly.
const qNotify = `SELECT pg_notify('` + Channel + `', t) FROM unnest($1::text[]) AS t`

// notifyTimeout bounds one send, closeNotifyTimeout the last one, which
// Close waits for; a notification is a hint, not worth waiting long for.
const (
	notifyTimeout      = 5 * time.Second
	closeNotifyTimeout = time.Second
)

// notifier sends the NOTIFY of the tenants whose changes committed, after
// their commits and outside the writing transactions. A NOTIFY inside a
// writing transaction takes PostgreSQL's database-wide notify lock at
// commit and holds it until the commit's WAL flush is done, so every
// notifying transaction commits after the previous one's flush, with no
// group commit of the WAL. Here one goroutine per Store sends every tenant
// pending since its last send in one statement, so commits that land
// while a send is under way are announced together by the next one.
//
// A notification can be lost: the process may end between a commit and
// the send, and a failed send is not repeated. That is fine, because it
// is only a wake-up: change followers also read the log on every tick,
// and reads that must see every acknowledged write check the change log
// themselves (directory.Service.CheckedRequest).
type notifier struct {
	pool *pgxpool.Pool

	mu      sync.Mutex
	pending map[directory.TenantID]struct{}

	kick chan struct{} // a send is due; buffered, so add never blocks
	stop chan struct{}
	done chan struct{}
	// ctx ends a send under way when close is called, so that Close does
	// not wait for a database that does not answer.
	ctx    context.Context
	cancel context.CancelFunc
}

func newNotifier(pool *pgxpool.Pool) *notifier {
	ctx, cancel := context.WithCancel(context.Background())
	return &notifier{pool: pool, pending: map[directory.TenantID]struct{}{},
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
		ctx: ctx, cancel: cancel}
}

// start runs the sending goroutine until close.
func (n *notifier) start() { go n.loop() }

// add queues the tenants of a committed transaction. It never blocks on
// the database.
func (n *notifier) add(tenants []directory.TenantID) {
	if len(tenants) == 0 {
		return
	}
	n.mu.Lock()
	for _, t := range tenants {
		n.pending[t] = struct{}{}
	}
	n.mu.Unlock()
	select {
	case n.kick <- struct{}{}:
	default: // a send is already due; it takes these tenants too
	}
}

func (n *notifier) loop() {
	defer close(n.done)
	for {
		select {
		case <-n.kick:
		case <-n.stop:
		}
		if n.ctx.Err() != nil {
			// Closing: what committed since the last send goes out; a
			// send that close cut short is lost, as any failed one.
			n.send(context.Background(), closeNotifyTimeout)
			return
		}
		n.send(n.ctx, notifyTimeout)
	}
}

// send announces every pending tenant in one statement.
func (n *notifier) send(ctx context.Context, timeout time.Duration) {
	n.mu.Lock()
	list := make([]string, 0, len(n.pending))
	for t := range n.pending {
		list = append(list, string(t))
	}
	clear(n.pending)
	n.mu.Unlock()
	if len(list) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	_, _ = n.pool.Exec(ctx, qNotify, list) // lost if it fails; see notifier
}

// close ends a send under way, sends what is pending and stops the
// goroutine; the pool must still be open. Call it once, after start.
func (n *notifier) close() {
	n.cancel()
	close(n.stop)
	<-n.done
}
