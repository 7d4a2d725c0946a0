package auth

import (
	"context"

	"groupd/internal/directory"
)

// Principal is an authenticated caller within one tenant.
type Principal struct {
	TenantID directory.TenantID
	Kind     directory.ActorKind
	ID       string
	Name     string
	// IsAdmin: a Global Administrator may read and change everything in its
	// tenant; other users may only read.
	IsAdmin bool
}

// Actor is the principal as the change log records it.
func (p Principal) Actor() directory.Actor {
	return directory.Actor{Kind: p.Kind, ID: p.ID, Name: p.Name}
}

// CanRead reports whether the principal may read the directory.
func (p Principal) CanRead() bool { return p.ID != "" }

// CanWrite reports whether the principal may change the directory.
func (p Principal) CanWrite() bool { return p.IsAdmin }

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal of the request.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
