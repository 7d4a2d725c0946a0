package directory

import (
	"context"
	"errors"
	"strings"
)

// UserFields carries user properties to set; a nil field is left alone (on
// create: not given).
type UserFields struct {
	DisplayName              *string
	GivenName                *string
	Surname                  *string
	UserPrincipalName        *string
	MailNickname             *string
	Mail                     *string
	AccountEnabled           *bool
	JobTitle                 *string
	Department               *string
	OfficeLocation           *string
	MobilePhone              *string
	PreferredLanguage        *string
	BusinessPhones           *[]string
	OtherMails               *[]string
	OnPremisesSamAccountName *string
	UserType                 *string
	Password                 *string
	// IsAdmin grants or revokes Global Administrator; no dialect maps a wire
	// property to it, only the command line does.
	IsAdmin *bool
	// FollowAccountName makes a change of OnPremisesSamAccountName carry
	// the names derived from the old one (CreateUser's DeriveDefaults):
	// userPrincipalName (sam@domain, its domain kept) and mailNickname
	// (sam), each only while it still holds the derived value and only
	// where the new name forms a valid one. Decided inside the update's
	// transaction, so a name set meanwhile by another caller stays.
	FollowAccountName bool
}

// userProps names the properties recorded for a created user.
var userProps = []string{"displayName", "userPrincipalName", "mailNickname", "accountEnabled"}

