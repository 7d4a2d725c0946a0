package aadgraph_test

import (
	"testing"

	"groupd/internal/store/testdb"
)

// TestMain runs every test of the package once per storage engine (SQLite,
// then PostgreSQL on a throwaway cluster); the harness opens its store
// with testdb.Open.
func TestMain(m *testing.M) { testdb.Main(m) }
