package directory

import "time"

// Tenant is an isolated directory with its verified domains.
type Tenant struct {
	ID          TenantID
	DisplayName string
	Domains     []Domain
	IsDefault   bool
	CreatedAt   time.Time
}

// Domain is a DNS name verified for a tenant; user principal names and group
// mail addresses must end in one of them.
type Domain struct {
	Name      string
	IsDefault bool
	IsInitial bool
}

// DefaultDomain returns the tenant's default domain name.
func (t Tenant) DefaultDomain() string {
	for _, d := range t.Domains {
		if d.IsDefault {
			return d.Name
		}
	}
	if len(t.Domains) > 0 {
		return t.Domains[0].Name
	}
	return ""
}

// HasDomain reports whether name is a verified domain of the tenant,
// case-insensitively.
func (t Tenant) HasDomain(name string) bool {
	for _, d := range t.Domains {
		if foldKey(d.Name) == foldKey(name) {
			return true
		}
	}
	return false
}

// User is a person (or account) in a tenant. Empty strings mean "not set".
type User struct {
	ID                       ObjectID
	TenantID                 TenantID
	DisplayName              string
	GivenName                string
	Surname                  string
	UserPrincipalName        string
	MailNickname             string
	Mail                     string
	AccountEnabled           bool
	JobTitle                 string
	Department               string
	OfficeLocation           string
	MobilePhone              string
	PreferredLanguage        string
	BusinessPhones           []string
	OtherMails               []string
	OnPremisesSamAccountName string
	// UserType is UserTypeMember or UserTypeGuest. Guests are kept out of
	// Microsoft 365 groups by the tenant's Group.Unified setting.
	UserType string
	// ManagerID is the user's manager, "" for none. It may name a user
	// who is deleted, and then reads as none until a restore.
	ManagerID ObjectID
	// PasswordHash is a salted slow hash (see password.go); empty when the
	// user cannot sign in with a password.
	PasswordHash string
	// IsAdmin marks a Global Administrator: may read and change everything
	// in its tenant.
	IsAdmin   bool
	CreatedAt time.Time
	DeletedAt *time.Time
}

// Group is a security group or a Microsoft 365 ("Unified") group.
type Group struct {
	ID                            ObjectID
	TenantID                      TenantID
	DisplayName                   string
	Description                   string
	MailNickname                  string
	MailEnabled                   bool
	SecurityEnabled               bool
	GroupTypes                    []string
	Visibility                    string
	Classification                string
	Mail                          string
	ProxyAddresses                []string
	MembershipRule                string
	MembershipRuleProcessingState string
	IsAssignableToRole            bool
	SecurityIdentifier            string
	CreatedAt                     time.Time
	RenewedAt                     time.Time
	ExpirationAt                  *time.Time
	DeletedAt                     *time.Time

	// Members is filled only when a read asked to expand members; it holds
	// at most the requested number of members.
	Members []Object

	// Revision is nonzero when the value came from this process's read
	// cache: reads that return the same nonzero Revision returned the
	// same value, so what a caller derived from one (an encoding, say)
	// holds for the other. Stores leave it zero.
	Revision uint64
}

// User types as Microsoft Graph spells them.
const (
	UserTypeMember = "Member"
	UserTypeGuest  = "Guest"
)

// IsGuest reports whether u is a guest user.
func (u User) IsGuest() bool { return u.UserType == UserTypeGuest }

// Group types and visibilities as Microsoft Graph spells them.
const (
	GroupTypeUnified           = "Unified"
	GroupTypeDynamicMembership = "DynamicMembership"

	VisibilityPrivate          = "Private"
	VisibilityPublic           = "Public"
	VisibilityHiddenMembership = "HiddenMembership"
)

// IsUnified reports whether g is a Microsoft 365 group.
func (g Group) IsUnified() bool { return hasFold(g.GroupTypes, GroupTypeUnified) }

// IsMailEnabledSecurity reports whether g is a mail-enabled security group,
// which may not contain other groups.
func (g Group) IsMailEnabledSecurity() bool {
	return g.MailEnabled && g.SecurityEnabled && !g.IsUnified()
}

// Object is a directory object; exactly one field is set. A service
// principal appears only among a group's owners.
type Object struct {
	User             *User
	Group            *Group
	ServicePrincipal *ServicePrincipal
}

// ID returns the object's id.
func (o Object) ID() ObjectID {
	if o.User != nil {
		return o.User.ID
	}
	if o.Group != nil {
		return o.Group.ID
	}
	if o.ServicePrincipal != nil {
		return o.ServicePrincipal.ID
	}
	return ""
}

// Kind returns KindUser, KindGroup or KindServicePrincipal.
func (o Object) Kind() ObjectKind {
	if o.User != nil {
		return KindUser
	}
	if o.ServicePrincipal != nil {
		return KindServicePrincipal
	}
	return KindGroup
}

// Actor is who made a change: a user, an application or groupd itself.
type Actor struct {
	Kind ActorKind
	ID   string
	Name string
}

// ActorKind says what kind of principal an Actor is.
type ActorKind string

const (
	ActorUser   ActorKind = "user"
	ActorApp    ActorKind = "app"
	ActorSystem ActorKind = "system"
)

func hasFold(list []string, v string) bool {
	for _, s := range list {
		if foldKey(s) == foldKey(v) {
			return true
		}
	}
	return false
}
