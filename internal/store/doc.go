// Package store opens the storage engine a deployment asks for. The Store
// interface itself belongs to the domain (internal/directory); the engines
// live in sub-packages (sqlite, postgres) and prove they implement it with
// the shared conformance suite in storetest. Engine extras are small
// optional interfaces found by type assertion (ChangeListener here;
// Backup, SchemaVersion and ExplainQueryPlan on the engines).
package store
