package aadgraph

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"groupd/internal/auth"
	"groupd/internal/directory"
)

// Azure AD Graph's tenantDetails is the caller's tenant, as Microsoft
// Graph's organization: a collection of one (Get-AzureADTenantDetail), or
// the one by its objectId. What groupd does not keep is null or empty.

const (
	typeTenantDetail     = "Microsoft.DirectoryServices.TenantDetail"
	tenantDetailFragment = "directoryObjects/" + typeTenantDetail
)

// tenantDetail is the TenantDetail entity in 1.6's order.
type tenantDetail struct {
	Metadata                             string           `json:"odata.metadata,omitempty"`
	Type                                 string           `json:"odata.type"`
	ObjectType                           string           `json:"objectType"`
	ObjectID                             string           `json:"objectId"`
	DeletionTimestamp                    *string          `json:"deletionTimestamp"`
	AssignedPlans                        []string         `json:"assignedPlans"`
	City                                 *string          `json:"city"`
	CompanyLastDirSyncTime               *string          `json:"companyLastDirSyncTime"`
	Country                              *string          `json:"country"`
	CountryLetterCode                    *string          `json:"countryLetterCode"`
	DirSyncEnabled                       *bool            `json:"dirSyncEnabled"`
	DisplayName                          *string          `json:"displayName"`
	MarketingNotificationEmails          []string         `json:"marketingNotificationEmails"`
	PostalCode                           *string          `json:"postalCode"`
	PreferredLanguage                    *string          `json:"preferredLanguage"`
	PrivacyProfile                       *string          `json:"privacyProfile"`
	ProvisionedPlans                     []string         `json:"provisionedPlans"`
	ProvisioningErrors                   []string         `json:"provisioningErrors"`
	SecurityComplianceNotificationMails  []string         `json:"securityComplianceNotificationMails"`
	SecurityComplianceNotificationPhones []string         `json:"securityComplianceNotificationPhones"`
	State                                *string          `json:"state"`
	Street                               *string          `json:"street"`
	TechnicalNotificationMails           []string         `json:"technicalNotificationMails"`
	TelephoneNumber                      *string          `json:"telephoneNumber"`
	VerifiedDomains                      []verifiedDomain `json:"verifiedDomains"`
}

// verifiedDomain is a domain as 1.6 lists it; groupd's are all managed.
type verifiedDomain struct {
	AddedBy      *string `json:"addedBy"`
	Capabilities string  `json:"capabilities"`
	Default      bool    `json:"default"`
	Initial      bool    `json:"initial"`
	Name         string  `json:"name"`
	Type         string  `json:"type"`
}

func newTenantDetail(t *directory.Tenant) tenantDetail {
	out := tenantDetail{Type: typeTenantDetail, ObjectType: "Company", ObjectID: string(t.ID),
		AssignedPlans: []string{}, DisplayName: nullable(t.DisplayName), MarketingNotificationEmails: []string{},
		ProvisionedPlans: []string{}, ProvisioningErrors: []string{}, SecurityComplianceNotificationMails: []string{},
		SecurityComplianceNotificationPhones: []string{}, TechnicalNotificationMails: []string{},
		VerifiedDomains: []verifiedDomain{}}
	for _, d := range t.Domains {
		out.VerifiedDomains = append(out.VerifiedDomains, verifiedDomain{Capabilities: "Email, OfficeCommunicationsOnline",
			Default: d.IsDefault, Initial: d.IsInitial, Name: d.Name, Type: "Managed"})
	}
	return out
}

func (a *api) mountTenantDetails(r chi.Router, t string) {
	r.Get(t+"/tenantDetails", a.endpoint(auth.NeedSignedIn, a.listTenantDetails))
	r.Get(t+"/tenantDetails/{id}", a.endpoint(auth.NeedSignedIn, a.getTenantDetail))
}

// listTenantDetails answers GET /tenantDetails: the caller's tenant.
func (a *api) listTenantDetails(rq *request) error {
	if err := rq.noOptions(); err != nil {
		return err
	}
	t, err := a.dir.Tenant(rq.ctx, rq.tenant)
	if err != nil {
		return err
	}
	return sendJSON(rq.w, http.StatusOK, collection{Metadata: rq.metadata(tenantDetailFragment),
		Value: []tenantDetail{newTenantDetail(&t)}})
}

// getTenantDetail answers GET /tenantDetails/{objectId}; another
// tenant's id is not found.
func (a *api) getTenantDetail(rq *request) error {
	if err := rq.noOptions(); err != nil {
		return err
	}
	t, err := a.dir.OwnTenant(rq.ctx, rq.tenant, rq.param("id"))
	if err != nil {
		return err
	}
	out := newTenantDetail(&t)
	out.Metadata = rq.metadata(tenantDetailFragment + "/@Element")
	return sendJSON(rq.w, http.StatusOK, out)
}
