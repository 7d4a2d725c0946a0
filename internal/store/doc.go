// Package store opens the storage engine a deployment asks for. The Store
// interface itself belongs to the domain (internal/directory); the engines
// live in sub-packages (sqlite, later postgres) and prove they implement it
// with the shared conformance suite in storetest.
package store
