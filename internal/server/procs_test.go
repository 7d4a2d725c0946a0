package server

import (
	"runtime"
	"testing"
)

func TestTuneProcs(t *testing.T) {
	orig := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(orig)

	t.Setenv("GOMAXPROCS", "")
	if before := TuneProcs(false); before != orig || runtime.GOMAXPROCS(0) != orig {
		t.Errorf("PostgreSQL: GOMAXPROCS %d (returned %d), want %d left", runtime.GOMAXPROCS(0), before, orig)
	}
	if before := TuneProcs(true); before != orig || runtime.GOMAXPROCS(0) != orig+1 {
		t.Errorf("SQLite: GOMAXPROCS %d (returned %d), want %d", runtime.GOMAXPROCS(0), before, orig+1)
	}
	runtime.GOMAXPROCS(orig)

	// The runtime read GOMAXPROCS at start; TuneProcs leaves it.
	t.Setenv("GOMAXPROCS", "3")
	if TuneProcs(true); runtime.GOMAXPROCS(0) != orig {
		t.Errorf("with GOMAXPROCS set: %d, want %d left", runtime.GOMAXPROCS(0), orig)
	}
}
