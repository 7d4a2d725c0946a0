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
}

// errPostgresBackup points PostgreSQL users to the tools made for it.
var errPostgresBackup = errors.New("groupd backup copies SQLite databases; back up PostgreSQL with pg_dump or pg_basebackup (see README.md, \"PostgreSQL\")")

// Backup writes a consistent copy of the SQLite database of dataDir (or the
// file databaseURL names) to output, which must not exist. It reads one
// snapshot while a server may go on writing (SQLite's VACUUM INTO), so it
// runs beside `groupd serve`; the copy is a complete database file that
// `groupd serve --database sqlite:FILE` opens as it is.
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
	if _, err := os.Stat(output); err == nil {
		return res, fmt.Errorf("%s already exists", output)
	}
	source := filepath.Join(dataDir, store.DefaultFile)
	if databaseURL != "" && databaseURL != "sqlite" {
		_, source, _ = strings.Cut(databaseURL, ":")
		source = strings.TrimPrefix(source, "//")
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
	info, err := os.Stat(output)
	if err != nil {
		return res, err
	}
	return BackupResult{Engine: "sqlite", Source: source, Output: output, Bytes: info.Size()}, nil
}
