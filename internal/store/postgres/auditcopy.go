package postgres

import (
	"context"
	"time"

	"groupd/internal/directory"
)

// auditConsumer names the audit copier's change log position.
const auditConsumer = "audit"

// CopyAudit reads the copier's position, copies the rows after it and
// moves the position, all in one serializable transaction: two copiers at
// once conflict on the position and one of them runs again, so no row is
// copied twice. The audit log shares the database with the directory
// here, where writers do not queue behind one another.
func (s *Store) CopyAudit(ctx context.Context, batch int) (int, error) {
	var n int
	err := s.Update(ctx, func(dtx directory.Tx) error {
		t := dtx.(*tx)
		n = 0
		pos, _, err := t.ConsumerPosition(ctx, auditConsumer)
		if err != nil {
			return err
		}
		last, read, err := t.CopyAudit(ctx, pos, batch)
		if err != nil || read == 0 {
			return err
		}
		n = read
		return t.SetConsumerPosition(ctx, auditConsumer, last)
	})
	return n, err
}

// TrimAudit deletes at most limit of the oldest rows older than before in
// one transaction.
func (s *Store) TrimAudit(ctx context.Context, before time.Time, limit int) (int, error) {
	var n int
	err := s.Update(ctx, func(dtx directory.Tx) error {
		var err error
		n, err = dtx.(*tx).TrimAudit(ctx, before, limit)
		return err
	})
	return n, err
}
