package directory

import (
	"context"
	"fmt"
	"sync"
)

// SecretPaging names the key that signs list cursors handed to clients
// ($skiptoken): every instance on one database signs and checks with it,
// so a next link works on any of them and after restarts.
const SecretPaging = "paging"

// SecretReader reads the random keys the store creates when it migrates
// (32 bytes or more each), one per name. They never leave the server.
type SecretReader interface {
	// Secret returns the key named name; *NotFoundError when there is none.
	Secret(ctx context.Context, name string) ([]byte, error)
}

// secrets caches keys: they never change once created.
type secrets struct {
	mu   sync.Mutex
	keys map[string][]byte
}

// PagingKey is the key of SecretPaging, read from the store once.
func (s *Service) PagingKey(ctx context.Context) ([]byte, error) {
	s.secrets.mu.Lock()
	defer s.secrets.mu.Unlock()
	if k, ok := s.secrets.keys[SecretPaging]; ok {
		return k, nil
	}
	k, err := s.store.Secret(ctx, SecretPaging)
	if err != nil {
		return nil, fmt.Errorf("paging key: %w", err)
	}
	if len(k) < 32 {
		return nil, fmt.Errorf("paging key: %d bytes, want at least 32", len(k))
	}
	if s.secrets.keys == nil {
		s.secrets.keys = map[string][]byte{}
	}
	s.secrets.keys[SecretPaging] = k
	return k, nil
}
