package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"groupd/internal/store"
)

// BackupResult is what `groupd backup` reports.
type BackupResult struct {
	Engine string `json:"engine"`
	Source string `json:"source"`
	Output string `json:"output"`
	Bytes  int64  `json:"bytes"`
	// AuditOutput is the copy of the audit log's file, beside Output
	// (store.AuditFile), and AuditBytes its size.
	AuditOutput string `json:"auditOutput"`
	AuditBytes  int64  `json:"auditBytes"`
}

// errPostgresBackup points PostgreSQL users to the tools made for it.
var errPostgresBackup = errors.New("groupd backup copies SQLite databases; back up PostgreSQL with pg_dump or pg_basebackup (see README.md, \"PostgreSQL\")")

// Backup writes a consistent copy of the SQLite database of dataDir (or the
// file databaseURL names) to output, which must not exist. It reads one
// snapshot while a server may go on writing (SQLite's VACUUM INTO), so it
// runs beside `groupd serve`; the copy is a complete database file that
// `groupd serve --database sqlite:FILE` opens as it is, with the audit
// log's file beside it (output's name with "-audit" before the extension).
func Backup(ctx context.Context, dataDir, databaseURL, output string) (res BackupResult, err error) {
	if strings.HasPrefix(databaseURL, "postgres://") || strings.HasPrefix(databaseURL, "postgresql://") {
		return res, errPostgresBackup
	}
	if output == "" {
		return res, errors.New("--output is required")
	}
	if output, err = filepath.Abs(output); err != nil {
		return res, err
	}
	for _, p := range []string{output, store.AuditFile(output)} {
		if _, err := os.Stat(p); err == nil {
			return res, fmt.Errorf("%s already exists", p)
		}
	}
	source, ok := store.SQLiteFile(dataDir, databaseURL)
	if !ok {
		return res, fmt.Errorf("no database to back up: %q names no SQLite database", databaseURL)
	}
	// Opening would create an empty database where none is; a backup of
	// nothing is a mistake worth saying.
	if _, err := os.Stat(source); err != nil {
		return res, fmt.Errorf("no database to back up: %w", err)
	}
	st, err := store.Open(ctx, dataDir, databaseURL)
	if err != nil {
		return res, fmt.Errorf("open store: %w", err)
	}
	defer func() {
		if cerr := st.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close store: %w", cerr))
		}
	}()
	b, ok := st.(store.Backuper)
	if !ok {
		return res, fmt.Errorf("this engine cannot back itself up")
	}
	if err := b.Backup(ctx, output); err != nil {
		return res, err
	}
	res = BackupResult{Engine: "sqlite", Source: source, Output: output, AuditOutput: store.AuditFile(output)}
	for _, f := range []struct {
		path string
		size *int64
	}{{res.Output, &res.Bytes}, {res.AuditOutput, &res.AuditBytes}} {
		info, err := os.Stat(f.path)
		if err != nil {
			return BackupResult{}, err
		}
		*f.size = info.Size()
	}
	return res, nil
}
