package postgres

import (
	"context"
	"time"

	"groupd/internal/directory"
)

// CopyAudit copies nothing: the audit log is read from the change log
// (audit.go), so every committed change is listed as soon as it commits.
func (s *Store) CopyAudit(context.Context, int) (int, error) { return 0, nil }

// AuditReadsChangeLog tells the directory to keep change log rows for the
// audit retention too (directory.ChangeLogAudit).
func (s *Store) AuditReadsChangeLog() {}

// TrimAudit deletes at most limit of the oldest copied rows older than
// before in one transaction.
func (s *Store) TrimAudit(ctx context.Context, before time.Time, limit int) (int, error) {
	var n int
	err := s.Update(ctx, func(dtx directory.Tx) error {
		var err error
		n, err = dtx.(*tx).TrimAudit(ctx, before, limit)
		return err
	})
	return n, err
}
