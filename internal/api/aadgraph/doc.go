// Package aadgraph is the Azure AD Graph 1.6 dialect, served at
// /{tenant}/...?api-version=1.6 where {tenant} is "myorganization", the
// tenant id or one of its verified domains. It translates the legacy wire
// shapes (odata.metadata, objectId, $links with {"url": ...} bodies,
// odata.error) to calls of internal/directory and back; every rule lives
// in the directory.
package aadgraph
