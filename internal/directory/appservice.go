package directory

import (
	"context"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
)

// ErrAppsUnsupported says the store engine has no application tables yet.
var ErrAppsUnsupported = errors.New("this storage engine does not support applications yet")

// DefaultSecretLifetime is how long a new client secret is valid.
const DefaultSecretLifetime = 2 * 365 * 24 * time.Hour

const secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789~._-"

func newSecret() string {
	b := make([]byte, 40)
	rand.Read(b)
	for i := range b {
		// 256 is a multiple of 64 but not of 66; the slight bias toward
		// the first characters costs well under a bit of 240 bits.
		b[i] = secretAlphabet[int(b[i])%len(secretAlphabet)]
	}
	return string(b)
}

func hashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func (s *Service) appStore() (AppReader, error) {
	r, ok := s.store.(AppReader)
	if !ok {
		return nil, ErrAppsUnsupported
	}
	return r, nil
}

func appTx(tx Tx) (AppTx, error) {
	t, ok := tx.(AppTx)
	if !ok {
		return nil, ErrAppsUnsupported
	}
	return t, nil
}

// CreateApplication registers an application with the granted permissions
// and one client secret, which is returned in clear this once.
func (s *Service) CreateApplication(ctx context.Context, tenant TenantID, name string, roles []string) (Application, string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Application{}, "", &ValidationError{Property: "displayName", Reason: ReasonRequired}
	}
	if err := maxLen("displayName", name, MaxDisplayNameLen); err != nil {
		return Application{}, "", err
	}
	perms, err := normalizePermissions(roles)
	if err != nil {
		return Application{}, "", err
	}
	now := s.clock()
	secret := newSecret()
	a := Application{
		ID: NewObjectID(), AppID: uuid.NewString(), TenantID: tenant, DisplayName: name,
		Roles: perms, Enabled: true, ServicePrincipalID: NewObjectID(), CreatedAt: now,
		Secrets: []Secret{{KeyID: uuid.NewString(), Hint: secret[:3], Hash: hashSecret(secret),
			CreatedAt: now, ExpiresAt: now.Add(DefaultSecretLifetime)}},
	}
	err = s.update(ctx, tenant, func(tx Tx, log *changeLog) error {
		at, err := appTx(tx)
		if err != nil {
			return err
		}
		if _, err := tx.Tenant(ctx, tenant); err != nil {
			return err
		}
		if err := at.InsertApplication(ctx, a); err != nil {
			return err
		}
		log.add(KindApplication, a.ID, OpCreated, []string{"displayName", "roles", "passwordCredentials"})
		return nil
	})
	if err != nil {
		return Application{}, "", err
	}
	return a, secret, nil
}

// Application returns an application of the tenant by appId.
func (s *Service) Application(ctx context.Context, tenant TenantID, appID string) (Application, error) {
	r, err := s.appStore()
	if err != nil {
		return Application{}, err
	}
	return r.Application(ctx, tenant, appID)
}

// Applications lists a tenant's applications.
func (s *Service) Applications(ctx context.Context, tenant TenantID, page PageRequest) (Page[Application], error) {
	r, err := s.appStore()
	if err != nil {
		return Page[Application]{}, err
	}
	return r.Applications(ctx, tenant, page)
}

// changeApp reads the app inside a transaction, lets fn change it, and
// stores the result with one change row naming the changed properties.
func (s *Service) changeApp(ctx context.Context, tenant TenantID, appID string, props []string, fn func(a *Application) error) (Application, error) {
	var out Application
	err := s.update(ctx, tenant, func(tx Tx, log *changeLog) error {
		at, err := appTx(tx)
		if err != nil {
			return err
		}
		a, err := at.Application(ctx, tenant, appID)
		if err != nil {
			return err
		}
		if err := fn(&a); err != nil {
			return err
		}
		if err := at.ReplaceApplication(ctx, a); err != nil {
			return err
		}
		log.add(KindApplication, a.ID, OpUpdated, props)
		out = a
		return nil
	})
	return out, err
}

