package aadgraph_test

import (
	"context"
	"net/http"
	"testing"
)

// TestTenantDetails: the caller's tenant as 1.6's TenantDetail, as a
// collection of one and by objectId; another tenant's id is not found.
func TestTenantDetails(t *testing.T) {
	e := newEnv(t)
	ten, err := e.dir.Tenant(context.Background(), e.tenant)
	if err != nil {
		t.Fatal(err)
	}
	domains := ""
	for i, d := range ten.Domains {
		if i > 0 {
			domains += ","
		}
		domains += `{"addedBy":null,"capabilities":"Email, OfficeCommunicationsOnline","default":` + boolText(d.IsDefault) +
			`,"initial":` + boolText(d.IsInitial) + `,"name":"` + d.Name + `","type":"Managed"}`
	}
	entity := `"odata.type":"Microsoft.DirectoryServices.TenantDetail","objectType":"Company","objectId":"` + string(e.tenant) + `",` +
		`"deletionTimestamp":null,"assignedPlans":[],"city":null,"companyLastDirSyncTime":null,"country":null,"countryLetterCode":null,` +
		`"dirSyncEnabled":null,"displayName":"` + ten.DisplayName + `","marketingNotificationEmails":[],"postalCode":null,` +
		`"preferredLanguage":null,"privacyProfile":null,"provisionedPlans":[],"provisioningErrors":[],` +
		`"securityComplianceNotificationMails":[],"securityComplianceNotificationPhones":[],"state":null,"street":null,` +
		`"technicalNotificationMails":[],"telephoneNumber":null,"verifiedDomains":[` + domains + `]`
	meta := e.url + "/myorganization/$metadata#directoryObjects/Microsoft.DirectoryServices.TenantDetail"

	r := e.aad("GET", "/tenantDetails", nil).want(t, http.StatusOK)
	if want := `{"odata.metadata":"` + meta + `","value":[{` + entity + `}]}`; string(r.body) != want {
		t.Errorf("tenantDetails\n got %s\nwant %s", r.body, want)
	}
	one := e.aad("GET", "/tenantDetails/"+string(e.tenant), nil).want(t, http.StatusOK)
	if want := `{"odata.metadata":"` + meta + `/@Element",` + entity + `}`; string(one.body) != want {
		t.Errorf("tenantDetails/{id}\n got %s\nwant %s", one.body, want)
	}
	e.aad("GET", "/tenantDetails/"+string(e.other), nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound",
		"Resource '"+string(e.other)+"' does not exist or one of its queried reference-property objects are not present.")
	e.aad("GET", "/tenantDetails?$top=1", nil).wantError(t, http.StatusBadRequest, "Request_UnsupportedQuery",
		"The query option '$top' is not supported on this resource.")
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
