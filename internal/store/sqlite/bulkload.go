package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"groupd/internal/directory"
	"groupd/internal/odata"
	"groupd/internal/store/bulk"
)

var _ bulk.Loader = (*Store)(nil)

// Rows per multi-row INSERT: a few hundred rows amortize the cost of a
// statement while staying far below SQLite's limit of 32,766 parameters.
const (
	bulkObjectRows = 400
	bulkPairRows   = 2000
)

// bulkInsert is an INSERT of up to rows rows of cols columns each.
type bulkInsert struct {
	head string // INSERT … (columns) without VALUES
	cols int
	rows int
}

func (b bulkInsert) sql(n int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", b.cols), ",") + ")"
	return b.head + " VALUES " + strings.TrimSuffix(strings.Repeat(row+",", n), ",")
}

// columnsOf is the INSERT … (columns) part of a single-row insert.
func columnsOf(insert string) string {
	head, _, ok := strings.Cut(insert, "VALUES")
	if !ok {
		panic("no VALUES in " + insert)
	}
	return strings.TrimSpace(head)
}

var (
	bulkUsers  = bulkInsert{head: columnsOf(qInsertUser), cols: 26, rows: bulkObjectRows}
	bulkGroups = bulkInsert{head: columnsOf(qInsertGroup), cols: 23, rows: bulkObjectRows}
	// Tokens repeated within one object are written once, as writeTokens does.
	bulkTokens  = bulkInsert{head: `INSERT OR IGNORE INTO search_tokens (tenant_id, prop, token, kind, object_id)`, cols: 5, rows: bulkPairRows}
	bulkMembers = bulkInsert{head: `INSERT INTO memberships (group_id, member_id, tenant_id, member_kind)`, cols: 4, rows: bulkPairRows}
)

// bulkTables are the tables a load fills; their secondary indexes are
// dropped for the load and built again after it.
var bulkTables = []string{"users", "groups", "search_tokens", "memberships"}

// bulkCacheKiB is the page cache of the loading connection: the tables'
// b-trees stay in memory instead of spilling to the WAL page by page.
const bulkCacheKiB = 256 << 10

// BulkLoad writes d in one transaction on a connection of its own, with
// multi-row inserts in key order. Secondary indexes are dropped first and
// created again from their stored definitions at the end, inside the same
// transaction: sorting once is far cheaper than a random insertion per
// row, and unique indexes still refuse duplicates then. The loaded users
// and groups are counted in the same transaction, with the bumpCount
// statement. Planner statistics are refreshed at the end.
func (s *Store) BulkLoad(ctx context.Context, d bulk.Data, progress bulk.Progress) error {
	if s.closed.Load() {
		return errClosed
	}
	if progress == nil {
		progress = func(string, int, int) {}
	}
	db, err := sql.Open("sqlite", dsn(s.path, false))
	if err != nil {
		return fmt.Errorf("bulk load: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", bulkCacheKiB)); err != nil {
		return mapErr("bulk load", err)
	}
	t, err := db.BeginTx(ctx, nil)
	if err != nil {
		return mapErr("bulk load: begin", err)
	}
	defer func() { _ = t.Rollback() }()
	indexes, err := dropIndexes(ctx, t)
	if err != nil {
		return err
	}
	users := sortedBy(d.Users, func(u directory.User) directory.ObjectID { return u.ID })
	userRow := func(i int) []any {
		u := users[i]
		u.TenantID = d.Tenant
		return append(userArgs(u), micros(u.CreatedAt), fold(u.DisplayName))
	}
	groups := sortedBy(d.Groups, func(g directory.Group) directory.ObjectID { return g.ID })
	groupRow := func(i int) []any {
		g := groups[i]
		g.TenantID = d.Tenant
		return append(groupArgs(g), micros(g.CreatedAt))
	}
	tokens := bulkTokenRows(d)
	memberRow := func(i int) []any {
		m := d.Memberships[i]
		return []any{string(m.Group), string(m.Member), string(d.Tenant), string(m.Kind)}
	}
	steps := []struct {
		b     bulkInsert
		n     int
		row   func(int) []any
		phase string
	}{
		{bulkUsers, len(users), userRow, "users"},
		{bulkGroups, len(groups), groupRow, "groups"},
		{bulkTokens, len(tokens), func(i int) []any { return tokens[i] }, "search tokens"},
		{bulkMembers, len(d.Memberships), memberRow, "memberships"},
	}
	for _, st := range steps {
		if err := bulkRows(ctx, t, st.b, st.n, st.row, st.phase, progress); err != nil {
			return err
		}
	}
	for _, c := range []struct {
		kind directory.ObjectKind
		n    int
	}{{directory.KindUser, len(users)}, {directory.KindGroup, len(groups)}} {
		if _, err := t.ExecContext(ctx, qBumpCount, string(d.Tenant), string(c.kind), int64(c.n)); err != nil {
			return mapErr("bulk load: count "+string(c.kind), err)
		}
	}
	for i, q := range indexes {
		if _, err := t.ExecContext(ctx, q); err != nil {
			return mapErr("bulk load: create index", err)
		}
		progress("indexes", i+1, len(indexes))
	}
	// analysis_limit samples each index instead of reading it whole. Only
	// the loaded tables: statistics taken of a nearly empty changes table
	// make the planner scan it whole for the change follower's range read
	// once it has grown.
	analyze := []string{"PRAGMA analysis_limit = 1000"}
	for _, table := range bulkTables {
		analyze = append(analyze, "ANALYZE "+table)
	}
	for _, q := range analyze {
		if _, err := t.ExecContext(ctx, q); err != nil {
			return mapErr("bulk load: analyze", err)
		}
	}
	if err := t.Commit(); err != nil {
		return unavailable("bulk load: commit", err)
	}
	// The commit did not sync the WAL (synchronous=NORMAL, durable.go).
	return s.sync.flush(ctx, 0)
}

