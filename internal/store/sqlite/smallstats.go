package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// minChangeStatRows is the size below which statistics of the change log
// are not kept.
//
// The change log starts empty and grows with every write. Statistics taken
// while it was small (PRAGMA optimize at Close takes them, for instance
// right after `groupd bench generate`, when the log holds a row or two)
// make SQLite's planner scan the whole log for the range reads by cursor
// of the change follower and the audit log, instead of seeking to the
// cursor: each read then costs more as the log grows, until an ANALYZE
// sees it grown. Without statistics the planner assumes a large table and
// seeks; a later PRAGMA optimize records the grown log's real figures.
const minChangeStatRows = 10000

// dropSmallChangeStats removes such statistics and makes db's connection
// reload what is left. It runs at Open, before the other connections read
// the schema.
func dropSmallChangeStats(ctx context.Context, db *sql.DB) error {
	var stat1, stat4 bool
	if err := db.QueryRowContext(ctx, `SELECT
	EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1'),
	EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat4')`).Scan(&stat1, &stat4); err != nil {
		return fmt.Errorf("read statistics: %w", err)
	}
	if !stat1 {
		return nil
	}
	res, err := db.ExecContext(ctx, `DELETE FROM sqlite_stat1 WHERE tbl = 'changes' AND CAST(stat AS INTEGER) < ?1`,
		minChangeStatRows)
	if err != nil {
		return fmt.Errorf("drop change log statistics: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	if stat4 {
		if _, err := db.ExecContext(ctx, `DELETE FROM sqlite_stat4 WHERE tbl = 'changes'`); err != nil {
			return fmt.Errorf("drop change log statistics: %w", err)
		}
	}
	// Connections load statistics with the schema; this one has.
	if _, err := db.ExecContext(ctx, `ANALYZE sqlite_schema`); err != nil {
		return fmt.Errorf("reload statistics: %w", err)
	}
	return nil
}
