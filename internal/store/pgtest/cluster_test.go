package pgtest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestClusterLocale checks that a throwaway cluster's databases collate as
// EnvLocale says, or byte by byte (C) without it, since CI's second pass
// of the store's suite relies on running under a language's collation.
func TestClusterLocale(t *testing.T) {
	if os.Getenv(EnvURL) != "" {
		t.Skip("an external server's locale is its own")
	}
	want := os.Getenv(EnvLocale)
	if want == "" {
		want = "C"
	}
	dsn := NewEmptyDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var collate, ctype string
	err = conn.QueryRow(ctx, `SELECT datcollate, datctype FROM pg_database WHERE datname = current_database()`).Scan(&collate, &ctype)
	if err != nil {
		t.Fatal(err)
	}
	if collate != want || ctype != want {
		t.Fatalf("database collates as %q, classifies as %q; want %q for both (%s=%q)", collate, ctype, want, EnvLocale, os.Getenv(EnvLocale))
	}
}
