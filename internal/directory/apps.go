package directory

import (
	"context"
	"slices"
	"strings"
	"time"
)

// KindApplication and KindServicePrincipal name the objects of machine
// clients in change log rows and in owner references.
const (
	KindApplication      ObjectKind = "application"
	KindServicePrincipal ObjectKind = "servicePrincipal"
	KindSigningKey       ObjectKind = "signingKey"
)

// Permission is an application permission (an app role of Microsoft Graph),
// granted to an application and carried in its tokens' roles claim.
type Permission string

// The application permissions groupd knows.
const (
	PermGroupReadAll            Permission = "Group.Read.All"
	PermGroupReadWriteAll       Permission = "Group.ReadWrite.All"
	PermGroupMemberReadAll      Permission = "GroupMember.Read.All"
	PermGroupMemberReadWriteAll Permission = "GroupMember.ReadWrite.All"
	PermGroupCreate             Permission = "Group.Create"
	PermUserReadAll             Permission = "User.Read.All"
	PermUserReadWriteAll        Permission = "User.ReadWrite.All"
	PermUserInviteAll           Permission = "User.Invite.All"
	PermDirectoryReadAll        Permission = "Directory.Read.All"
	PermDirectoryReadWriteAll   Permission = "Directory.ReadWrite.All"
	PermAuditLogReadAll         Permission = "AuditLog.Read.All"
)

// Permissions lists every known permission, in a stable order.
var Permissions = []Permission{
	PermGroupReadAll, PermGroupReadWriteAll, PermGroupMemberReadAll, PermGroupMemberReadWriteAll,
	PermGroupCreate, PermUserReadAll, PermUserReadWriteAll, PermDirectoryReadAll,
	PermDirectoryReadWriteAll, PermAuditLogReadAll, PermUserInviteAll,
}

// ParsePermission returns the canonical spelling of a known permission,
// matched case-insensitively (Entra compares role values that way).
func ParsePermission(s string) (Permission, bool) {
	for _, p := range Permissions {
		if strings.EqualFold(string(p), strings.TrimSpace(s)) {
			return p, true
		}
	}
	return "", false
}

// normalizePermissions validates, deduplicates and sorts granted permissions.
func normalizePermissions(in []string) ([]Permission, error) {
	out := make([]Permission, 0, len(in))
	for _, s := range in {
		p, ok := ParsePermission(s)
		if !ok {
			return nil, &ValidationError{Property: "roles", Reason: ReasonInvalidValue,
				Detail: "unknown permission " + strings.TrimSpace(s)}
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out, nil
}

// Application is a registered machine client of one tenant. AppID is the
// client id it authenticates with; ServicePrincipalID is the directory
// object that acts for it (the oid of its tokens, the owner of the groups it
// creates).
type Application struct {
	ID                 ObjectID
	AppID              string
	TenantID           TenantID
	DisplayName        string
	Roles              []Permission
	Enabled            bool
	ServicePrincipalID ObjectID
	CreatedAt          time.Time
	Secrets            []Secret
	Certificates       []Certificate
}

// HasRole reports whether the application was granted p.
func (a Application) HasRole(p Permission) bool { return slices.Contains(a.Roles, p) }

// Secret is a client secret credential. Only a hash of the secret is kept:
// secrets are 40 random characters, so a fast hash is as safe as a slow one
// and keeps the token endpoint cheap.
type Secret struct {
	KeyID     string
	Hint      string // the first three characters, as Entra shows them
	Hash      string // hex SHA-256 of the secret
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Certificate is a public key credential for client assertions.
type Certificate struct {
	KeyID      string
	Thumbprint string // base64url SHA-1 of the DER certificate: the x5t a client sends
	PEM        string
	CreatedAt  time.Time
	ExpiresAt  time.Time // the certificate's NotAfter
}

// SigningKey is a private key that signs access tokens. Keys live in the
// database so that every instance signs and verifies with the same set.
type SigningKey struct {
	ID        string // the kid
	PEM       string // PKCS#8 private key
	CreatedAt time.Time
	// RetiredAt is when a newer key replaced it; nil for the active key. A
	// retired key still verifies (and is published) until the tokens it
	// signed have expired.
	RetiredAt *time.Time
}

// AppReader is the store's read side for applications and signing keys.
// It is an optional interface of the Store until every engine has it.
type AppReader interface {
	// Application returns the application with that appId in the tenant,
	// with its secrets and certificates; another tenant's app is
	// *NotFoundError as if it did not exist.
	Application(ctx context.Context, tenant TenantID, appID string) (Application, error)
	// Applications lists a tenant's applications ordered by object id.
	Applications(ctx context.Context, tenant TenantID, page PageRequest) (Page[Application], error)
	// ServicePrincipals resolves service principal ids of the tenant to
	// their applications; unknown ids are left out.
	ServicePrincipals(ctx context.Context, tenant TenantID, ids []ObjectID) ([]Application, error)
	// SigningKeys returns every stored signing key, newest first (a handful).
	SigningKeys(ctx context.Context) ([]SigningKey, error)
	// AppOwners returns the applications whose service principals own the
	// group (a handful at most).
	AppOwners(ctx context.Context, tenant TenantID, group ObjectID) ([]Application, error)
}

// AppTx is the write side, used inside Store.Update.
type AppTx interface {
	AppReader
	// InsertApplication stores the app with its credentials; a taken appId
	// is *ConflictError naming appId.
	InsertApplication(ctx context.Context, a Application) error
	// ReplaceApplication replaces every property and credential of the app
	// with that object id.
	ReplaceApplication(ctx context.Context, a Application) error
	// DeleteApplication removes the app, its credentials and its service
	// principal's ownerships.
	DeleteApplication(ctx context.Context, tenant TenantID, id ObjectID) error
	InsertSigningKey(ctx context.Context, k SigningKey) error
	// RetireSigningKeys marks every active key retired at at.
	RetireSigningKeys(ctx context.Context, at time.Time) error
	// DeleteSigningKeys removes keys retired before the given time.
	DeleteSigningKeys(ctx context.Context, retiredBefore time.Time) error
}

// TenantLister is the optional store method that lists tenants, ordered by
// id, each with its domains.
type TenantLister interface {
	Tenants(ctx context.Context, page PageRequest) (Page[Tenant], error)
}
