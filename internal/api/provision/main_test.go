package provision_test

import (
	"testing"

	"groupd/internal/store/testdb"
)

// TestMain runs every test of the package once per storage engine.
func TestMain(m *testing.M) { testdb.Main(m) }
