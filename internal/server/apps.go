package server

import (
	"context"
	"errors"
	"fmt"
	"os"

	"groupd/internal/auth"
	"groupd/internal/directory"
	"groupd/internal/store"
)

// StoreRef names the store an administration command opens: the SQLite
// file in DataDir, or DatabaseURL.
type StoreRef struct {
	DataDir, DatabaseURL string
}

// withService opens the store, runs fn with a Service over it and closes
// the store. It works beside a running server on the same store.
func withService(ctx context.Context, ref StoreRef, fn func(svc *directory.Service) error) (err error) {
	st, err := store.Open(ctx, ref.DataDir, ref.DatabaseURL)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer func() {
		if cerr := st.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close store: %w", cerr))
		}
	}()
	return fn(directory.New(st))
}

// CreateTenant adds a tenant with one verified domain.
func CreateTenant(ctx context.Context, ref StoreRef, name, domain string) (t directory.Tenant, err error) {
	err = withService(ctx, ref, func(svc *directory.Service) error {
		t, err = svc.CreateTenant(ctx, name, domain)
		return err
	})
	return t, err
}

// Tenants lists every tenant (administration lists are small; pages are
// followed to the end).
func Tenants(ctx context.Context, ref StoreRef) (out []directory.Tenant, err error) {
	err = withService(ctx, ref, func(svc *directory.Service) error {
		page := directory.PageRequest{Top: 500}
		for {
			p, err := svc.Tenants(ctx, page)
			if err != nil {
				return err
			}
			out = append(out, p.Items...)
			if p.Next == "" {
				return nil
			}
			page.After = p.Next
		}
	})
	return out, err
}

// AppCommand is one application administration step, run with the tenant
// resolved (tenant id, verified domain, or "" for the default tenant).
func AppCommand(ctx context.Context, ref StoreRef, tenant string, fn func(svc *directory.Service, t directory.TenantID) error) error {
	return withService(ctx, ref, func(svc *directory.Service) error {
		t, err := findTenant(ctx, svc, tenant, "")
		if err != nil {
			return err
		}
		return fn(svc, t)
	})
}

// Applications lists a tenant's applications.
func Applications(ctx context.Context, svc *directory.Service, t directory.TenantID) ([]directory.Application, error) {
	var out []directory.Application
	page := directory.PageRequest{Top: 500}
	for {
		p, err := svc.Applications(ctx, t, page)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Items...)
		if p.Next == "" {
			return out, nil
		}
		page.After = p.Next
	}
}

// RotateKeys adds a new token signing key; the old one stays published
// until the tokens it signed have expired. Running servers pick the new
// key up within a minute.
func RotateKeys(ctx context.Context, ref StoreRef) (k directory.SigningKey, err error) {
	err = withService(ctx, ref, func(svc *directory.Service) error {
		if _, err := svc.SigningKeys(ctx); err != nil { // a first key to retire, on a new store
			return err
		}
		k, err = svc.RotateSigningKeys(ctx, auth.KeepRetiredKeys)
		return err
	})
	return k, err
}

// ReadPEM reads a certificate file for `app cert add`.
func ReadPEM(path string) ([]byte, error) { return os.ReadFile(path) }
