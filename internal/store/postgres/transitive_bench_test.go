package postgres

import (
	"context"
	"os"
	"strconv"
	"testing"

	"groupd/internal/store/storetest"
)

// BenchmarkTransitive is the SQLite engine's benchmark of the same name on
// PostgreSQL (GROUPD_BENCH_SCALE=10 for the target's size). The Service
// rows use the in-memory graph, which servers on PostgreSQL do not; the
// store rows are what they run.
func BenchmarkTransitive(b *testing.B) {
	scale, _ := strconv.Atoi(os.Getenv("GROUPD_BENCH_SCALE"))
	scale = max(scale, 1)
	s := openTest(b)
	g := storetest.GenerateNesting(b, s, storetest.NestShape{Users: 10000 * scale, Groups: 1000 * scale,
		Memberships: 100000 * scale, Depth: 5}, 1)
	if _, err := s.pool.Exec(context.Background(), "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	storetest.BenchTransitive(b, s, g)
}
