// Package directory is the domain of groupd: tenants, users, groups, their
// memberships and owners, and every rule that holds for all dialects
// (required properties, lengths, uniqueness, nesting limits, cycles, owner
// limits, soft deletion).
//
// It knows nothing of HTTP or SQL. Dialects call the Service and translate its
// typed errors (errors.go) into their own wire shapes; storage engines
// implement the Store interface (store.go) and prove it with the conformance
// suite in internal/store/storetest.
package directory
