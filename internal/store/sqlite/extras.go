package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
)

// Backup writes a consistent, compacted copy of the database to destPath
// with VACUUM INTO, and one of its audit file to AuditFile(destPath), so
// that the copy opens as it is. Each reads one snapshot, so writers go on
// meanwhile. The audit file is copied first, so that the copied change
// log holds every entry after those it has. Neither destination may exist
// yet.
func (s *Store) Backup(ctx context.Context, destPath string) error {
	if s.closed.Load() {
		return errClosed
	}
	auditDest := AuditFile(destPath)
	for _, p := range []string{destPath, auditDest} {
		if _, err := os.Stat(p); err == nil {
			return fmt.Errorf("backup: %s already exists", p)
		}
	}
	if err := vacuumInto(ctx, auditDSN(s.audit.path, false), auditDest); err != nil {
		return err
	}
	if err := vacuumInto(ctx, dsn(s.path, false), destPath); err != nil {
		os.Remove(auditDest)
		return err
	}
	return nil
}

// vacuumInto copies the database of source (a DSN) to dest and syncs it.
func vacuumInto(ctx context.Context, source, dest string) error {
	// Pooled readers are query_only and the writers are busy, so the
	// backup gets a connection of its own.
	db, err := sql.Open("sqlite", source)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?1", dest); err != nil {
		return mapErr("backup", err)
	}
	// VACUUM INTO syncs the copy only as the source's synchronous setting
	// says, which is NORMAL for the directory (durable.go): a backup must
	// be on disk when the command says it is done.
	f, err := os.Open(dest)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("backup: sync %s: %w", dest, err)
	}
	return nil
}

// ExplainQueryPlan returns SQLite's EXPLAIN QUERY PLAN for query, one plan
// step per line (storetest.Explainer).
func (s *Store) ExplainQueryPlan(ctx context.Context, query string, args ...any) (string, error) {
	rows, err := s.readers.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		return "", mapErr("explain", err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return "", mapErr("explain", err)
		}
		b.WriteString(detail)
		b.WriteByte('\n')
	}
	return b.String(), mapErr("explain", rows.Err())
}

// LastChange returns the cursor of the newest change row, so that a change
// follower can start from now instead of replaying the whole log.
func (s *Store) LastChange(ctx context.Context) (int64, error) {
	var last int64
	if err := s.scanRow(ctx, "SELECT COALESCE(MAX(cursor), 0) FROM changes", nil, &last); err != nil {
		return 0, mapErr("last change", err)
	}
	return last, nil
}
