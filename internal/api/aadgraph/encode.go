package aadgraph

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"groupd/internal/directory"
)

// contentType is what Azure AD Graph answers JSON with.
var contentType = []string{"application/json; odata=minimalmetadata; streaming=true; charset=utf-8"}

// send writes b as the whole body with status.
func send(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h["Content-Type"] = contentType
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(status)
	_, _ = w.Write(b) // a failed write means the client went away
}

// marshal encodes v without HTML escaping: bodies are JSON, never HTML,
// and messages quote URLs and <placeholders>.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// sendJSON marshals v and sends it.
func sendJSON(w http.ResponseWriter, status int, v any) error {
	b, err := marshal(v)
	if err != nil {
		return err
	}
	send(w, status, b)
	return nil
}

func noContent(w http.ResponseWriter) {
	w.WriteHeader(http.StatusNoContent)
}

// Type names of the wire.
const (
	typeGroup = "Microsoft.DirectoryServices.Group"
	typeUser  = "Microsoft.DirectoryServices.User"
	typeSP    = "Microsoft.DirectoryServices.ServicePrincipal"
)

// metadata is the odata.metadata URL of a response: <base>/$metadata#fragment.
func (rq *request) metadata(fragment string) string {
	return rq.base + "/$metadata#" + fragment
}

// nullable is a string that is null when empty.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func list(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

// groupEntity is a group with the seed's properties in the seed's order;
// what groupd does not keep is null, as for a cloud-only group.
type groupEntity struct {
	Metadata                     string   `json:"odata.metadata,omitempty"`
	Type                         string   `json:"odata.type"`
	ObjectType                   string   `json:"objectType"`
	ObjectID                     string   `json:"objectId"`
	DeletionTimestamp            *string  `json:"deletionTimestamp"`
	Description                  *string  `json:"description"`
	DirSyncEnabled               *bool    `json:"dirSyncEnabled"`
	DisplayName                  *string  `json:"displayName"`
	LastDirSyncTime              *string  `json:"lastDirSyncTime"`
	Mail                         *string  `json:"mail"`
	MailNickname                 *string  `json:"mailNickname"`
	MailEnabled                  bool     `json:"mailEnabled"`
	OnPremisesSecurityIdentifier *string  `json:"onPremisesSecurityIdentifier"`
	ProvisioningErrors           []string `json:"provisioningErrors"`
	ProxyAddresses               []string `json:"proxyAddresses"`
	SecurityEnabled              bool     `json:"securityEnabled"`
}

func timestamp(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format("2006-01-02T15:04:05Z")
	return &s
}

func newGroupEntity(g *directory.Group) groupEntity {
	return groupEntity{
		Type: typeGroup, ObjectType: "Group", ObjectID: string(g.ID),
		DeletionTimestamp: timestamp(g.DeletedAt), Description: nullable(g.Description),
		DisplayName: nullable(g.DisplayName), Mail: nullable(g.Mail), MailNickname: nullable(g.MailNickname),
		MailEnabled: g.MailEnabled, ProvisioningErrors: []string{}, ProxyAddresses: list(g.ProxyAddresses),
		SecurityEnabled: g.SecurityEnabled,
	}
}

// userEntity is a user with Azure AD Graph 1.6's user properties in its
// order; what groupd does not keep is null or empty.
type userEntity struct {
	Metadata                     string   `json:"odata.metadata,omitempty"`
	Type                         string   `json:"odata.type"`
	ObjectType                   string   `json:"objectType"`
	ObjectID                     string   `json:"objectId"`
	DeletionTimestamp            *string  `json:"deletionTimestamp"`
	AccountEnabled               bool     `json:"accountEnabled"`
	AssignedLicenses             []string `json:"assignedLicenses"`
	AssignedPlans                []string `json:"assignedPlans"`
	City                         *string  `json:"city"`
	CompanyName                  *string  `json:"companyName"`
	Country                      *string  `json:"country"`
	CreatedDateTime              *string  `json:"createdDateTime"`
	Department                   *string  `json:"department"`
	DirSyncEnabled               *bool    `json:"dirSyncEnabled"`
	DisplayName                  *string  `json:"displayName"`
	GivenName                    *string  `json:"givenName"`
	ImmutableID                  *string  `json:"immutableId"`
	JobTitle                     *string  `json:"jobTitle"`
	LastDirSyncTime              *string  `json:"lastDirSyncTime"`
	Mail                         *string  `json:"mail"`
	MailNickname                 *string  `json:"mailNickname"`
	Mobile                       *string  `json:"mobile"`
	OnPremisesSecurityIdentifier *string  `json:"onPremisesSecurityIdentifier"`
	OtherMails                   []string `json:"otherMails"`
	PasswordPolicies             *string  `json:"passwordPolicies"`
	PasswordProfile              *string  `json:"passwordProfile"`
	PhysicalDeliveryOfficeName   *string  `json:"physicalDeliveryOfficeName"`
	PostalCode                   *string  `json:"postalCode"`
	PreferredLanguage            *string  `json:"preferredLanguage"`
	ProvisionedPlans             []string `json:"provisionedPlans"`
	ProvisioningErrors           []string `json:"provisioningErrors"`
	ProxyAddresses               []string `json:"proxyAddresses"`
	State                        *string  `json:"state"`
	StreetAddress                *string  `json:"streetAddress"`
	Surname                      *string  `json:"surname"`
	TelephoneNumber              *string  `json:"telephoneNumber"`
	UsageLocation                *string  `json:"usageLocation"`
	UserPrincipalName            *string  `json:"userPrincipalName"`
	UserType                     string   `json:"userType"`
}

