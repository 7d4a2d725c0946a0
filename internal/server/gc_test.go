package server

import (
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	orig := debug.SetGCPercent(100)
	defer debug.SetGCPercent(orig)

	t.Setenv("GOGC", "")
	if before := TuneGC(); before != 100 {
		t.Errorf("TuneGC returned %d, want the setting before, 100", before)
	}
	if got := debug.SetGCPercent(100); got != GCPercent {
		t.Errorf("without GOGC the GC percent is %d, want %d", got, GCPercent)
	}

	// The runtime read GOGC at start; TuneGC leaves whatever is in effect.
	debug.SetGCPercent(150)
	t.Setenv("GOGC", "150")
	if before := TuneGC(); before != 150 {
		t.Errorf("TuneGC returned %d, want 150", before)
	}
	if got := debug.SetGCPercent(100); got != 150 {
		t.Errorf("with GOGC=150 the GC percent is %d, want it left at 150", got)
	}
}
