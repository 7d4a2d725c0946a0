package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"groupd/internal/directory"
)

// Channel is the NOTIFY channel committed changes are announced on (see
// Listen); the payload is the tenant id. Any client may LISTEN to it.
const Channel = "groupd_changes"

// Listen calls onChange with the tenant of transactions that appended
// change log rows and committed, from any groupd instance on the database
// (this one included), until ctx ends; it then returns nil. Each Store
// announces its commits after they return, a tenant once for all of its
// commits since the previous announcement (notify.go), so onChange comes
// shortly after a commit, never before it is visible. It is a hint to
// look at the change log now, not a record of every commit: an
// announcement is lost when the writing process ends between its commit
// and the send, or the send fails, and notifications sent while Listen is
// not connected are lost too. So onChange("") (meaning: anything may have
// changed) is called after every connect, the first included, and nothing
// that must see every acknowledged write may depend on onChange: change
// followers also read the log on a timer, and reads through caches check
// the change log themselves (directory.Service.CheckedRequest). Listen
// listens on a connection of its own, outside the pool, and reconnects
// with backoff when that connection fails. onChange runs on Listen's
// goroutine and should return quickly. Close does not stop Listen: end ctx
// first.
func (s *Store) Listen(ctx context.Context, onChange func(tenant directory.TenantID)) error {
	wait := 100 * time.Millisecond
	for {
		if s.closed.Load() {
			return errClosed
		}
		connected, err := s.listenOnce(ctx, onChange)
		if ctx.Err() != nil {
			return nil
		}
		if connected {
			wait = 100 * time.Millisecond
		}
		_ = err // the next connect tells whether the database is back
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return nil
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// listenOnce listens on one connection until it fails or ctx ends.
func (s *Store) listenOnce(ctx context.Context, onChange func(directory.TenantID)) (connected bool, err error) {
	cfg := s.conn.Copy()
	// The connection idles between notifications by design.
	cfg.RuntimeParams["statement_timeout"] = "0"
	cfg.RuntimeParams["idle_in_transaction_session_timeout"] = "0"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false, mapErr("listen", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		return false, mapErr("listen", err)
	}
	onChange("")
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return true, fmt.Errorf("listen: %w", mapErr("wait for notification", err))
		}
		onChange(directory.TenantID(n.Payload))
	}
}
