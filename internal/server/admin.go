package server

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"groupd/internal/directory"
	"groupd/internal/store"
)

// NewUser is what `groupd user create` asks for.
type NewUser struct {
	StoreRef
	// Tenant is a tenant id or one of its verified domains. "" picks the
	// tenant that verified the UPN's domain, else the default tenant.
	Tenant      string
	UPN         string
	Password    string
	DisplayName string // "" uses the part of the UPN before the @
	Admin       bool   // a Global Administrator of the tenant
	Guest       bool   // userType Guest
}

// CreateUser adds a user that can sign in with HTTP Basic. It opens the
// store itself, so it works beside a running server on the same data dir
// (SQLite in WAL mode) or database.
func CreateUser(ctx context.Context, nu NewUser) (u directory.User, err error) {
	err = withService(ctx, nu.StoreRef, func(svc *directory.Service) error {
		tenant, err := findTenant(ctx, svc, nu.Tenant, nu.UPN)
		if err != nil {
			return err
		}
		alias, _, _ := strings.Cut(nu.UPN, "@")
		display := nu.DisplayName
		if display == "" {
			display = alias
		}
		enabled := true
		var admin *bool // only a granted role is recorded as a set property
		if nu.Admin {
			admin = &nu.Admin
		}
		var userType *string
		if nu.Guest {
			guest := directory.UserTypeGuest
			userType = &guest
		}
		u, err = svc.CreateUser(ctx, tenant, directory.UserFields{
			UserType:          userType,
			AccountEnabled:    &enabled,
			DisplayName:       &display,
			MailNickname:      &alias,
			UserPrincipalName: &nu.UPN,
			Password:          &nu.Password,
			IsAdmin:           admin,
		}, directory.Policy{})
		return err
	})
	return u, err
}

// PasswordReset is what `groupd user password` asks for.
type PasswordReset struct {
	StoreRef
	Tenant string // as NewUser.Tenant
	UPN    string // or the user's id or account name
	// Password is the new password; "" makes one (directory.GeneratePassword).
	Password string
}

// ResetPassword sets a user's password, as an operator with access to the
// database may, for instance when the administrator's password is lost.
// Like CreateUser it works beside a running server, which drops the
// user's cached sign-ins when it reads the change log (within 100 ms on
// SQLite). It returns the user and the password set.
func ResetPassword(ctx context.Context, pr PasswordReset) (u directory.User, password string, err error) {
	password = pr.Password
	if password == "" {
		password = directory.GeneratePassword()
	}
	err = withService(ctx, pr.StoreRef, func(svc *directory.Service) error {
		tenant, err := findTenant(ctx, svc, pr.Tenant, pr.UPN)
		if err != nil {
			return err
		}
		// By id, UPN or account name: the bootstrap administrator signs
		// in as "admin".
		u, err = svc.UserByLogin(ctx, tenant, pr.UPN)
		if errors.Is(err, directory.ErrNotFound) {
			return fmt.Errorf("no user %q in tenant %s", pr.UPN, tenant)
		}
		if err != nil {
			return err
		}
		u, err = svc.UpdateUser(ctx, tenant, string(u.ID), directory.UserFields{Password: &password})
		return err
	})
	if err != nil {
		return directory.User{}, "", err
	}
	return u, password, nil
}

// errNoTenant tells the operator what to do on a data dir never served.
var errNoTenant = errors.New("the directory has no default tenant yet: run `groupd serve` once first")

func findTenant(ctx context.Context, svc *directory.Service, key, upn string) (directory.TenantID, error) {
	if key != "" {
		var t directory.Tenant
		var err error
		if id, ok := directory.ParseTenantID(key); ok {
			t, err = svc.Tenant(ctx, id)
		} else {
			t, err = svc.TenantByDomain(ctx, key)
		}
		if errors.Is(err, directory.ErrNotFound) {
			return "", fmt.Errorf("no tenant %q", key)
		}
		return t.ID, err
	}
	if _, domain, ok := strings.Cut(upn, "@"); ok && domain != "" {
		t, err := svc.TenantByDomain(ctx, domain)
		if err == nil {
			return t.ID, nil
		}
		if !errors.Is(err, directory.ErrNotFound) {
			return "", err
		}
	}
	t, err := svc.DefaultTenant(ctx)
	if errors.Is(err, directory.ErrNotFound) {
		return "", errNoTenant
	}
	return t.ID, err
}

// SchemaStatus is what `groupd migrate` reports.
type SchemaStatus struct {
	Engine   string `json:"engine"`   // "sqlite" or "postgres"
	Location string `json:"location"` // the SQLite file, or the database URL without its password
	// Version is the schema version now in place, when the engine tells.
	Version int64 `json:"schemaVersion,omitempty"`
	// The audit log's file and its schema version, for SQLite, which
	// keeps the audit log in a file of its own.
	AuditLocation string `json:"auditLocation,omitempty"`
	AuditVersion  int64  `json:"auditSchemaVersion,omitempty"`
	Status        string `json:"status"`
}

// schemaVersioner is the optional store method that reports the applied
// schema version; auditSchemaVersioner that of a separate audit log file.
type schemaVersioner interface {
	SchemaVersion(ctx context.Context) (int64, error)
}

type auditSchemaVersioner interface {
	AuditSchema(ctx context.Context) (path string, version int64, err error)
}

// Migrate opens the store, which applies pending migrations (refusing a
// schema newer than this binary), and reports where the schema now stands.
func Migrate(ctx context.Context, dataDir, databaseURL string) (s SchemaStatus, err error) {
	st, err := store.Open(ctx, dataDir, databaseURL)
	if err != nil {
		return SchemaStatus{}, fmt.Errorf("open store: %w", err)
	}
	defer func() {
		if cerr := st.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close store: %w", cerr))
		}
	}()
	s = SchemaStatus{Engine: "sqlite", Location: databaseURL, Status: "up to date"}
	if databaseURL == "" || databaseURL == "sqlite" {
		s.Location = filepath.Join(dataDir, store.DefaultFile)
	} else if u, perr := url.Parse(databaseURL); perr == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		s.Engine, s.Location = "postgres", u.Redacted()
	}
	if v, ok := st.(schemaVersioner); ok {
		if s.Version, err = v.SchemaVersion(ctx); err != nil {
			return SchemaStatus{}, fmt.Errorf("read schema version: %w", err)
		}
	}
	if v, ok := st.(auditSchemaVersioner); ok {
		if s.AuditLocation, s.AuditVersion, err = v.AuditSchema(ctx); err != nil {
			return SchemaStatus{}, fmt.Errorf("read the audit log's schema version: %w", err)
		}
	}
	return s, nil
}
