package server

import (
	"bytes"
	"sync"
	"testing"
	"time"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestLogWriterFlushesPeriodicallyAndOnClose(t *testing.T) {
	var out lockedBuffer
	lw := NewLogWriter(&out, 10*time.Millisecond)
	lw.Write([]byte("first\n"))
	if out.String() != "" {
		t.Fatal("written through before the interval")
	}
	deadline := time.Now().Add(5 * time.Second)
	for out.String() != "first\n" {
		if time.Now().After(deadline) {
			t.Fatalf("not flushed after the interval: %q", out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	lw.Write([]byte("last\n"))
	if err := lw.Close(); err != nil {
		t.Fatal(err)
	}
	if out.String() != "first\nlast\n" {
		t.Fatalf("after close: %q", out.String())
	}
}