func newUserEntity(u *directory.User) userEntity {
	var phone *string
	if len(u.BusinessPhones) > 0 {
		phone = &u.BusinessPhones[0]
	}
	created := u.CreatedAt
	return userEntity{
		Type: typeUser, ObjectType: "User", ObjectID: string(u.ID), DeletionTimestamp: timestamp(u.DeletedAt),
		AccountEnabled: u.AccountEnabled, AssignedLicenses: []string{}, AssignedPlans: []string{},
		CreatedDateTime: timestamp(&created), Department: nullable(u.Department),
		DisplayName: nullable(u.DisplayName), GivenName: nullable(u.GivenName), JobTitle: nullable(u.JobTitle),
		Mail: nullable(u.Mail), MailNickname: nullable(u.MailNickname), Mobile: nullable(u.MobilePhone),
		OtherMails: list(u.OtherMails), PhysicalDeliveryOfficeName: nullable(u.OfficeLocation),
		PreferredLanguage: nullable(u.PreferredLanguage), ProvisionedPlans: []string{},
		ProvisioningErrors: []string{}, ProxyAddresses: proxyAddresses(u), Surname: nullable(u.Surname),
		TelephoneNumber: phone, UserPrincipalName: nullable(u.UserPrincipalName), UserType: userType(u.UserType),
	}
}

// userType is the wire value of a stored user type; a user read before
// types were kept is a member.
func userType(t string) string {
	if t == "" {
		return directory.UserTypeMember
	}
	return t
}

func proxyAddresses(u *directory.User) []string {
	if u.Mail == "" {
		return []string{}
	}
	return []string{"SMTP:" + u.Mail}
}

// servicePrincipalEntity is an application that owns a group (Group.Create).
type servicePrincipalEntity struct {
	Metadata          string  `json:"odata.metadata,omitempty"`
	Type              string  `json:"odata.type"`
	ObjectType        string  `json:"objectType"`
	ObjectID          string  `json:"objectId"`
	DeletionTimestamp *string `json:"deletionTimestamp"`
	AppID             string  `json:"appId"`
	DisplayName       *string `json:"displayName"`
}

// entity is the wire form of any directory object, for mixed lists.
func entity(o *directory.Object) any {
	switch {
	case o.User != nil:
		return newUserEntity(o.User)
	case o.Group != nil:
		return newGroupEntity(o.Group)
	case o.ServicePrincipal != nil:
		return newServicePrincipalEntity(o.ServicePrincipal)
	}
	return nil
}

func newServicePrincipalEntity(sp *directory.ServicePrincipal) servicePrincipalEntity {
	return servicePrincipalEntity{Type: typeSP, ObjectType: "ServicePrincipal", ObjectID: string(sp.ID),
		AppID: sp.AppID, DisplayName: nullable(sp.DisplayName)}
}

// typeName is the wire type of o, which link URLs end in.
func typeName(o *directory.Object) string {
	switch {
	case o.User != nil:
		return typeUser
	case o.ServicePrincipal != nil:
		return typeSP
	}
	return typeGroup
}

// link is one entry of a link list.
type link struct {
	URL string `json:"url"`
}

// objectLink is the URL a link list names o by.
func (rq *request) objectLink(o *directory.Object) link {
	return link{URL: rq.base + "/directoryObjects/" + string(o.ID()) + "/" + typeName(o)}
}

// collection is a list response.
type collection struct {
	Metadata string `json:"odata.metadata"`
	Value    any    `json:"value"`
	NextLink string `json:"odata.nextLink,omitempty"`
}