// CreateUser validates and stores a new user. Without p.DeriveDefaults the
// Microsoft Graph rule holds: accountEnabled, displayName, mailNickname,
// password and userPrincipalName are required. With it, only displayName and
// onPremisesSamAccountName are, and the rest is derived from the sam name.
func (s *Service) CreateUser(ctx context.Context, tenant TenantID, f UserFields, p Policy) (User, error) {
	t, err := s.store.Tenant(ctx, tenant)
	if err != nil {
		return User{}, err
	}
	u := User{ID: NewObjectID(), TenantID: tenant, UserType: UserTypeMember, CreatedAt: s.clock()}
	if p.DeriveDefaults {
		if f.OnPremisesSamAccountName == nil {
			return User{}, &ValidationError{Property: "onPremisesSamAccountName", Reason: ReasonRequired}
		}
		sam := *f.OnPremisesSamAccountName
		if err := validSam(sam); err != nil {
			return User{}, err
		}
		u.AccountEnabled = true
		u.UserPrincipalName = sam + "@" + t.DefaultDomain()
		u.MailNickname = sam
	} else {
		for _, req := range []struct {
			name  string
			given bool
		}{
			{"accountEnabled", f.AccountEnabled != nil},
			{"displayName", f.DisplayName != nil},
			{"mailNickname", f.MailNickname != nil},
			{"passwordProfile", f.Password != nil},
			{"userPrincipalName", f.UserPrincipalName != nil},
		} {
			if !req.given {
				return User{}, &ValidationError{Property: req.name, Reason: ReasonRequired}
			}
		}
	}
	if f.DisplayName == nil {
		return User{}, &ValidationError{Property: "displayName", Reason: ReasonRequired}
	}
	if err := s.applyUserFields(t, &u, f); err != nil {
		return User{}, err
	}
	err = s.update(ctx, tenant, func(tx Tx, log *changeLog) error {
		if err := tx.InsertUser(ctx, u); err != nil {
			return err
		}
		log.add(KindUser, u.ID, OpCreated, setUserProps(f))
		return nil
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}

// applyUserFields validates f and writes it into u.
func (s *Service) applyUserFields(t Tenant, u *User, f UserFields) error {
	str := func(dst *string, v *string, prop string, limit int, req bool) error {
		if v == nil {
			return nil
		}
		if req {
			if err := required(prop, *v); err != nil {
				return err
			}
		}
		if err := maxLen(prop, *v, limit); err != nil {
			return err
		}
		*dst = *v
		return nil
	}
	err := firstErr(
		str(&u.DisplayName, f.DisplayName, "displayName", MaxDisplayNameLen, true),
		str(&u.GivenName, f.GivenName, "givenName", MaxNameLen, false),
		str(&u.Surname, f.Surname, "surname", MaxNameLen, false),
		str(&u.JobTitle, f.JobTitle, "jobTitle", MaxJobTitleLen, false),
		str(&u.Department, f.Department, "department", MaxNameLen, false),
		str(&u.OfficeLocation, f.OfficeLocation, "officeLocation", 128, false),
		str(&u.MobilePhone, f.MobilePhone, "mobilePhone", 64, false),
		str(&u.PreferredLanguage, f.PreferredLanguage, "preferredLanguage", 16, false),
	)
	if err != nil {
		return err
	}
	if f.UserPrincipalName != nil {
		if err := validUPN(t, *f.UserPrincipalName); err != nil {
			return err
		}
		u.UserPrincipalName = *f.UserPrincipalName
	}
	if f.MailNickname != nil {
		if err := validMailNickname(*f.MailNickname); err != nil {
			return err
		}
		u.MailNickname = *f.MailNickname
	}
	if f.Mail != nil {
		if *f.Mail != "" {
			if err := validMail("mail", *f.Mail); err != nil {
				return err
			}
		}
		u.Mail = *f.Mail
	}
	if f.OnPremisesSamAccountName != nil {
		if err := validSam(*f.OnPremisesSamAccountName); err != nil {
			return err
		}
		u.OnPremisesSamAccountName = *f.OnPremisesSamAccountName
	}
	if f.UserType != nil {
		v, err := oneOf("userType", *f.UserType, UserTypeMember, UserTypeGuest)
		if err != nil {
			return err
		}
		u.UserType = v
	}
	if f.AccountEnabled != nil {
		u.AccountEnabled = *f.AccountEnabled
	}
	if f.IsAdmin != nil {
		u.IsAdmin = *f.IsAdmin
	}
	if f.BusinessPhones != nil {
		u.BusinessPhones = append([]string(nil), (*f.BusinessPhones)...)
	}
	if f.OtherMails != nil {
		for _, m := range *f.OtherMails {
			if err := validMail("otherMails", m); err != nil {
				return err
			}
		}
		u.OtherMails = append([]string(nil), (*f.OtherMails)...)
	}
	if f.Password != nil {
		if err := checkPasswordComplexity(*f.Password); err != nil {
			return err
		}
		h, err := hashPassword(*f.Password, s.passwordCost)
		if err != nil {
			return err
		}
		u.PasswordHash = h
	}
	return nil
}

// setUserProps lists the property names f sets, for the change log.
func setUserProps(f UserFields) []string {
	var out []string
	add := func(set bool, name string) {
		if set {
			out = append(out, name)
		}
	}
	add(f.DisplayName != nil, "displayName")
	add(f.GivenName != nil, "givenName")
	add(f.Surname != nil, "surname")
	add(f.UserPrincipalName != nil, "userPrincipalName")
	add(f.MailNickname != nil, "mailNickname")
	add(f.Mail != nil, "mail")
	add(f.AccountEnabled != nil, "accountEnabled")
	add(f.JobTitle != nil, "jobTitle")
	add(f.Department != nil, "department")
	add(f.OfficeLocation != nil, "officeLocation")
	add(f.MobilePhone != nil, "mobilePhone")
	add(f.PreferredLanguage != nil, "preferredLanguage")
	add(f.BusinessPhones != nil, "businessPhones")
	add(f.OtherMails != nil, "otherMails")
	add(f.OnPremisesSamAccountName != nil, "onPremisesSamAccountName")
	add(f.UserType != nil, "userType")
	add(f.Password != nil, "passwordProfile")
	add(f.IsAdmin != nil, "isAdmin")
	return out
}

// User finds a user by id or, when key is not a GUID, by userPrincipalName.
func (s *Service) User(ctx context.Context, tenant TenantID, key string) (User, error) {
	if id, ok := ParseObjectID(key); ok {
		return s.userByID(ctx, tenant, id)
	}
	if strings.Contains(key, "@") {
		return s.store.UserByUPN(ctx, tenant, key)
	}
	return User{}, &NotFoundError{Kind: KindUser, ID: key}
}

// Users lists a page of users.
func (s *Service) Users(ctx context.Context, tenant TenantID, page PageRequest) (Page[User], error) {
	return s.store.Users(ctx, tenant, page)
}

// UpdateUser changes the given properties of a user and returns it as
// stored.
func (s *Service) UpdateUser(ctx context.Context, tenant TenantID, key string, f UserFields) (User, error) {
	t, err := s.store.Tenant(ctx, tenant)
	if err != nil {
		return User{}, err
	}
	var out User
	err = s.update(ctx, tenant, func(tx Tx, log *changeLog) error {
		u, err := s.userTx(ctx, tx, tenant, key)
		if err != nil {
			return err
		}
		f := f
		if f.FollowAccountName {
			f = followAccountName(t, u, f)
		}
		if err := s.applyUserFields(t, &u, f); err != nil {
			return err
		}
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		log.add(KindUser, u.ID, OpUpdated, setUserProps(f))
		out = u
		return nil
	})
	return out, err
}

// DeleteUser soft-deletes a user: hidden from every read, its names free,
// its memberships kept for a restore. The bootstrap admin cannot be deleted,
// so that a directory never locks its operator out.
func (s *Service) DeleteUser(ctx context.Context, tenant TenantID, key string) error {
	return s.update(ctx, tenant, func(tx Tx, log *changeLog) error {
		u, err := s.userTx(ctx, tx, tenant, key)
		if err != nil {
			return err
		}
		// A user deleting itself would lose access mid-request; oCIS forbids
		// it too.
		if c := CallerFrom(ctx); c.Actor.Kind == ActorUser && c.Actor.ID == string(u.ID) {
			return &ForbiddenError{Action: "delete yourself"}
		}
		if u.IsAdmin && strings.EqualFold(u.OnPremisesSamAccountName, AdminLogin) {
			if t, err := tx.DefaultTenant(ctx); err == nil && t.ID == tenant {
				return &ForbiddenError{Action: "delete the bootstrap administrator"}
			}
		}
		if err := tx.SoftDeleteUser(ctx, tenant, u.ID, log.at); err != nil {
			return err
		}
		log.add(KindUser, u.ID, OpDeleted, nil)
		return nil
	})
}

func (s *Service) userTx(ctx context.Context, tx Tx, tenant TenantID, key string) (User, error) {
	if id, ok := ParseObjectID(key); ok {
		return tx.User(ctx, tenant, id)
	}
	if strings.Contains(key, "@") {
		return tx.UserByUPN(ctx, tenant, key)
	}
	return User{}, &NotFoundError{Kind: KindUser, ID: key}
}

// DirectoryObject finds a user or group by id.
func (s *Service) DirectoryObject(ctx context.Context, tenant TenantID, key string) (Object, error) {
	id, ok := ParseObjectID(key)
	if !ok {
		return Object{}, &NotFoundError{Kind: KindAny, ID: key}
	}
	ctx, err := s.checkCaches(ctx, tenant)
	if err != nil {
		return Object{}, err
	}
	c := s.objects(ctx, tenant)
	var gen uint64
	if c != nil {
		k := cacheKey{tenant, id}
		if u, ok := c.user(k); ok {
			return Object{User: &u}, nil
		}
		if g, ok := c.group(k); ok {
			return Object{Group: &g}, nil
		}
		gen = c.generation()
	}
	objs, err := s.store.Objects(ctx, tenant, []ObjectID{id})
	if err != nil {
		return Object{}, err
	}
	if len(objs) == 0 {
		return Object{}, &NotFoundError{Kind: KindAny, ID: key}
	}
	if o := objs[0]; c != nil && o.User != nil {
		c.putUser(cacheKey{tenant, id}, *o.User, gen)
	} else if c != nil && o.Group != nil {
		c.putGroup(cacheKey{tenant, id}, *o.Group, gen)
	}
	return objs[0], nil
}

// isNotFound is errors.Is(err, ErrNotFound), spelled short for the rules.
func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// UserByLogin finds a user by id, userPrincipalName or
// onPremisesSamAccountName (LibreGraph addresses users by account name too).
func (s *Service) UserByLogin(ctx context.Context, tenant TenantID, key string) (User, error) {
	if _, ok := ParseObjectID(key); ok || strings.Contains(key, "@") {
		return s.User(ctx, tenant, key)
	}
	return s.store.UserBySamAccountName(ctx, tenant, key)
}

func (s *Service) userByID(ctx context.Context, tenant TenantID, id ObjectID) (User, error) {
	ctx, err := s.checkCaches(ctx, tenant)
	if err != nil {
		return User{}, err
	}
	c := s.objects(ctx, tenant)
	if c == nil {
		return s.store.User(ctx, tenant, id)
	}
	k := cacheKey{tenant, id}
	if u, ok := c.user(k); ok {
		return u, nil
	}
	gen := c.generation()
	u, err := s.store.User(ctx, tenant, id)
	if err == nil {
		c.putUser(k, u, gen)
	}
	return u, err
}

// followAccountName adds to f the derived names of u that follow a change
// of its account name (UserFields.FollowAccountName). A derived value the
// new name cannot form (a trailing period, say) is left as it was rather
// than failing the rename on a property the caller never sent.
func followAccountName(t Tenant, u User, f UserFields) UserFields {
	if f.OnPremisesSamAccountName == nil || u.OnPremisesSamAccountName == "" ||
		*f.OnPremisesSamAccountName == u.OnPremisesSamAccountName {
		return f
	}
	sam, old := *f.OnPremisesSamAccountName, u.OnPremisesSamAccountName
	alias, domain, _ := strings.Cut(u.UserPrincipalName, "@")
	if f.UserPrincipalName == nil && strings.EqualFold(alias, old) && t.HasDomain(domain) {
		if upn := sam + "@" + domain; validUPN(t, upn) == nil {
			f.UserPrincipalName = &upn
		}
	}
	if f.MailNickname == nil && strings.EqualFold(u.MailNickname, old) && validMailNickname(sam) == nil {
		nick := sam
		f.MailNickname = &nick
	}
	return f
}
