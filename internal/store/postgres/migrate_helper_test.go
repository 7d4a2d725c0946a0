package postgres

import (
	"context"
	"database/sql"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"groupd/internal/store/pgtest"
)

// migratedTo makes a new database migrated up to version, as an earlier
// groupd left it, for tests of the migrations after it. It returns the
// database, its migration provider (Up applies the rest), its URL and a
// function that runs a statement or fails the test.
func migratedTo(t *testing.T, version int64) (*sql.DB, *goose.Provider, string, func(string, ...any)) {
	t.Helper()
	ctx := context.Background()
	dsn := pgtest.NewEmptyDatabase(t)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDB(*cfg)
	t.Cleanup(func() { db.Close() })
	p, err := newProvider(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return db, p, dsn, exec
}
