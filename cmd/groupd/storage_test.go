package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"groupd/internal/directory"
	"groupd/internal/store"
	"groupd/internal/store/pgtest"
)

// withService opens the store of dataDir or database, hands f a service on
// it and closes it again.
func withService(t *testing.T, dataDir, database string, f func(context.Context, *directory.Service)) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dataDir, database)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	f(ctx, directory.New(st, directory.WithPasswordCost(4)))
}

func bootstrap(t *testing.T, dataDir, database string) (boot directory.BootstrapResult) {
	t.Helper()
	withService(t, dataDir, database, func(ctx context.Context, svc *directory.Service) {
		var err error
		if boot, err = svc.Bootstrap(ctx, "example.org", "Admin-Passw0rd"); err != nil {
			t.Fatal(err)
		}
	})
	return boot
}

func TestBackup(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(t.TempDir(), "copy.db")
	code, _, stderr := groupd("backup", "--data-dir", dir, "--output", out)
	if code != exitError || !strings.Contains(stderr, "no database") {
		t.Errorf("backup of an empty data dir: exit %d, stderr %q", code, stderr)
	}
	boot := bootstrap(t, dir, "")

	code, stdout, stderr := groupd("backup", "--data-dir", dir, "--output", out)
	if code != exitOK {
		t.Fatalf("backup: exit %d: %s", code, stderr)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || res["engine"] != "sqlite" || res["output"] != out || res["bytes"].(float64) <= 0 ||
		res["auditOutput"] != strings.TrimSuffix(out, ".db")+"-audit.db" || res["auditBytes"].(float64) <= 0 {
		t.Errorf("backup printed %q", stdout)
	}
	// The copy is a database of its own, with the data in it.
	st, err := store.Open(context.Background(), t.TempDir(), "sqlite:"+out)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.User(context.Background(), boot.Tenant.ID, boot.Admin.ID); err != nil {
		t.Errorf("admin in the copy: %v", err)
	}

	code, _, stderr = groupd("backup", "--data-dir", dir, "--output", out)
	if code != exitError || !strings.Contains(stderr, "exists") {
		t.Errorf("backup over an existing file: exit %d, stderr %q", code, stderr)
	}
	code, _, _ = groupd("backup", "--data-dir", dir)
	if code != exitUsage {
		t.Errorf("backup without --output: exit %d, want %d", code, exitUsage)
	}
	code, _, stderr = groupd("backup", "--database", "postgres://u@localhost/groupd", "--output", filepath.Join(t.TempDir(), "x"))
	if code != exitError || !strings.Contains(stderr, "pg_dump") {
		t.Errorf("backup of PostgreSQL: exit %d, stderr %q; want advice to use pg_dump", code, stderr)
	}
}

// TestPostgresCommands runs migrate and user create on PostgreSQL, with the
// database given by flag and by GROUPD_DATABASE.
func TestPostgresCommands(t *testing.T) {
	dsn := pgtest.NewEmptyDatabase(t)
	code, stdout, stderr := groupd("migrate", "--database", dsn)
	if code != exitOK {
		t.Fatalf("migrate: exit %d: %s", code, stderr)
	}
	var status map[string]any
	if err := json.Unmarshal([]byte(stdout), &status); err != nil || status["engine"] != "postgres" ||
		status["status"] != "up to date" || status["schemaVersion"] == nil || status["schemaVersion"].(float64) < 1 {
		t.Errorf("migrate printed %q", stdout)
	}
	boot := bootstrap(t, "", dsn)

	t.Setenv("GROUPD_DATABASE", dsn)
	code, stdout, stderr = groupd("user", "create", "--upn", "alice@example.org", "--password", "Alice-Passw0rd")
	if code != exitOK {
		t.Fatalf("user create: exit %d: %s", code, stderr)
	}
	var got map[string]string
	if err := json.Unmarshal([]byte(stdout), &got); err != nil || got["tenantId"] != string(boot.Tenant.ID) {
		t.Errorf("user create printed %q", stdout)
	}
	if _, err := os.Stat(filepath.Join(".", "groupd-data")); err == nil {
		t.Error("a PostgreSQL command created the default data dir")
	}
}
