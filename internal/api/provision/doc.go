// Package provision serves GT365's governed provisioning API under /api:
// POST /api/ProvisionGroup creates a Microsoft 365 group with owners,
// members, classification and optionally its team in one call, and answers
// with the serialized response object GT365 clients parse.
//
// It only translates: the provisioning transaction, the tenant's
// Group.Unified policies and idempotency live in internal/directory
// (Service.ProvisionGroup); errors are mapped to GT365's bodies in one
// place (errors.go).
package provision
