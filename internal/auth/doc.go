// Package auth establishes who calls and what they may do: HTTP Basic
// credentials checked against the directory (with a short-lived cache of
// verified credentials), bearer access tokens it issues and verifies with
// the signing keys stored in the directory (RS256, JWKS), the Principal
// every dialect authorises against, and the permission sets (Need) that
// each dialect's route table assigns to its endpoints.
package auth
