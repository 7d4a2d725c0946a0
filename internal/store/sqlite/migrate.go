package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrSchemaTooNew says the database was migrated by a newer groupd.
var ErrSchemaTooNew = errors.New("database schema is newer than this binary")

func newProvider(db *sql.DB) (*goose.Provider, error) {
	return migrationProvider(db, migrationFiles, "migrations",
		backfill, secretsMigration, deferMigration, auditMoveMigration)
}

// migrationProvider migrates db with the SQL files of dir in files and the
// Go migrations gos.
func migrationProvider(db *sql.DB, files embed.FS, dir string, gos ...*goose.Migration) (*goose.Provider, error) {
	sub, err := fs.Sub(files, dir)
	if err != nil {
		return nil, err
	}
	// Go migrations registered globally by other packages are not ours.
	return goose.NewProvider(goose.DialectSQLite3, db, sub, goose.WithDisableGlobalRegistry(true),
		goose.WithGoMigrations(gos...))
}

func latest(p *goose.Provider) int64 {
	var v int64
	for _, src := range p.ListSources() {
		v = max(v, src.Version)
	}
	return v
}

// migrate applies pending migrations, each in its own transaction, and
// refuses a database migrated by a newer binary: running old code on a
// newer schema could write rows the newer code misreads.
func migrate(ctx context.Context, db *sql.DB) error {
	p, err := newProvider(db)
	if err != nil {
		return err
	}
	return applyMigrations(ctx, p)
}

// applyMigrations applies what p has pending, refusing a newer schema.
func applyMigrations(ctx context.Context, p *goose.Provider) error {
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if known := latest(p); current > known {
		return fmt.Errorf("%w: version %d, this binary knows up to %d", ErrSchemaTooNew, current, known)
	}
	if _, err := p.Up(ctx); err != nil {
		return err
	}
	return nil
}

// SchemaVersion is the newest migration applied to the directory's file.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	return schemaVersion(ctx, s.readers)
}

// AuditSchema names the audit log's file and the newest migration applied
// to it.
func (s *Store) AuditSchema(ctx context.Context) (string, int64, error) {
	v, err := schemaVersion(ctx, s.audit.rdb)
	return s.audit.path, v, err
}

func schemaVersion(ctx context.Context, db *sql.DB) (int64, error) {
	var v int64
	err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied`).Scan(&v)
	return v, mapErr("read schema version", err)
}
