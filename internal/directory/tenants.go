package directory

import (
	"context"
	"errors"
	"strings"
)

// BootstrapResult tells what the first start created.
type BootstrapResult struct {
	Tenant Tenant
	Admin  User
	// Created is false when the default tenant already existed; nothing was
	// changed then.
	Created bool
	// GeneratedPassword is the admin password when none was given; shown once.
	GeneratedPassword string
}

// AdminLogin is the onPremisesSamAccountName of the bootstrap administrator.
const AdminLogin = "admin"

// Bootstrap creates the default tenant with the verified domain and the
// admin user, unless a default tenant exists. adminPassword "" generates one.
func (s *Service) Bootstrap(ctx context.Context, domain, adminPassword string) (BootstrapResult, error) {
	if t, err := s.store.DefaultTenant(ctx); err == nil {
		admin, err := s.store.UserBySamAccountName(ctx, t.ID, AdminLogin)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return BootstrapResult{}, err
		}
		return BootstrapResult{Tenant: t, Admin: admin}, nil
	} else if !errors.Is(err, ErrNotFound) {
		return BootstrapResult{}, err
	}
	res := BootstrapResult{Created: true}
	if adminPassword == "" {
		adminPassword = GeneratePassword()
		res.GeneratedPassword = adminPassword
	}
	hash, err := hashPassword(adminPassword, s.passwordCost)
	if err != nil {
		return BootstrapResult{}, err
	}
	t, err := s.newTenant(strings.TrimSuffix(domain, "."), domain)
	if err != nil {
		return BootstrapResult{}, err
	}
	t.IsDefault = true
	now := s.clock()
	admin := User{
		ID: NewObjectID(), TenantID: t.ID, DisplayName: "Admin",
		UserPrincipalName: AdminLogin + "@" + t.DefaultDomain(), MailNickname: AdminLogin,
		Mail: AdminLogin + "@" + t.DefaultDomain(), AccountEnabled: true,
		OnPremisesSamAccountName: AdminLogin, PasswordHash: hash, IsAdmin: true, CreatedAt: now,
	}
	err = s.update(ctx, t.ID, func(tx Tx, log *changeLog) error {
		if err := tx.InsertTenant(ctx, t); err != nil {
			return err
		}
		log.add("tenant", ObjectID(t.ID), OpCreated, nil)
		if err := tx.InsertUser(ctx, admin); err != nil {
			return err
		}
		log.add(KindUser, admin.ID, OpCreated, userProps)
		return nil
	})
	if err != nil {
		return BootstrapResult{}, err
	}
	res.Tenant, res.Admin = t, admin
	return res, nil
}

// CreateTenant adds a tenant with one verified domain, which must not be
// verified by another tenant.
func (s *Service) CreateTenant(ctx context.Context, name, domain string) (Tenant, error) {
	t, err := s.newTenant(name, domain)
	if err != nil {
		return Tenant{}, err
	}
	err = s.update(ctx, t.ID, func(tx Tx, log *changeLog) error {
		if _, err := tx.TenantByDomain(ctx, domain); err == nil {
			return &ConflictError{Property: "domain", Value: domain}
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		if err := tx.InsertTenant(ctx, t); err != nil {
			return err
		}
		log.add("tenant", ObjectID(t.ID), OpCreated, nil)
		return nil
	})
	return t, err
}

func (s *Service) newTenant(name, domain string) (Tenant, error) {
	domain = strings.ToLower(strings.TrimSpace(domain))
	if err := validDomain(domain); err != nil {
		return Tenant{}, err
	}
	if strings.TrimSpace(name) == "" {
		name = domain
	}
	if err := maxLen("displayName", name, MaxDisplayNameLen); err != nil {
		return Tenant{}, err
	}
	return Tenant{
		ID: NewTenantID(), DisplayName: name, CreatedAt: s.clock(),
		Domains: []Domain{{Name: domain, IsDefault: true, IsInitial: true}},
	}, nil
}

func validDomain(d string) error {
	if d == "" || len(d) > 253 || !strings.Contains(d, ".") || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") {
		return &ValidationError{Property: "domain", Reason: ReasonInvalidValue, Detail: "a DNS name such as example.org"}
	}
	for _, r := range d {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return &ValidationError{Property: "domain", Reason: ReasonInvalidChars, Detail: "a DNS name such as example.org"}
		}
	}
	return nil
}

// Tenant returns a tenant by id.
func (s *Service) Tenant(ctx context.Context, id TenantID) (Tenant, error) {
	return s.store.Tenant(ctx, id)
}

// OwnTenant returns the caller's tenant when key is its id (in any case);
// any other key is not found, so that a caller learns nothing of other
// tenants.
func (s *Service) OwnTenant(ctx context.Context, caller TenantID, key string) (Tenant, error) {
	if !strings.EqualFold(key, string(caller)) {
		return Tenant{}, &NotFoundError{ID: key}
	}
	return s.store.Tenant(ctx, caller)
}

// TenantByDomain returns the tenant that verified domain.
func (s *Service) TenantByDomain(ctx context.Context, domain string) (Tenant, error) {
	return s.store.TenantByDomain(ctx, domain)
}

// DefaultTenant returns the tenant made at first start.
func (s *Service) DefaultTenant(ctx context.Context) (Tenant, error) {
	return s.store.DefaultTenant(ctx)
}

// Authenticate checks a Basic-auth login: a userPrincipalName in any tenant,
// or an onPremisesSamAccountName in the default tenant. Every failure is
// ErrUnauthorized, so callers cannot learn which part was wrong.
func (s *Service) Authenticate(ctx context.Context, login, password string) (User, error) {
	u, err := s.userForLogin(ctx, login)
	if errors.Is(err, ErrNotFound) {
		return User{}, ErrUnauthorized
	}
	if err != nil {
		return User{}, err
	}
	if !u.AccountEnabled || !passwordMatches(u.PasswordHash, password) {
		return User{}, ErrUnauthorized
	}
	return u, nil
}

func (s *Service) userForLogin(ctx context.Context, login string) (User, error) {
	if _, domain, ok := strings.Cut(login, "@"); ok {
		t, err := s.store.TenantByDomain(ctx, domain)
		if err != nil {
			return User{}, err
		}
		return s.store.UserByUPN(ctx, t.ID, login)
	}
	t, err := s.store.DefaultTenant(ctx)
	if err != nil {
		return User{}, err
	}
	return s.store.UserBySamAccountName(ctx, t.ID, login)
}

// Tenants lists tenants for administration.
func (s *Service) Tenants(ctx context.Context, page PageRequest) (Page[Tenant], error) {
	l, ok := s.store.(TenantLister)
	if !ok {
		return Page[Tenant]{}, ErrAppsUnsupported
	}
	return l.Tenants(ctx, page)
}
