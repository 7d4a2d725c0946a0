package directory

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// deltaState is what a delta token carries: where the reader is and what
// it asked for, so that every later page answers the same question.
type deltaState struct {
	Tenant TenantID   `json:"t"`
	Kind   ObjectKind `json:"k"`
	// Cursor is the change log position: for the first pass, where its
	// replay of concurrent changes starts; after it, what was read.
	Cursor int64 `json:"c"`
	// Pass is true during the first full pass; After is the id the next
	// page of objects starts after.
	Pass   bool       `json:"p,omitempty"`
	After  ObjectID   `json:"a,omitempty"`
	Select []string   `json:"s,omitempty"`
	IDs    []ObjectID `json:"i,omitempty"`
}

// InvalidTokenError says a delta token was not issued for this tenant and
// resource, or was altered.
type InvalidTokenError struct{ Reason string }

func (e *InvalidTokenError) Error() string        { return "invalid delta token: " + e.Reason }
func (e *InvalidTokenError) Is(target error) bool { return target == ErrInvalid }

// ResyncError says a delta token points before the retained change log: the
// reader must start over with a full pass.
type ResyncError struct{ Cursor, Horizon int64 }

func (e *ResyncError) Error() string {
	return fmt.Sprintf("delta token at %d is older than the retained change log (%d)", e.Cursor, e.Horizon)
}

// deltaKeys caches each tenant's token key, which never changes once
// stored.
type deltaKeys struct {
	mu   sync.Mutex
	keys map[TenantID][]byte
}

// macSize is the length of the token's MAC: 128 bits are ample against
// forgery and keep links short.
const macSize = 16

func (s *Service) deltaKey(ctx context.Context, tenant TenantID) ([]byte, error) {
	s.deltaKeys.mu.Lock()
	k, ok := s.deltaKeys.keys[tenant]
	s.deltaKeys.mu.Unlock()
	if ok {
		return k, nil
	}
	k, err := s.store.DeltaSecret(ctx, tenant)
	if err != nil {
		return nil, err
	}
	if k == nil {
		fresh := make([]byte, 32)
		if _, err := rand.Read(fresh); err != nil {
			return nil, err
		}
		// Two processes may race; the first key stored wins for both.
		err = s.store.Update(ctx, func(tx Tx) error {
			if err := tx.InsertDeltaSecret(ctx, tenant, fresh); err != nil {
				return err
			}
			k, err = tx.DeltaSecret(ctx, tenant)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	s.deltaKeys.mu.Lock()
	if s.deltaKeys.keys == nil {
		s.deltaKeys.keys = make(map[TenantID][]byte)
	}
	s.deltaKeys.keys[tenant] = k
	s.deltaKeys.mu.Unlock()
	return k, nil
}

// encodeToken signs st with the tenant's key: base64url(JSON).base64url(MAC).
func (s *Service) encodeToken(ctx context.Context, st deltaState) (string, error) {
	key, err := s.deltaKey(ctx, st.Tenant)
	if err != nil {
		return "", err
	}
	body, err := json.Marshal(st)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString(body) + "." + enc.EncodeToString(mac(key, body)), nil
}

// decodeToken checks the MAC with the tenant's key, then that the token
// was issued for this tenant and kind.
func (s *Service) decodeToken(ctx context.Context, tenant TenantID, kind ObjectKind, tok string) (deltaState, error) {
	var st deltaState
	enc := base64.RawURLEncoding
	b64, sig, ok := strings.Cut(tok, ".")
	if !ok {
		return st, &InvalidTokenError{Reason: "malformed"}
	}
	body, err1 := enc.DecodeString(b64)
	got, err2 := enc.DecodeString(sig)
	if err1 != nil || err2 != nil {
		return st, &InvalidTokenError{Reason: "malformed"}
	}
	key, err := s.deltaKey(ctx, tenant)
	if err != nil {
		return st, err
	}
	if !hmac.Equal(got, mac(key, body)) {
		return st, &InvalidTokenError{Reason: "altered or issued for another tenant"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return st, &InvalidTokenError{Reason: "malformed"}
	}
	if st.Tenant != tenant {
		return st, &InvalidTokenError{Reason: "not issued for this tenant"}
	}
	if st.Kind != kind {
		return st, &InvalidTokenError{Reason: "issued for another resource"}
	}
	return st, nil
}

func mac(key, body []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(body)
	return h.Sum(nil)[:macSize]
}
