// Package msgraph is the Microsoft Graph v1.0 dialect, mounted at /v1.0:
// organization, users, groups, members, owners and directory objects, with
// $select, $top, $skiptoken and $expand.
//
// It only translates. Every request runs through one pipeline (router.go):
// panic recovery, Basic authentication, principal and caller attached to the
// context, authorisation by method, query options; handlers decode the body,
// call internal/directory and write the entity with a hand-ordered encoder
// (encode.go) in Graph's property order. Any error a handler returns is
// rendered once, in errors.go, in Graph's error shape.
package msgraph
