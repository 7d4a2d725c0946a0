package auth

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"groupd/internal/directory"
)

// ErrNoCredentials says the request carries no credentials of a kind this
// authenticator reads.
var ErrNoCredentials = errors.New("no credentials")

// Basic verifies HTTP Basic credentials. Password hashes are deliberately
// slow, so a verified login is remembered for TTL; each use still checks
// the stored user, so changes to it take effect at once.
type Basic struct {
	dir *directory.Service
	ttl time.Duration
	max int

	mu    sync.RWMutex
	cache map[[32]byte]cached
	// verify runs one hash comparison per credential at a time: when an
	// entry expires under load, every request carrying it would otherwise
	// compare the slow hash at once.
	verify singleflight.Group
}

type cached struct {
	p       Principal
	hash    string // the password hash the credential was verified against
	expires time.Time
}

// DefaultCacheTTL is how long a verified Basic credential is trusted.
const DefaultCacheTTL = 30 * time.Second

// NewBasic returns a Basic authenticator over dir.
func NewBasic(dir *directory.Service, ttl time.Duration) *Basic {
	return &Basic{dir: dir, ttl: ttl, max: 10000, cache: make(map[[32]byte]cached)}
}

// Authenticate returns the principal for r's Basic credentials:
// ErrNoCredentials when there are none, directory.ErrUnauthorized when they
// are wrong, or a store error.
func (b *Basic) Authenticate(ctx context.Context, r *http.Request) (Principal, error) {
	login, password, ok := r.BasicAuth()
	if !ok {
		return Principal{}, ErrNoCredentials
	}
	// The key covers the password so that a wrong password never hits an
	// entry made by the right one.
	key := sha256.Sum256([]byte(login + "\x00" + password))
	now := time.Now()
	b.mu.RLock()
	c, hit := b.cache[key]
	b.mu.RUnlock()
	if hit && now.Before(c.expires) {
		// The user is read again (by id, from the directory's cache) so
		// that a changed password, a rename, a revoked role, a disabled or
		// deleted account takes effect on the next request, on any
		// instance; only the slow hash comparison is skipped. Where
		// instances share the database the cache may answer only after
		// one check of the change log, which concurrent requests share:
		// cheaper than a read of the user each.
		cctx, err := b.dir.CheckedRequest(ctx, c.p.TenantID)
		if err != nil {
			return Principal{}, err
		}
		u, err := b.dir.User(cctx, c.p.TenantID, c.p.ID)
		switch {
		case err == nil && u.PasswordHash == c.hash && u.AccountEnabled && u.IsAdmin == c.p.IsAdmin && u.IsGuest() == c.p.IsGuest &&
			(strings.EqualFold(login, u.UserPrincipalName) || strings.EqualFold(login, u.OnPremisesSamAccountName)):
			return c.p, nil
		case err != nil && !errors.Is(err, directory.ErrNotFound):
			return Principal{}, err
		}
		b.mu.Lock()
		delete(b.cache, key)
		b.mu.Unlock()
	}
	// The callers share one verification, so it must not end with the
	// first caller's request.
	vctx := context.WithoutCancel(ctx)
	v, err, _ := b.verify.Do(string(key[:]), func() (any, error) {
		u, err := b.dir.Authenticate(vctx, login, password)
		if err != nil {
			return nil, err
		}
		p := Principal{TenantID: u.TenantID, Kind: directory.ActorUser, ID: string(u.ID), Name: u.UserPrincipalName,
			IsAdmin: u.IsAdmin, IsGuest: u.IsGuest()}
		b.mu.Lock()
		if len(b.cache) >= b.max {
			b.evict(now)
		}
		b.cache[key] = cached{p: p, hash: u.PasswordHash, expires: now.Add(b.ttl)}
		b.mu.Unlock()
		return p, nil
	})
	if err != nil {
		return Principal{}, err
	}
	return v.(Principal), nil
}

// evict drops expired entries, or everything when none expired, keeping the
// cache bounded without bookkeeping on the hot path. Callers hold mu.
func (b *Basic) evict(now time.Time) {
	for k, c := range b.cache {
		if !now.Before(c.expires) {
			delete(b.cache, k)
		}
	}
	if len(b.cache) >= b.max {
		clear(b.cache)
	}
}