// dropIndexes drops the secondary indexes of bulkTables and returns the
// statements that create them again.
func dropIndexes(ctx context.Context, t *sql.Tx) ([]string, error) {
	rows, err := t.QueryContext(ctx, `SELECT name, sql FROM sqlite_master
WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (SELECT value FROM json_each(?1))`, jsonList(bulkTables))
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
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, mapErr("bulk load: list indexes", err)
	}
	for _, name := range names {
		if _, err := t.ExecContext(ctx, `DROP INDEX "`+name+`"`); err != nil {
			return nil, mapErr("bulk load: drop index", err)
		}
	}
	return creates, nil
}

// sortedBy returns a copy of list in key order, the order of the primary
// key b-tree, so inserts append to it.
func sortedBy[T any](list []T, key func(T) directory.ObjectID) []T {
	out := slices.Clone(list)
	slices.SortFunc(out, func(a, b T) int { return strings.Compare(string(key(a)), string(key(b))) })
	return out
}

// bulkTokenRows lists the search_tokens rows of every object of d, as
// userTokens and groupTokens derive them, in primary key order.
func bulkTokenRows(d bulk.Data) [][]any {
	var rows [][]any
	add := func(id directory.ObjectID, kind directory.ObjectKind, props ...string) {
		for i := 0; i+1 < len(props); i += 2 {
			for _, tok := range odata.Tokenize(props[i+1]) {
				rows = append(rows, []any{string(d.Tenant), props[i], tok, string(kind), string(id)})
			}
		}
	}
	for _, u := range d.Users {
		add(u.ID, directory.KindUser, "displayName", u.DisplayName)
	}
	for _, g := range d.Groups {
		add(g.ID, directory.KindGroup, "displayName", g.DisplayName, "description", g.Description)
	}
	// Primary key order (tenant_id is the same in every row).
	slices.SortFunc(rows, func(a, b []any) int {
		for i := 1; i < 5; i++ {
			if c := strings.Compare(a[i].(string), b[i].(string)); c != 0 {
				return c
			}
		}
		return 0
	})
	return rows
}

// bulkRows inserts n rows, b.rows per statement.
func bulkRows(ctx context.Context, t *sql.Tx, b bulkInsert, n int, row func(int) []any, phase string, progress bulk.Progress) error {
	full, err := t.PrepareContext(ctx, b.sql(b.rows))
	if err != nil {
		return mapErr("bulk load "+phase, err)
	}
	defer full.Close()
	args := make([]any, 0, b.rows*b.cols)
	for start := 0; start < n; start += b.rows {
		end := min(start+b.rows, n)
		args = args[:0]
		for i := start; i < end; i++ {
			args = append(args, row(i)...)
		}
		if end-start == b.rows {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = t.ExecContext(ctx, b.sql(end-start), args...)
		}
		if err != nil {
			return fmt.Errorf("bulk load %s: %w", phase, mapErr("insert", err))
		}
		progress(phase, end, n)
	}
	return nil
}
