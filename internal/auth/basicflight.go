package auth

import (
	"context"

	"groupd/internal/directory"
)

// flight is one password check that concurrent requests share.
type flight struct {
	done chan struct{}
	u    directory.User
	err  error
}

// verify checks a credential against its slow hash. Concurrent requests
// with the same credential (key) share one check: when a remembered
// credential expires under load, every connection of a client would
// otherwise run bcrypt at once and stall the whole server for seconds.
func (b *Basic) verify(ctx context.Context, key [32]byte, login, password string) (directory.User, error) {
	b.flightMu.Lock()
	if f, ok := b.flights[key]; ok {
		b.flightMu.Unlock()
		select {
		case <-f.done:
			return f.u, f.err
		case <-ctx.Done():
			return directory.User{}, ctx.Err()
		}
	}
	f := &flight{done: make(chan struct{})}
	b.flights[key] = f
	b.flightMu.Unlock()
	// The check is shared, so one caller giving up must not fail the others.
	f.u, f.err = b.dir.Authenticate(context.WithoutCancel(ctx), login, password)
	b.flightMu.Lock()
	delete(b.flights, key)
	b.flightMu.Unlock()
	close(f.done)
	return f.u, f.err
}
