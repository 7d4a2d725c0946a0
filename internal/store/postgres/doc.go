// Package postgres is the PostgreSQL storage engine: a pgx connection pool,
// SERIALIZABLE write transactions retried on serialization failures, a
// change log ordered by writing transaction so that no late commit is ever
// skipped, and NOTIFY on commit so that other groupd instances on the same
// database learn of changes. Several groupd processes may share one
// database. See README.md for its caveats.
package postgres
