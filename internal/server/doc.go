// Package server wires groupd together and runs it: the root router with its
// middleware (panic recovery, request ids, origin, access log, metrics), the
// health and metrics endpoints, the dialect mounts, TLS (including the
// self-signed certificate made on first start), the listener and graceful
// shutdown. It also holds the operations the command line runs against a
// store outside a server (creating users, migrating).
//
// The dialects own everything below their prefix, including their 404 and
// 405 bodies; this package answers only for paths outside every dialect.
package server
