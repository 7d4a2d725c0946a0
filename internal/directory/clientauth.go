package directory

import (
	"context"
	"crypto/subtle"
	"errors"
)

// ClientReason says why a client could not authenticate.
type ClientReason string

const (
	// ClientInvalid covers an unknown app, a wrong secret or assertion and
	// an app of another tenant alike, so that a failure never tells whether
	// an appId exists anywhere.
	ClientInvalid  ClientReason = "invalidClient"
	ClientDisabled ClientReason = "disabled"
)

// ClientError is a failed client authentication; it matches ErrUnauthorized.
type ClientError struct{ Reason ClientReason }

func (e *ClientError) Error() string        { return "client authentication failed: " + string(e.Reason) }
func (e *ClientError) Is(target error) bool { return target == ErrUnauthorized }

// ClientApplication returns the enabled application a client names, for a
// client assertion to be checked against its certificates. An unknown app
// (also one of another tenant) is *ClientError ClientInvalid; a disabled
// one is returned together with *ClientError ClientDisabled, so that the
// caller can check the client's proof before telling it so.
func (s *Service) ClientApplication(ctx context.Context, tenant TenantID, appID string) (Application, error) {
	r, err := s.appStore()
	if err != nil {
		return Application{}, err
	}
	a, err := r.Application(ctx, tenant, appID)
	if errors.Is(err, ErrNotFound) {
		return Application{}, &ClientError{Reason: ClientInvalid}
	}
	if err != nil {
		return Application{}, err
	}
	if !a.Enabled {
		return a, &ClientError{Reason: ClientDisabled}
	}
	return a, nil
}

// AuthenticateClient checks a client secret. Every secret of the app is
// compared in constant time, expired ones never match; whatever failed,
// the error is the same *ClientError, except for a disabled app with a
// right secret (Entra answers that case with its own code).
func (s *Service) AuthenticateClient(ctx context.Context, tenant TenantID, appID, secret string) (Application, error) {
	r, err := s.appStore()
	if err != nil {
		return Application{}, err
	}
	a, err := r.Application(ctx, tenant, appID)
	if errors.Is(err, ErrNotFound) {
		return Application{}, &ClientError{Reason: ClientInvalid}
	}
	if err != nil {
		return Application{}, err
	}
	got := []byte(hashSecret(secret))
	now := s.clock()
	match := 0
	for _, sec := range a.Secrets {
		ok := subtle.ConstantTimeCompare(got, []byte(sec.Hash))
		if now.Before(sec.ExpiresAt) {
			match |= ok
		}
	}
	if match != 1 {
		return Application{}, &ClientError{Reason: ClientInvalid}
	}
	if !a.Enabled {
		return Application{}, &ClientError{Reason: ClientDisabled}
	}
	return a, nil
}
