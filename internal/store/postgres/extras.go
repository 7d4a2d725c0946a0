package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
)

// ExplainQueryPlan returns PostgreSQL's EXPLAIN for query, one plan line
// per line (storetest.Explainer). Sequential scans are disabled for the
// plan, so one shows only where no index can answer the query: on the tiny
// tables of a test the planner would otherwise prefer them everywhere.
func (s *Store) ExplainQueryPlan(ctx context.Context, query string, args ...any) (string, error) {
	if s.closed.Load() {
		return "", errClosed
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return "", mapErr("explain", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := tx.Exec(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
		return "", mapErr("explain", err)
	}
	rows, err := tx.Query(ctx, "EXPLAIN "+query, args...)
	if err != nil {
		return "", mapErr("explain", err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", mapErr("explain", err)
	}
	return strings.Join(lines, "\n") + "\n", nil
}
