// Package libregraph serves the LibreGraph dialect as ownCloud Infinite Scale
// (oCIS) answers it under /graph/v1.0: users, groups and group members with
// HTTP Basic authentication, oCIS error bodies ({"error":{"code",
// "innererror","message"}}) and oCIS status codes.
//
// It only translates: every rule (unique group names, users-only members,
// the 20-reference bind limit, defaults for minimal create bodies) lives in
// internal/directory and is switched on through directory.Policy; this
// package maps the directory's typed errors to LibreGraph error codes in one
// place (errors.go).
package libregraph
