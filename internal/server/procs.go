package server

import (
	"os"
	"runtime"
)

// TuneProcs gives a serving groupd on SQLite one more P than Go's default
// (the CPUs the process may use) unless the environment sets GOMAXPROCS,
// and returns the setting before. SQLite runs inside groupd, and its
// single write loop keeps a P busy for most of every batch of writes. With
// one P per core, the handlers of the calls a batch just made durable
// then share the other P with everything else, and a response waits there
// before it is written: with 8 provisioning clients and random users, the
// clients' p99 ran 6-7 ms above the p99 of groupd's own request durations
// (its access log), and 2-3 ms above with the extra P. The kernel shares
// the cores among the threads instead. On PostgreSQL the writes wait for
// the database server, which shares the cores, so the default stays.
//
// Setting it stops the runtime from following a later change of the
// process's CPU limit (cgroup), as setting GOMAXPROCS in the environment
// does.
func TuneProcs(sqlite bool) (before int) {
	before = runtime.GOMAXPROCS(0)
	if sqlite && os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(before + 1)
	}
	return before
}
