package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Planner statistics. After a bulk load (an import, a benchmark's seed)
// and until autovacuum's next ANALYZE, PostgreSQL estimates that a tenant
// has about one row, so every index that starts with tenant_id looks as
// good as any other: a startsWith on displayName was served by the index
// of mail, reading the whole tenant (about 80 ms at 100,000 groups)
// instead of one range of groups_display_name (under 1 ms). So Open
// analyzes, as SQLite's PRAGMA optimize does on close, the tables whose
// statistics lag by more than autovacuum would let them.
const qStaleTables = `SELECT relname FROM pg_stat_user_tables
WHERE schemaname = current_schema() AND relname = ANY($1)
	AND n_mod_since_analyze >= $2 AND n_mod_since_analyze > n_live_tup / 10`

// analyzeAfter is the least number of changed rows that makes a table
// worth analyzing at start; small tables are planned well either way.
const analyzeAfter = 1000

var analyzedTables = []string{"groups", "users", "memberships", "ownerships", "search_tokens"}

// analyzeStale runs ANALYZE on each table of analyzedTables whose
// statistics lag.
func analyzeStale(ctx context.Context, pool *pgxpool.Pool) error {
	rows, err := pool.Query(ctx, qStaleTables, analyzedTables, analyzeAfter)
	if err != nil {
		return err
	}
	stale, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, t := range stale {
		// t is one of analyzedTables, never client input.
		if _, err := pool.Exec(ctx, "ANALYZE "+pgx.Identifier{t}.Sanitize()); err != nil {
			return err
		}
	}
	return nil
}
