package store

import (
	"context"

	"groupd/internal/directory"
	"groupd/internal/store/bulk"
)

// ChangeListener is implemented by engines shared by several groupd
// processes (PostgreSQL): Listen calls onChange with the tenant of
// committed changes, from any process, shortly after they commit, until
// ctx ends, and with "" whenever notifications may have been missed (at
// the start and after a lost connection), meaning anything may have
// changed. It is a hint to look at the change log sooner: an announcement
// can be lost, so freshness must never depend on it.
type ChangeListener interface {
	Listen(ctx context.Context, onChange func(tenant directory.TenantID)) error
}

// Backuper is implemented by engines that copy themselves online (SQLite):
// Backup writes a consistent copy to destPath, which must not exist.
type Backuper interface {
	Backup(ctx context.Context, destPath string) error
}

// BulkLoader is implemented by engines that load a generated directory
// with multi-row writes (bench generate); see package bulk.
type BulkLoader = bulk.Loader
