package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"

	"github.com/pressly/goose/v3"

	"groupd/internal/directory"
)

// secretsMigration is Go migration 21: the table of server keys and a
// random key for each name the directory uses. SQL has no source of
// random bytes fit for a key, so the key is made here, once per database.
var secretsMigration = goose.NewGoMigration(21, &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `CREATE TABLE secrets (
    name  TEXT NOT NULL PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID`); err != nil {
		return err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO secrets (name, value) VALUES (?1, ?2)`, directory.SecretPaging, key)
	return err
}}, nil)

const qSecret = `SELECT value FROM secrets WHERE name = ?1`

// Secret returns a key made at migration (directory.SecretReader).
func (r reader) Secret(ctx context.Context, name string) ([]byte, error) {
	var v []byte
	err := r.scanRow(ctx, qSecret, []any{name}, &v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &directory.NotFoundError{Kind: "secret", ID: name}
	}
	return v, mapErr("read secret", err)
}
