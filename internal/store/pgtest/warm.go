package pgtest

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// walSegmentsWarm is how many free WAL segments WarmWAL leaves ahead of
// the server's position, 256 MB: more than one benchmark of the test
// suites writes.
const walSegmentsWarm = 16

// ServiceWALSegments is how many a server in service under steady writes
// keeps for reuse: its checkpoints recycle segments up to max_wal_size,
// 1 GB by default, less the one in use. The load generator warms its
// throwaway cluster with as many, as a full run writes more than 256 MB.
const ServiceWALSegments = 63

// WarmWAL gives the tests' throwaway cluster the spare WAL segments of a
// server in service before a benchmark is timed (Warm). An external
// server (EnvURL) is left as it is: it is in service already, and its
// user may not be allowed to checkpoint.
func WarmWAL(tb testing.TB) {
	tb.Helper()
	if os.Getenv(EnvURL) != "" {
		return
	}
	adminURL, _, err := sharedCluster()
	if err != nil {
		unavailable(tb, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	if err := Warm(ctx, adminURL, walSegmentsWarm); err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	tb.Logf("pgtest: %d WAL segments ready in %v", walSegmentsWarm, time.Since(start).Round(time.Millisecond))
}

// Warm leaves the given number of free WAL segments ahead of the position
// of the cluster adminURL names, as a server in service has them. A fresh
// cluster has none, so every 16 MB of WAL a benchmark writes first waits
// for a new segment to be filled with zeros (wal_init_zero). A server
// under steady writes has grown its pool of recycled segments until it
// no longer needs new ones: each checkpoint renames the segments before
// its start ahead, and as a checkpoint spreads its writes over most of
// the time to the next, the writes meanwhile need about twice what one
// checkpoint renames, up to max_wal_size. Warm switches segments until
// pg_wal holds one more than segments, then checkpoints, which renames
// all but the one in use ahead (a throwaway cluster runs with a
// min_wal_size that keeps them). It needs a superuser; Start's clusters
// give one. It refuses to run when EnvURL names an external server: it
// changes the server's configuration while it switches, which is for
// throwaway clusters only.
func Warm(ctx context.Context, adminURL string, segments int) error {
	if os.Getenv(EnvURL) != "" {
		return fmt.Errorf("warm WAL: %s names an external server, which is left as it is", EnvURL)
	}
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("warm WAL: %w", err)
	}
	defer conn.Close(context.Background())
	// The server starts a checkpoint each time the switches pass about
	// half of max_wal_size; with nothing else to write it ends at once
	// and renames the segments switched so far ahead, where the next
	// switches reuse them instead of adding files (36 files after 64
	// switches, and no more after 260). So max_wal_size is raised while
	// switching, and the file count, not the switches, ends the loop.
	if err := configure(ctx, conn, fmt.Sprintf("ALTER SYSTEM SET max_wal_size = '%dMB'", 4*16*(segments+1))); err != nil {
		return err
	}
	err = switchUntil(ctx, conn, segments+1)
	if rerr := configure(ctx, conn, "ALTER SYSTEM RESET max_wal_size"); err == nil {
		err = rerr
	}
	if err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "CHECKPOINT"); err != nil {
		return fmt.Errorf("warm WAL: %w", err)
	}
	return nil
}

// switchUntil switches WAL segments until pg_wal holds files segments.
func switchUntil(ctx context.Context, conn *pgx.Conn, files int) error {
	for range 4 * files {
		var n int
		err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_ls_waldir() WHERE name ~ '^[0-9A-F]{24}$'`).Scan(&n)
		if err != nil {
			return fmt.Errorf("warm WAL: %w", err)
		}
		if n >= files {
			return nil
		}
		// A switch needs something written since the last one.
		if _, err := conn.Exec(ctx, `SELECT pg_logical_emit_message(false, 'groupd-warm', ''), pg_switch_wal()`); err != nil {
			return fmt.Errorf("warm WAL: %w", err)
		}
	}
	return fmt.Errorf("warm WAL: pg_wal holds fewer than %d segments after %d switches", files, 4*files)
}

// configure runs an ALTER SYSTEM statement and reloads the configuration.
func configure(ctx context.Context, conn *pgx.Conn, stmt string) error {
	if _, err := conn.Exec(ctx, stmt); err != nil {
		return fmt.Errorf("warm WAL: %w", err)
	}
	if _, err := conn.Exec(ctx, "SELECT pg_reload_conf()"); err != nil {
		return fmt.Errorf("warm WAL: %w", err)
	}
	return nil
}
