package postgres

import (
	"context"
	"time"

	"groupd/internal/directory"
)

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
