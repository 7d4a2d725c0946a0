package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"github.com/pressly/goose/v3"
	msqlite "modernc.org/sqlite"

	"groupd/internal/directory"
	"groupd/internal/odata"
)

// groupd_fold is the domain's case folding (strings.ToLower) inside SQL,
// for columns without a *_key copy: SQLite's lower() folds ASCII only, and
// a filter must agree with the keys Go wrote.
func init() {
	err := msqlite.RegisterDeterministicScalarFunction("groupd_fold", 1,
		func(_ *msqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			switch v := args[0].(type) {
			case string:
				return fold(v), nil
			case []byte:
				return fold(string(v)), nil
			}
			return args[0], nil
		})
	if err != nil {
		panic(err)
	}
}

const (
	qDeleteTokens = `DELETE FROM search_tokens WHERE object_id = ?1 AND kind = ?2`
	// The same two as migration 3 runs them, on the table of migration 2
	// (no kind yet).
	qDeleteTokensV2 = `DELETE FROM search_tokens WHERE object_id = ?1`
	qInsertTokensV2 = `INSERT OR IGNORE INTO search_tokens (tenant_id, object_id, prop, token)
SELECT ?1, ?2, json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?3)`
)

// qInsertTokens reads its pairs with pairRows, so that inserting a new
// object's tokens opens no statement journal.
var qInsertTokens = `INSERT OR IGNORE INTO search_tokens (tenant_id, object_id, kind, prop, token)
SELECT ?1, ?2, ?3, p.a, p.b FROM ` + pairRows("?4") + ` p`

// tokens is the JSON array of [property, token] pairs of a searchable
// object, as odata.Tokenize splits it.
func tokens(props ...string) string {
	var pairs [][2]string
	for i := 0; i+1 < len(props); i += 2 {
		for _, t := range odata.Tokenize(props[i+1]) {
			pairs = append(pairs, [2]string{props[i], t})
		}
	}
	return pairList(pairs)
}

func groupTokens(g directory.Group) string {
	return tokens("displayName", g.DisplayName, "description", g.Description)
}

func userTokens(u directory.User) string { return tokens("displayName", u.DisplayName) }

type execer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// writeTokens replaces the search tokens of one object, in the caller's
// transaction.
func writeTokens(ctx context.Context, ex execer, tenant directory.TenantID, kind directory.ObjectKind, id directory.ObjectID, pairs string) error {
	if _, err := ex.ExecContext(ctx, qDeleteTokens, string(id), string(kind)); err != nil {
		return err
	}
	_, err := ex.ExecContext(ctx, qInsertTokens, string(tenant), string(id), string(kind), pairs)
	return err
}

// txExec runs statements on the write transaction through its cache.
type txExec struct{ t *tx }

func (e txExec) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return e.t.exec(ctx, q, args...)
}

// backfill is Go migration 3: folds users' displayName and tokenizes every
// object written before migration 2 existed; SQL cannot tokenize.
var backfill = goose.NewGoMigration(3, &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE users SET display_name_key = groupd_fold(display_name)`); err != nil {
		return fmt.Errorf("fold user names: %w", err)
	}
	type obj struct{ tenant, id, pairs string }
	var objs []obj
	rows, err := tx.QueryContext(ctx, `SELECT tenant_id, id, display_name, description FROM groups
UNION ALL SELECT tenant_id, id, display_name, '' FROM users`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var o obj
		var name, desc string
		if err := rows.Scan(&o.tenant, &o.id, &name, &desc); err != nil {
			rows.Close()
			return err
		}
		o.pairs = tokens("displayName", name, "description", desc)
		objs = append(objs, o)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, o := range objs {
		if _, err := tx.ExecContext(ctx, qDeleteTokensV2, o.id); err != nil {
			return fmt.Errorf("tokenize %s: %w", o.id, err)
		}
		if _, err := tx.ExecContext(ctx, qInsertTokensV2, o.tenant, o.id, o.pairs); err != nil {
			return fmt.Errorf("tokenize %s: %w", o.id, err)
		}
	}
	return nil
}}, nil)
