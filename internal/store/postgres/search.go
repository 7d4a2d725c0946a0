package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pressly/goose/v3"

	"groupd/internal/directory"
	"groupd/internal/odata"
)

// qWriteTokens replaces the search tokens of one object in one statement:
// it deletes the tokens the object no longer has and inserts the new ones,
// leaving those it keeps untouched (a DELETE and an INSERT of the same row
// in one statement would not see each other).
const qWriteTokens = `WITH new (prop, token) AS (SELECT * FROM unnest($4::text[], $5::text[])),
d AS (DELETE FROM search_tokens s WHERE s.object_id = $2 AND s.kind = $3
	AND NOT EXISTS (SELECT 1 FROM new WHERE new.prop = s.prop AND new.token = s.token))
INSERT INTO search_tokens (tenant_id, object_id, kind, prop, token)
SELECT $1, $2, $3, prop, token FROM new ON CONFLICT DO NOTHING`

// qWriteTokensV2 is qWriteTokens as migration 3 runs it, on the table of
// migration 2 (no kind yet).
const qWriteTokensV2 = `WITH new (prop, token) AS (SELECT * FROM unnest($3::text[], $4::text[])),
d AS (DELETE FROM search_tokens s WHERE s.object_id = $2
	AND NOT EXISTS (SELECT 1 FROM new WHERE new.prop = s.prop AND new.token = s.token))
INSERT INTO search_tokens (tenant_id, prop, token, object_id)
SELECT $1, prop, token, $2 FROM new ON CONFLICT DO NOTHING`

// tokens splits searchable values as odata.Tokenize does, as two parallel
// arrays of properties and tokens.
func tokens(props ...string) ([]string, []string) {
	ps, ts := []string{}, []string{}
	for i := 0; i+1 < len(props); i += 2 {
		for _, t := range odata.Tokenize(props[i+1]) {
			ps, ts = append(ps, props[i]), append(ts, t)
		}
	}
	return ps, ts
}

// qInsertTokens writes the tokens of a new object. It reads nothing: a
// SERIALIZABLE transaction that reads a range of search_tokens (the
// DELETE of qWriteTokens) conflicts with every concurrent writer of
// tokens on the same index page, so concurrent creates would fail.
const qInsertTokens = `INSERT INTO search_tokens (tenant_id, object_id, kind, prop, token)
SELECT $1, $2, $3, prop, token FROM unnest($4::text[], $5::text[]) AS new (prop, token) ON CONFLICT DO NOTHING`

// insertTokens writes the search tokens of an object just inserted.
// Nothing the run does depends on the tokens' write but its own searches,
// which the pipeline sends after it, so it waits for the next statement
// (pipeline.go).
func (t *tx) insertTokens(tenant directory.TenantID, kind directory.ObjectKind, id directory.ObjectID, props ...string) {
	ps, ts := tokens(props...)
	t.later("index "+string(id), qInsertTokens, string(tenant), string(id), string(kind), ps, ts)
}

func (t *tx) writeTokens(tenant directory.TenantID, kind directory.ObjectKind, id directory.ObjectID, props ...string) {
	ps, ts := tokens(props...)
	t.later("index "+string(id), qWriteTokens, string(tenant), string(id), string(kind), ps, ts)
}

// backfill is Go migration 3: folds users' displayName and tokenizes every
// object written before migration 2 existed; SQL cannot tokenize as Go does.
var backfill = goose.NewGoMigration(3, &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
	type obj struct{ tenant, id, name, desc string }
	var objs []obj
	rows, err := tx.QueryContext(ctx, `SELECT tenant_id, id, display_name, description FROM groups
UNION ALL SELECT tenant_id, id, display_name, '' FROM users`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var o obj
		if err := rows.Scan(&o.tenant, &o.id, &o.name, &o.desc); err != nil {
			rows.Close()
			return err
		}
		objs = append(objs, o)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, o := range objs {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET display_name_key = $2 WHERE id = $1`, o.id, fold(o.name)); err != nil {
			return fmt.Errorf("fold %s: %w", o.id, err)
		}
		ps, ts := tokens("displayName", o.name, "description", o.desc)
		// database/sql cannot bind Go slices as arrays; a text literal of
		// each can, as pgx's stdlib parses {"a","b"} into text[].
		if _, err := tx.ExecContext(ctx, qWriteTokensV2, o.tenant, o.id, arrayLiteral(ps), arrayLiteral(ts)); err != nil {
			return fmt.Errorf("tokenize %s: %w", o.id, err)
		}
	}
	return nil
}}, nil)

// arrayLiteral is a PostgreSQL array literal of strings, every element
// quoted and escaped.
func arrayLiteral(list []string) string {
	b := []byte{'{'}
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		for j := 0; j < len(s); j++ {
			if s[j] == '"' || s[j] == '\\' {
				b = append(b, '\\')
			}
			b = append(b, s[j])
		}
		b = append(b, '"')
	}
	return string(append(b, '}'))
}
