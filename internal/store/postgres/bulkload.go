package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"groupd/internal/directory"
	"groupd/internal/store/bulk"
)

var _ bulk.Loader = (*Store)(nil)

// copyColumns is the column list of a single-row INSERT, for COPY.
func copyColumns(insert string) []string {
	_, rest, _ := strings.Cut(insert, "(")
	list, _, _ := strings.Cut(rest, ")")
	var cols []string
	for _, c := range strings.Split(list, ",") {
		cols = append(cols, strings.TrimSpace(c))
	}
	return cols
}

var (
	userCopyCols  = copyColumns(qInsertUser)
	groupCopyCols = copyColumns(qInsertGroup)
)

// copyChunk is how many rows one COPY sends between progress reports.
const copyChunk = 50_000

// BulkLoad writes d in one transaction with COPY, and one count delta row
// per kind as bumpCount would; search tokens are derived here as
// writeTokens derives them. Indexes that back no constraint are dropped
// first and created again before the commit (building an index once is far
// cheaper than a random insertion per row, and a unique one still refuses
// duplicates); other transactions wait on the table locks meanwhile. The
// tables are analyzed afterwards so the planner knows their new size.
func (s *Store) BulkLoad(ctx context.Context, d bulk.Data, progress bulk.Progress) error {
	if s.closed.Load() {
		return errClosed
	}
	if progress == nil {
		progress = func(string, int, int) {}
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return unavailable("bulk load", err)
	}
	defer conn.Release()
	ptx, err := conn.Begin(ctx)
	if err != nil {
		return mapErr("bulk load: begin", err)
	}
	defer func() { _ = ptx.Rollback(context.WithoutCancel(ctx)) }()
	// A load of a million rows outlasts the pool's statement timeout.
	// Index builds sort in memory rather than in temporary files.
	// groups in SHARE mode: no group can go until the commit, so the
	// memberships checked by checkLoadedGroups keep their groups.
	for _, q := range []string{"SET LOCAL statement_timeout = 0", "SET LOCAL maintenance_work_mem = '256MB'",
		"LOCK TABLE groups IN SHARE MODE"} {
		if _, err := ptx.Exec(ctx, q); err != nil {
			return mapErr("bulk load", err)
		}
	}
	indexes, err := dropIndexes(ctx, ptx)
	if err != nil {
		return err
	}
	userRow := func(i int) []any {
		u := d.Users[i]
		u.TenantID = d.Tenant
		return append(userArgs(u), u.CreatedAt, fold(u.DisplayName))
	}
	groupRow := func(i int) []any {
		g := d.Groups[i]
		g.TenantID = d.Tenant
		return append(groupArgs(g), g.CreatedAt)
	}
	tokens := bulkTokenRows(d)
	steps := []struct {
		phase, table string
		cols         []string
		n            int
		row          func(int) []any
	}{
		{"users", "users", userCopyCols, len(d.Users), userRow},
		{"groups", "groups", groupCopyCols, len(d.Groups), groupRow},
		{"search tokens", "search_tokens", []string{"tenant_id", "prop", "token", "kind", "object_id"}, len(tokens),
			func(i int) []any { return tokens[i] }},
		{"memberships", "memberships", []string{"group_id", "member_id", "tenant_id", "member_kind"}, len(d.Memberships),
			func(i int) []any {
				m := d.Memberships[i]
				return []any{string(m.Group), string(m.Member), string(d.Tenant), string(m.Kind)}
			}},
	}
	for _, st := range steps {
		for start := 0; start < st.n; start += copyChunk {
			end := min(start+copyChunk, st.n)
			rows := make([][]any, 0, end-start)
			for i := start; i < end; i++ {
				rows = append(rows, st.row(i))
			}
			if _, err := ptx.CopyFrom(ctx, pgx.Identifier{st.table}, st.cols, pgx.CopyFromRows(rows)); err != nil {
				return fmt.Errorf("bulk load %s: %w", st.phase, mapErr("copy", err))
			}
			progress(st.phase, end, st.n)
		}
	}
	if err := checkLoadedGroups(ctx, ptx, d); err != nil {
		return err
	}
	counts := []any{
		[]string{string(d.Tenant), string(d.Tenant)},
		[]string{string(directory.KindUser), string(directory.KindGroup)},
		[]int64{int64(len(d.Users)), int64(len(d.Groups))},
	}
	if _, err := ptx.Exec(ctx, qAddCounts, counts...); err != nil {
		return mapErr("bulk load: counts", err)
	}
	for i, q := range indexes {
		if _, err := ptx.Exec(ctx, q); err != nil {
			return mapErr("bulk load: create index", err)
		}
		progress("indexes", i+1, len(indexes))
	}
	if err := ptx.Commit(ctx); err != nil {
		return unavailable("bulk load: commit", err)
	}
	// VACUUM too: it sets the visibility map, so index-only scans (the
	// transitive walks' steps) skip the heap, and the hint bits, so the
	// first readers do not write the pages back; else autovacuum does it
	// all while the directory is in use.
	if _, err = conn.Exec(ctx, "VACUUM (ANALYZE) users, groups, memberships, search_tokens"); err != nil {
		return mapErr("bulk load: vacuum", err)
	}
	// The load leaves its pages dirty in the server's buffers, for the
	// next checkpoint to write while the directory is in use: the first
	// member adds measured after a load of 1,000,000 memberships ran at
	// 3,700-5,250/s, against 5,250-5,300/s with this CHECKPOINT, which
	// writes them now (about 2 s). It needs the pg_checkpoint role or a
	// superuser; without them the server writes the pages later, as it
	// would have.
	_, _ = conn.Exec(ctx, "CHECKPOINT")
	return nil
}

