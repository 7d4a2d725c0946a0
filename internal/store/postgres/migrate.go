package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrSchemaTooNew says the database was migrated by a newer groupd.
var ErrSchemaTooNew = errors.New("database schema is newer than this binary")

// migrationLock is the advisory lock key held while migrating; advisory
// locks are per database, so other databases on the server do not wait.
const migrationLock int64 = 0x67726f757064 // "groupd"

func newProvider(db *sql.DB) (*goose.Provider, error) {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	// Go migrations registered globally by other packages are not ours.
	return goose.NewProvider(goose.DialectPostgres, db, sub, goose.WithDisableGlobalRegistry(true),
		goose.WithGoMigrations(backfill, secretsMigration))
}

func latest(p *goose.Provider) int64 {
	var v int64
	for _, src := range p.ListSources() {
		v = max(v, src.Version)
	}
	return v
}

// migrate applies pending migrations, each in its own transaction, while
// holding a session advisory lock, so that instances starting together
// migrate one after another and the later ones find nothing to do. It
// refuses a database migrated by a newer binary: running old code on a
// newer schema could write rows the newer code misreads.
func migrate(ctx context.Context, base *pgx.ConnConfig) error {
	cfg := base.Copy()
	// A migration may rewrite a big table, and waiting for another
	// instance's migration is normal: ctx bounds both, not the timeouts
	// meant for requests.
	cfg.RuntimeParams["statement_timeout"] = "0"
	cfg.RuntimeParams["idle_in_transaction_session_timeout"] = "0"

	lock, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	// Closing the session releases the lock even if the unlock fails.
	defer lock.Close(context.WithoutCancel(ctx))
	if current, err := appliedVersion(ctx, lock); err == nil && current == embeddedVersion() {
		// The usual start: nothing to do, and no need to queue for the lock.
		return nil
	}
	if err := takeMigrationLock(ctx, lock); err != nil {
		return fmt.Errorf("take migration lock: %w", err)
	}
	defer func() {
		_, _ = lock.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLock)
	}()

	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	db.SetMaxOpenConns(1)
	p, err := newProvider(db)
	if err != nil {
		return err
	}
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

// migrationLockPoll is how often an instance waiting for another's
// migration tries the lock again.
const migrationLockPoll = 100 * time.Millisecond

// takeMigrationLock waits for the migration lock by trying it again and
// again rather than in one pg_advisory_lock: a session blocked in that
// statement holds a snapshot the whole time, and CREATE INDEX CONCURRENTLY
// (migration 00180), waiting for every older snapshot of the database to
// go, would wait for the waiters, who wait for it.
func takeMigrationLock(ctx context.Context, conn *pgx.Conn) error {
	for {
		var got bool
		if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", migrationLock).Scan(&got); err != nil || got {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(migrationLockPoll):
		}
	}
}

// appliedVersion reads the newest applied migration; it fails when the
// database was never migrated (no version table).
func appliedVersion(ctx context.Context, conn *pgx.Conn) (int64, error) {
	var v int64
	err := conn.QueryRow(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied`).Scan(&v)
	return v, err
}

// embeddedVersion is the newest embedded migration, read from the numbered
// file names as goose numbers them, or the Go migration if it is newer.
func embeddedVersion() int64 {
	v := backfill.Version
	entries, _ := fs.ReadDir(migrationFiles, "migrations")
	for _, e := range entries {
		prefix, _, _ := strings.Cut(e.Name(), "_")
		if n, err := strconv.ParseInt(prefix, 10, 64); err == nil {
			v = max(v, n)
		}
	}
	return v
}

// SchemaVersion returns the newest applied migration (for `groupd
// migrate`).
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.q.QueryRow(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied`).Scan(&v)
	return v, mapErr("read schema version", err)
}
