package sqlite

import (
	"os"
	"strconv"
	"testing"

	"groupd/internal/store/storetest"
)

// BenchmarkTransitive runs the transitive reads on a generated directory;
// GROUPD_BENCH_SCALE=10 gives the target's 100,000 users, 10,000 groups
// and 1,000,000 memberships (the default is a tenth of that).
func BenchmarkTransitive(b *testing.B) {
	scale, _ := strconv.Atoi(os.Getenv("GROUPD_BENCH_SCALE"))
	scale = max(scale, 1)
	s := openTempB(b)
	g := storetest.GenerateNesting(b, s, storetest.NestShape{Users: 10000 * scale, Groups: 1000 * scale,
		Memberships: 100000 * scale, Depth: 5}, 1)
	storetest.BenchTransitive(b, s, g)
}