// AddSecret adds a client secret valid for lifetime (0: the default) and
// returns it in clear this once.
func (s *Service) AddSecret(ctx context.Context, tenant TenantID, appID string, lifetime time.Duration) (Secret, string, error) {
	if lifetime <= 0 {
		lifetime = DefaultSecretLifetime
	}
	secret := newSecret()
	now := s.clock()
	sec := Secret{KeyID: uuid.NewString(), Hint: secret[:3], Hash: hashSecret(secret), CreatedAt: now, ExpiresAt: now.Add(lifetime)}
	_, err := s.changeApp(ctx, tenant, appID, []string{"passwordCredentials"}, func(a *Application) error {
		a.Secrets = append(a.Secrets, sec)
		return nil
	})
	if err != nil {
		return Secret{}, "", err
	}
	return sec, secret, nil
}

// RevokeSecret removes the secret with keyID; an unknown keyID is
// *NotFoundError.
func (s *Service) RevokeSecret(ctx context.Context, tenant TenantID, appID, keyID string) error {
	_, err := s.changeApp(ctx, tenant, appID, []string{"passwordCredentials"}, func(a *Application) error {
		for i, sec := range a.Secrets {
			if strings.EqualFold(sec.KeyID, keyID) {
				a.Secrets = append(a.Secrets[:i], a.Secrets[i+1:]...)
				return nil
			}
		}
		return &NotFoundError{Kind: "secret", ID: keyID}
	})
	return err
}

// AddCertificate registers a PEM certificate whose key may sign client
// assertions. Its thumbprint is what clients send as x5t.
func (s *Service) AddCertificate(ctx context.Context, tenant TenantID, appID string, pemData []byte) (Certificate, error) {
	block, _ := pem.Decode(pemData)
	for block != nil && block.Type != "CERTIFICATE" {
		block, pemData = pem.Decode(pemData)
	}
	if block == nil {
		return Certificate{}, &ValidationError{Property: "certificate", Reason: ReasonInvalidValue, Detail: "no PEM CERTIFICATE block"}
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return Certificate{}, &ValidationError{Property: "certificate", Reason: ReasonInvalidValue, Detail: err.Error()}
	}
	sum := sha1.Sum(cert.Raw) // x5t is defined as the SHA-1 thumbprint (RFC 7515)
	c := Certificate{
		KeyID: uuid.NewString(), Thumbprint: base64.RawURLEncoding.EncodeToString(sum[:]),
		PEM:       string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})),
		CreatedAt: s.clock(), ExpiresAt: cert.NotAfter.UTC().Truncate(time.Microsecond),
	}
	_, err = s.changeApp(ctx, tenant, appID, []string{"keyCredentials"}, func(a *Application) error {
		for _, old := range a.Certificates {
			if old.Thumbprint == c.Thumbprint {
				return &ConflictError{Property: "keyCredentials", Value: c.Thumbprint}
			}
		}
		a.Certificates = append(a.Certificates, c)
		return nil
	})
	return c, err
}

// SetRoles replaces the application's granted permissions.
func (s *Service) SetRoles(ctx context.Context, tenant TenantID, appID string, roles []string) (Application, error) {
	perms, err := normalizePermissions(roles)
	if err != nil {
		return Application{}, err
	}
	return s.changeApp(ctx, tenant, appID, []string{"roles"}, func(a *Application) error {
		a.Roles = perms
		return nil
	})
}

// SetEnabled enables or disables an application; a disabled one gets no
// tokens and its tokens stop working.
func (s *Service) SetEnabled(ctx context.Context, tenant TenantID, appID string, enabled bool) (Application, error) {
	return s.changeApp(ctx, tenant, appID, []string{"accountEnabled"}, func(a *Application) error {
		a.Enabled = enabled
		return nil
	})
}

// DeleteApplication removes an application for good; its tokens stop
// working.
func (s *Service) DeleteApplication(ctx context.Context, tenant TenantID, appID string) error {
	return s.update(ctx, tenant, func(tx Tx, log *changeLog) error {
		at, err := appTx(tx)
		if err != nil {
			return err
		}
		a, err := at.Application(ctx, tenant, appID)
		if err != nil {
			return err
		}
		if err := at.DeleteApplication(ctx, tenant, a.ID); err != nil {
			return err
		}
		log.add(KindApplication, a.ID, OpHardDeleted, nil)
		return nil
	})
}
