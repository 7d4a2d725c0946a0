package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"groupd/internal/directory"
	"groupd/internal/store/postgres"
	"groupd/internal/store/sqlite"
)

// DefaultFile is the database file created in the data dir when no database
// URL is given; its audit log lives in AuditFile(DefaultFile),
// groupd-audit.db.
const DefaultFile = "groupd.db"

// AuditFile names the file that keeps the audit log of the SQLite
// database at path, beside it ("-audit" before the extension). Both
// files, each with SQLite's -wal and -shm, make up the database.
func AuditFile(path string) string { return sqlite.AuditFile(path) }

// Open opens the engine databaseURL names and migrates it:
//   - "" or "sqlite": <dataDir>/groupd.db, creating dataDir (0700);
//   - "sqlite:PATH", "sqlite://PATH" or "file:PATH": that SQLite file;
//   - "postgres://…" or "postgresql://…": that PostgreSQL database, with
//     the pool and retry options of postgres.Options in its query
//     (pool_max_conns, max_writers, statement_timeout, serialization_retries).
func Open(ctx context.Context, dataDir, databaseURL string) (directory.Store, error) {
	if path, ok := SQLiteFile(dataDir, databaseURL); ok {
		if path == "" {
			return nil, fmt.Errorf("database %q names no file", databaseURL)
		}
		if inDataDir(databaseURL) {
			if err := os.MkdirAll(dataDir, 0o700); err != nil {
				return nil, fmt.Errorf("create data dir: %w", err)
			}
		}
		return openSQLite(ctx, path)
	}
	if strings.HasPrefix(databaseURL, "postgres://") || strings.HasPrefix(databaseURL, "postgresql://") {
		return openPostgres(ctx, databaseURL)
	}
	return nil, fmt.Errorf("database %q: unknown engine (want sqlite or postgres)", databaseURL)
}

// SQLiteFile is the SQLite database file databaseURL names, as Open reads
// it, and whether it names one at all: "" and "sqlite" name DefaultFile
// in dataDir; "sqlite:PATH", "sqlite://PATH" and "file:PATH" name PATH,
// which is "" when the URL names no file.
func SQLiteFile(dataDir, databaseURL string) (path string, ok bool) {
	switch {
	case inDataDir(databaseURL):
		return filepath.Join(dataDir, DefaultFile), true
	case strings.HasPrefix(databaseURL, "sqlite:"), strings.HasPrefix(databaseURL, "file:"):
		_, path, _ := strings.Cut(databaseURL, ":")
		// sqlite:///abs/path and sqlite://rel/path name a path, not a host.
		return strings.TrimPrefix(path, "//"), true
	}
	return "", false
}

// inDataDir reports whether databaseURL names the default file in the data dir.
func inDataDir(databaseURL string) bool { return databaseURL == "" || databaseURL == "sqlite" }

// openSQLite returns a nil interface, not a typed nil *sqlite.Store, when
// the open fails.
func openSQLite(ctx context.Context, path string) (directory.Store, error) {
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func openPostgres(ctx context.Context, databaseURL string) (directory.Store, error) {
	s, err := postgres.Open(ctx, databaseURL, postgres.Options{})
	if err != nil {
		return nil, err
	}
	return s, nil
}
