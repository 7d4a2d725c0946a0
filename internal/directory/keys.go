package directory

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// signingKeyBits is the RSA size Entra uses for its token signing keys.
const signingKeyBits = 2048

func newSigningKey(now time.Time) (SigningKey, error) {
	k, err := rsa.GenerateKey(rand.Reader, signingKeyBits)
	if err != nil {
		return SigningKey{}, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return SigningKey{}, err
	}
	return SigningKey{
		ID:        uuid.NewString(),
		PEM:       string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		CreatedAt: now,
	}, nil
}

// SigningKeys returns the stored keys, newest first, creating the first key
// when there is none. Two instances starting at once may both create one;
// both keys then verify, and the newest signs.
func (s *Service) SigningKeys(ctx context.Context) ([]SigningKey, error) {
	r, err := s.appStore()
	if err != nil {
		return nil, err
	}
	keys, err := r.SigningKeys(ctx)
	if err != nil || len(keys) > 0 {
		return keys, err
	}
	k, err := newSigningKey(s.clock())
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, "", func(tx Tx, log *changeLog) error {
		at, err := appTx(tx)
		if err != nil {
			return err
		}
		if existing, err := at.SigningKeys(ctx); err != nil || len(existing) > 0 {
			return err
		}
		if err := at.InsertSigningKey(ctx, k); err != nil {
			return err
		}
		log.add(KindSigningKey, ObjectID(k.ID), OpCreated, nil)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r.SigningKeys(ctx)
}

// RotateSigningKeys retires the active key and adds a new one that signs
// from now on. Keys retired more than keep ago (the token lifetime plus
// clock skew) are removed: no unexpired token can name them.
func (s *Service) RotateSigningKeys(ctx context.Context, keep time.Duration) (SigningKey, error) {
	now := s.clock()
	k, err := newSigningKey(now)
	if err != nil {
		return SigningKey{}, err
	}
	err = s.update(ctx, "", func(tx Tx, log *changeLog) error {
		at, err := appTx(tx)
		if err != nil {
			return err
		}
		if err := at.DeleteSigningKeys(ctx, now.Add(-keep)); err != nil {
			return err
		}
		if err := at.RetireSigningKeys(ctx, now); err != nil {
			return err
		}
		if err := at.InsertSigningKey(ctx, k); err != nil {
			return err
		}
		log.add(KindSigningKey, ObjectID(k.ID), OpCreated, nil)
		return nil
	})
	return k, err
}

// appCacheTTL bounds how long a token keeps working after its app was
// disabled or deleted by another process; writes through this Service
// take effect at once.
const appCacheTTL = 2 * time.Second

// appCache keeps the applications that tokens name, so that checking that
// a token's app still exists and is enabled costs a map lookup.
type appCache struct {
	mu     sync.RWMutex
	m      map[appKey]appEntry
	keyGen atomic.Uint64
}

type appKey struct {
	tenant TenantID
	appID  string
}

type appEntry struct {
	app     Application
	err     error
	expires time.Time
}

func newAppCache() *appCache { return &appCache{m: map[appKey]appEntry{}} }

func (s *Service) apps() *appCache { return s.appCache }

// invalidateApps drops cached applications when rows name one, and
// counts signing key changes so that token services reload their keys.
func (s *Service) invalidateApps(rows []Change) {
	apps := false
	for _, r := range rows {
		switch r.ObjectKind {
		case KindApplication:
			apps = true
		case KindSigningKey:
			s.appCache.keyGen.Add(1)
		}
	}
	if apps {
		c := s.apps()
		c.mu.Lock()
		clear(c.m)
		c.mu.Unlock()
	}
}

// SigningKeysGeneration changes whenever this Service wrote, or its change
// follower saw, a signing key change: a token service reloads its keys
// when it differs from the one it loaded at.
func (s *Service) SigningKeysGeneration() uint64 { return s.appCache.keyGen.Load() }

// ActiveApplication returns the application a token names if it still
// exists and is enabled, from a short cache: *ClientError otherwise.
func (s *Service) ActiveApplication(ctx context.Context, tenant TenantID, appID string) (Application, error) {
	c := s.apps()
	k := appKey{tenant, appID}
	now := time.Now()
	c.mu.RLock()
	e, ok := c.m[k]
	c.mu.RUnlock()
	if ok && now.Before(e.expires) {
		return e.app, e.err
	}
	a, err := s.ClientApplication(ctx, tenant, appID)
	var ce *ClientError
	if err != nil && !errors.As(err, &ce) {
		return Application{}, err // store trouble is not cached
	}
	if err != nil {
		a = Application{}
	}
	c.mu.Lock()
	if len(c.m) > 10000 {
		clear(c.m)
	}
	c.m[k] = appEntry{app: a, err: err, expires: now.Add(appCacheTTL)}
	c.mu.Unlock()
	return a, err
}