// qInvisibleGroup returns one of the group ids $1 that names no visible
// group of tenant $2.
const qInvisibleGroup = `SELECT x.id FROM unnest($1::text[]) AS x(id)
WHERE NOT EXISTS (SELECT 1 FROM groups g WHERE g.id = x.id AND g.tenant_id = $2 AND g.deleted_at IS NULL)
LIMIT 1`

// checkLoadedGroups refuses a load whose memberships name a group that is
// not visible, which no key to groups refuses (migration 00130).
func checkLoadedGroups(ctx context.Context, ptx pgx.Tx, d bulk.Data) error {
	seen := make(map[directory.ObjectID]bool)
	var ids []string
	for _, m := range d.Memberships {
		if !seen[m.Group] {
			seen[m.Group] = true
			ids = append(ids, string(m.Group))
		}
	}
	var id string
	err := ptx.QueryRow(ctx, qInvisibleGroup, ids, string(d.Tenant)).Scan(&id)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil
	case err != nil:
		return mapErr("bulk load: check groups", err)
	}
	return fmt.Errorf("bulk load memberships: %w", &directory.NotFoundError{Kind: directory.KindGroup, ID: id})
}

// bulkTokenRows lists the search_tokens rows of every object of d, each
// (property, token) once per object, as writeTokens stores them.
func bulkTokenRows(d bulk.Data) [][]any {
	var rows [][]any
	add := func(id directory.ObjectID, kind directory.ObjectKind, props ...string) {
		ps, ts := tokens(props...)
		seen := make(map[[2]string]bool, len(ps))
		for i := range ps {
			k := [2]string{ps[i], ts[i]}
			if !seen[k] {
				seen[k] = true
				rows = append(rows, []any{string(d.Tenant), ps[i], ts[i], string(kind), string(id)})
			}
		}
	}
	for _, u := range d.Users {
		add(u.ID, directory.KindUser, "displayName", u.DisplayName)
	}
	for _, g := range d.Groups {
		add(g.ID, directory.KindGroup, "displayName", g.DisplayName, "description", g.Description)
	}
	return rows
}

// dropIndexes drops the indexes of the loaded tables that back no
// constraint and returns the statements that create them again.
func dropIndexes(ctx context.Context, ptx pgx.Tx) ([]string, error) {
	rows, err := ptx.Query(ctx, `SELECT quote_ident(i.relname), pg_get_indexdef(i.oid)
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
WHERE t.relname = ANY($1) AND t.relnamespace = current_schema()::regnamespace
	AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)`,
		[]string{"users", "groups", "search_tokens", "memberships"})
	if err != nil {
		return nil, mapErr("bulk load: list indexes", err)
	}
	var names, creates []string
	for rows.Next() {
		var name, create string
		if err := rows.Scan(&name, &create); err != nil {
			rows.Close()
			return nil, mapErr("bulk load: list indexes", err)
		}
		names, creates = append(names, name), append(creates, create)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, mapErr("bulk load: list indexes", err)
	}
	for _, name := range names {
		if _, err := ptx.Exec(ctx, "DROP INDEX "+name); err != nil {
			return nil, mapErr("bulk load: drop index", err)
		}
	}
	return creates, nil
}
