package server

import (
	"context"
	"log/slog"
	"time"

	"groupd/internal/directory"
)

// DefaultAuditRetention is how long audit entries are kept, as Entra keeps
// directory audits for 30 days.
const DefaultAuditRetention = directory.DefaultAuditRetention

// auditTrimInterval is how often entries older than the retention are
// deleted; several instances may trim at once.
const auditTrimInterval = 10 * time.Minute

// RetainAudit deletes the audit entries older than retention that earlier
// versions copied out of the change log, at once and then every
// auditTrimInterval, until ctx ends. The entries read from the change log
// go with its own trim, which keeps them for the audit retention too
// (directory.WithAuditRetention). groupd serve runs it.
func RetainAudit(ctx context.Context, svc *directory.Service, retention time.Duration, log *slog.Logger) {
	t := time.NewTicker(auditTrimInterval)
	defer t.Stop()
	for {
		n, err := svc.TrimAudit(ctx, time.Now().Add(-retention))
		if err != nil && ctx.Err() == nil {
			log.Warn("audit retention: trimming failed; retrying later", "err", err)
		} else if n > 0 {
			log.Info("audit retention: trimmed", "entries", n, "retention", retention.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// AuditLog calls fn with the tenant's audit entries matching q, newest
// first, page by page, until fn returns false or the log ends; at most
// limit entries (0: all). It works beside a running server.
func AuditLog(ctx context.Context, ref StoreRef, tenant string, q directory.AuditQuery, limit int, fn func(directory.AuditEntry) bool) error {
	return withService(ctx, ref, func(svc *directory.Service) error {
		tid, err := findTenant(ctx, svc, tenant, "")
		if err != nil {
			return err
		}
		q.Page.Top = directory.MaxAuditTop
		n := 0
		for {
			page, err := svc.AuditLog(ctx, tid, q)
			if err != nil {
				return err
			}
			for _, e := range page.Items {
				if !fn(e) {
					return nil
				}
				if n++; limit > 0 && n >= limit {
					return nil
				}
			}
			if page.Next == "" {
				return nil
			}
			q.Page.After = page.Next
		}
	})
}
