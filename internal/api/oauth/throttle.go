package oauth

import (
	"sync"
	"time"
)

// throttle slows down guessing of client secrets: after freeFailures
// failed client authentications for one client id from one address, each
// further attempt must wait a delay that doubles with every failure up to
// maxDelay. A success clears the record. Secrets are 240-bit random, so
// this protects weak operator-chosen assertion keys and the log, not the
// secrets themselves.
type throttle struct {
	mu    sync.Mutex
	m     map[string]*failures
	now   func() time.Time
	swept time.Time
}

type failures struct {
	n    int
	last time.Time
}

const (
	freeFailures = 5
	baseDelay    = time.Second
	maxDelay     = 5 * time.Minute
	maxTracked   = 100000
)

func newThrottle() *throttle { return &throttle{m: map[string]*failures{}, now: time.Now} }

func throttleKey(clientID, addr string) string { return clientID + "\x00" + addr }

func delayFor(n int) time.Duration {
	if n < freeFailures {
		return 0
	}
	d := baseDelay << min(n-freeFailures, 16)
	return min(d, maxDelay)
}

// wait returns how long the caller must still wait before trying again.
func (t *throttle) wait(key string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	f, ok := t.m[key]
	if !ok {
		return 0
	}
	if left := delayFor(f.n) - t.now().Sub(f.last); left > 0 {
		return left
	}
	return 0
}

func (t *throttle) fail(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if len(t.m) >= maxTracked || now.Sub(t.swept) > time.Minute {
		t.sweep(now)
	}
	f, ok := t.m[key]
	if !ok {
		f = &failures{}
		t.m[key] = f
	}
	f.n++
	f.last = now
}

func (t *throttle) succeed(key string) {
	t.mu.Lock()
	delete(t.m, key)
	t.mu.Unlock()
}

// sweep forgets records whose delay has long passed; callers hold mu.
func (t *throttle) sweep(now time.Time) {
	t.swept = now
	for k, f := range t.m {
		if now.Sub(f.last) > maxDelay+time.Minute {
			delete(t.m, k)
		}
	}
	if len(t.m) >= maxTracked {
		clear(t.m)
	}
}
