package auth

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	"groupd/internal/directory"
)

// TokenLifetime is how long an access token is valid; Entra's client
// credential tokens last about an hour and say expires_in 3599.
const TokenLifetime = 3599 * time.Second

// ClockSkew is how far a token's times may be off: clocks of separate
// machines disagree by a little, and a token used at its expiry is still
// in flight.
const ClockSkew = 60 * time.Second

// KeepRetiredKeys is how long a retired signing key stays published and
// trusted: until every token it signed has expired.
const KeepRetiredKeys = TokenLifetime + ClockSkew

// keyReload bounds how long a key rotated by another process (the CLI, or
// another instance) stays unknown here; an unknown kid triggers a reload
// at most every keyMissReload.
const (
	keyReload     = 30 * time.Second
	keyMissReload = 2 * time.Second
)

// keySet is one loaded generation of signing keys. Parsing a PEM and its
// RSA key is expensive, so it happens once per load, never per request.
type keySet struct {
	signer   *rsa.PrivateKey
	signerID string
	public   map[string]*rsa.PublicKey
	jwks     []byte
	loaded   time.Time
	gen      uint64 // the directory's SigningKeysGeneration when loaded
}

// keyring loads signing keys from the directory and keeps them parsed.
type keyring struct {
	dir *directory.Service

	mu       sync.RWMutex
	set      *keySet
	lastMiss time.Time
}

func (k *keyring) current(ctx context.Context) (*keySet, error) {
	k.mu.RLock()
	s := k.set
	k.mu.RUnlock()
	if s != nil && time.Since(s.loaded) < keyReload && s.gen == k.dir.SigningKeysGeneration() {
		return s, nil
	}
	return k.reload(ctx)
}

// publicKey returns the key with that kid, reloading once in a while when
// it is unknown (a rotation by another process).
func (k *keyring) publicKey(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	s, err := k.current(ctx)
	if err != nil {
		return nil, err
	}
	if pk, ok := s.public[kid]; ok {
		return pk, nil
	}
	k.mu.Lock()
	retry := time.Since(k.lastMiss) >= keyMissReload
	if retry {
		k.lastMiss = time.Now()
	}
	k.mu.Unlock()
	if retry {
		if s, err = k.reload(ctx); err != nil {
			return nil, err
		}
		if pk, ok := s.public[kid]; ok {
			return pk, nil
		}
	}
	return nil, errUnknownKey
}

var errUnknownKey = errors.New("unknown signing key")

func (k *keyring) reload(ctx context.Context) (*keySet, error) {
	gen := k.dir.SigningKeysGeneration()
	keys, err := k.dir.SigningKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("load signing keys: %w", err)
	}
	s := &keySet{public: map[string]*rsa.PublicKey{}, loaded: time.Now(), gen: gen}
	type jwk struct {
		Kty string   `json:"kty"`
		Use string   `json:"use"`
		Alg string   `json:"alg"`
		Kid string   `json:"kid"`
		X5t string   `json:"x5t,omitempty"`
		N   string   `json:"n"`
		E   string   `json:"e"`
		X5c []string `json:"x5c,omitempty"`
	}
	var set struct {
		Keys []jwk `json:"keys"`
	}
	set.Keys = []jwk{}
	now := time.Now()
	for _, sk := range keys { // newest first
		if sk.RetiredAt != nil && now.Sub(*sk.RetiredAt) > KeepRetiredKeys {
			continue
		}
		block, _ := pem.Decode([]byte(sk.PEM))
		if block == nil {
			return nil, fmt.Errorf("signing key %s: no PEM block", sk.ID)
		}
		parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("signing key %s: %w", sk.ID, err)
		}
		priv, ok := parsed.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("signing key %s is not RSA", sk.ID)
		}
		if s.signer == nil && sk.RetiredAt == nil {
			s.signer, s.signerID = priv, sk.ID
		}
		s.public[sk.ID] = &priv.PublicKey
		set.Keys = append(set.Keys, jwk{Kty: "RSA", Use: "sig", Alg: "RS256", Kid: sk.ID,
			N: b64(priv.N.Bytes()), E: b64(big.NewInt(int64(priv.E)).Bytes())})
	}
	if s.signer == nil {
		return nil, errors.New("no active signing key")
	}
	if s.jwks, err = json.Marshal(set); err != nil {
		return nil, err
	}
	k.mu.Lock()
	k.set = s
	k.mu.Unlock()
	return s, nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
