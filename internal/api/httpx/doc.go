// Package httpx holds the HTTP plumbing every dialect shares: request ids,
// the origin a client used, request body decoding with its limits, and the
// parsing of @odata.id references. It renders nothing itself; each dialect
// turns the typed errors here into its own wire shape.
package httpx
