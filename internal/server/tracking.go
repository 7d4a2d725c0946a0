package server

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"groupd/internal/directory"
)

// Tracking configures deleted items and the change log's retention.
// Zero values take the directory's defaults (30 days each).
type Tracking struct {
	// KeepDeletedSecurityGroups makes deleted security groups restorable
	// like Microsoft 365 groups.
	KeepDeletedSecurityGroups bool
	DeletedRetention          time.Duration
	ChangeRetention           time.Duration
	// Interval is how often expired items are purged and the log trimmed
	// (default 5 minutes).
	Interval time.Duration
}

func (t Tracking) validate() error {
	if t.DeletedRetention < 0 || t.ChangeRetention < 0 || t.Interval < 0 {
		return fmt.Errorf("retention periods must not be negative")
	}
	return nil
}

func (t Tracking) options() []directory.Option {
	return []directory.Option{
		directory.WithKeepDeletedSecurityGroups(t.KeepDeletedSecurityGroups),
		directory.WithDeletedRetention(t.DeletedRetention),
		directory.WithChangeRetention(t.ChangeRetention),
	}
}

// run purges expired deleted items and trims the change log until ctx
// ends; failures are logged and retried on the next round.
func (t Tracking) run(ctx context.Context, svc *directory.Service, log *slog.Logger) {
	every := t.Interval
	if every <= 0 {
		every = 5 * time.Minute
	}
	svc.RunRetention(ctx, every, func(err error) {
		log.Warn("retention round failed; retrying on the next one", "err", err)
	})
}
