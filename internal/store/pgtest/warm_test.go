package pgtest

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) {
	Main(m, func(context.Context, string) error { return nil })
}

// TestWarmLeavesSpareSegments checks what the load generator relies on:
// after Warm the cluster holds at least that many WAL segments ahead of
// its position, so the next writes reuse them instead of zero-filling
// new ones. The load generator's count passes the WAL that triggers a
// checkpoint, so the server may also checkpoint by itself meanwhile.
func TestWarmLeavesSpareSegments(t *testing.T) {
	if os.Getenv(EnvURL) != "" {
		t.Skip("Warm is for throwaway clusters; an external server is left as it is")
	}
	dsn := NewEmptyDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n := ServiceWALSegments
	if err := Warm(ctx, dsn, n); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var spare int
	err = conn.QueryRow(ctx, `SELECT count(*) FROM pg_ls_waldir()
WHERE name ~ '^[0-9A-F]{24}$' AND name > pg_walfile_name(pg_current_wal_lsn())`).Scan(&spare)
	if err != nil {
		t.Fatal(err)
	}
	if spare < n {
		t.Fatalf("%d spare WAL segments after Warm(%d), want at least %d", spare, n, n)
	}
}

// TestWarmLeavesExternalServersAlone: with EnvURL set, Warm refuses before
// it connects, whatever URL it is given.
func TestWarmLeavesExternalServersAlone(t *testing.T) {
	t.Setenv(EnvURL, "postgres://somebody@db.example/postgres")
	err := Warm(context.Background(), "postgres://nobody@127.0.0.1:1/postgres", 1)
	if err == nil || !strings.Contains(err.Error(), "external server") {
		t.Fatalf("Warm with %s set: %v, want a refusal", EnvURL, err)
	}
}
