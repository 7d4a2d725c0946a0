package msgraph

import (
	"net/http"

	"groupd/internal/directory"
)

type tenant = directory.Tenant

// orgProps is the organization entity in Graph's order; what groupd does not
// know is null or an empty collection.
var orgProps = []prop[tenant]{
	{"id", func(e *enc, t *tenant) { e.str(string(t.ID)) }},
	{"deletedDateTime", null[tenant]},
	{"businessPhones", emptyList[tenant]},
	{"city", null[tenant]},
	{"country", null[tenant]},
	{"countryLetterCode", null[tenant]},
	{"createdDateTime", func(e *enc, t *tenant) { e.time(t.CreatedAt) }},
	{"defaultUsageLocation", null[tenant]},
	{"displayName", func(e *enc, t *tenant) { e.strOrNull(t.DisplayName) }},
	{"isMultipleDataLocationsForServicesEnabled", null[tenant]},
	{"marketingNotificationEmails", emptyList[tenant]},
	{"onPremisesLastSyncDateTime", null[tenant]},
	{"onPremisesSyncEnabled", null[tenant]},
	{"postalCode", null[tenant]},
	{"preferredLanguage", null[tenant]},
	{"securityComplianceNotificationMails", emptyList[tenant]},
	{"securityComplianceNotificationPhones", emptyList[tenant]},
	{"state", null[tenant]},
	{"street", null[tenant]},
	{"technicalNotificationMails", emptyList[tenant]},
	{"tenantType", func(e *enc, _ *tenant) { e.str("AAD") }},
	{"directorySizeQuota", null[tenant]},
	{"privacyProfile", null[tenant]},
	{"assignedPlans", emptyList[tenant]},
	{"provisionedPlans", emptyList[tenant]},
	{"verifiedDomains", writeDomains},
}

var orgSchema = newSchema("microsoft.graph.organization", len(orgProps), orgProps)

func writeDomains(e *enc, t *tenant) {
	e.beginArray()
	for _, d := range t.Domains {
		e.beginObject()
		e.key("capabilities")
		e.str("Email, OfficeCommunicationsOnline")
		e.key("isDefault")
		e.boolean(d.IsDefault)
		e.key("isInitial")
		e.boolean(d.IsInitial)
		e.key("name")
		e.str(d.Name)
		e.key("type")
		e.str("Managed")
		e.endObject()
	}
	e.endArray()
}

// listOrganization answers GET /organization: the caller's tenant.
func (a *api) listOrganization(rq *request) error {
	if err := rq.q.only(optSelect); err != nil {
		return err
	}
	sel, err := resolveSelect(rq.q.selRaw, orgSchema.typeName, orgSchema.lookup)
	if err != nil {
		return err
	}
	t, err := a.dir.Tenant(rq.ctx, rq.tenant)
	if err != nil {
		return err
	}
	e := getEnc()
	e.beginObject()
	e.metadataContext(rq.base, "organization", sel.proj(""), false)
	e.key("value")
	e.beginArray()
	e.beginObject()
	orgSchema.write(e, &t, indexes(orgSchema, sel))
	e.endObject()
	e.endArray()
	e.endObject()
	send(rq.w, http.StatusOK, e)
	return nil
}

// getOrganization answers GET /organization/{id}; another tenant's id is
// not found.
func (a *api) getOrganization(rq *request) error {
	if err := rq.q.only(optSelect); err != nil {
		return err
	}
	sel, err := resolveSelect(rq.q.selRaw, orgSchema.typeName, orgSchema.lookup)
	if err != nil {
		return err
	}
	t, err := a.dir.OwnTenant(rq.ctx, rq.tenant, rq.param("id"))
	if err != nil {
		return err
	}
	e := getEnc()
	e.beginObject()
	e.metadataContext(rq.base, "organization", sel.proj(""), true)
	orgSchema.write(e, &t, indexes(orgSchema, sel))
	e.endObject()
	send(rq.w, http.StatusOK, e)
	return nil
}
