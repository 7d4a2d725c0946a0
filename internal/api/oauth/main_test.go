package oauth_test

import (
	"testing"

	"groupd/internal/store/testdb"
)

// TestMain runs every test once per storage engine.
func TestMain(m *testing.M) { testdb.Main(m) }
