package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"groupd/internal/directory"
	"groupd/internal/store"
	"groupd/internal/store/pgtest"
	"groupd/internal/store/testdb"
)

// runArgsEnv, when set in the environment of this test binary, makes it
// run groupd with the arguments it holds (one a line) instead of the
// tests: a server of its own process, which a test can kill
// (crash_test.go).
const runArgsEnv = "GROUPD_TEST_RUN_ARGS"

// TestMain gives the PostgreSQL tests a throwaway cluster (see pgtest).
func TestMain(m *testing.M) {
	if args := os.Getenv(runArgsEnv); args != "" {
		os.Exit(run(strings.Split(args, "\n"), os.Stdout, os.Stderr))
	}
	pgtest.Main(m, testdb.MigratePostgres)
}

func groupd(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"frobnicate"},
		{"user"},
		{"user", "delete"},
		{"serve", "--no-such-flag"},
		{"serve", "stray-argument"},
		{"user", "create", "--upn", "a@example.org"}, // no password
		{"help", "frobnicate"},
	} {
		code, stdout, stderr := groupd(args...)
		if code != exitUsage {
			t.Errorf("groupd %v: exit %d, want %d", args, code, exitUsage)
		}
		if stdout != "" {
			t.Errorf("groupd %v: wrote to stdout: %q", args, stdout)
		}
		if !strings.Contains(stderr, "Usage") {
			t.Errorf("groupd %v: stderr lacks the usage:\n%s", args, stderr)
		}
	}
}

func TestHelpAndVersion(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"help", "serve"}, {"help", "user", "create"}, {"version"}} {
		code, stdout, stderr := groupd(args...)
		if code != exitOK || stdout == "" || stderr != "" {
			t.Errorf("groupd %v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
	_, stdout, _ := groupd("help", "serve")
	for _, flag := range []string{"--listen", "--data-dir", "--database", "--insecure-http", "--tls-cert", "--tls-key", "--domain", "--public-url"} {
		if !strings.Contains(stdout, flag+" ") && !strings.Contains(stdout, flag+"\n") {
			t.Errorf("help serve lacks %s", flag)
		}
	}
}

func TestUserCreateAndMigrate(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := groupd("user", "create", "--data-dir", dir, "--upn", "alice@example.org", "--password", "Alice-Passw0rd")
	if code != exitError || !strings.Contains(stderr, "groupd serve") {
		t.Errorf("user create before the first start: exit %d, stderr %q; want 1 and advice to serve first", code, stderr)
	}

	ctx := context.Background()
	st, err := store.Open(ctx, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	boot, err := directory.New(st).Bootstrap(ctx, "example.org", "Admin-Passw0rd")
	st.Close()
	if err != nil {
		t.Fatal(err)
	}

	code, stdout, stderr := groupd("user", "create", "--data-dir", dir, "--upn", "alice@example.org",
		"--password", "Alice-Passw0rd", "--admin", "--display-name", "Alice")
	if code != exitOK {
		t.Fatalf("user create: exit %d: %s", code, stderr)
	}
	var got map[string]string
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("user create printed %q: %v", stdout, err)
	}
	if len(got) != 3 || len(got["id"]) != 36 || got["userPrincipalName"] != "alice@example.org" || got["tenantId"] != string(boot.Tenant.ID) {
		t.Errorf("user create printed %s", stdout)
	}

	st, err = store.Open(ctx, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	svc := directory.New(st)
	u, err := svc.Authenticate(ctx, "alice@example.org", "Alice-Passw0rd")
	st.Close()
	if err != nil {
		t.Fatalf("alice cannot sign in: %v", err)
	}
	if !u.IsAdmin || u.DisplayName != "Alice" || !u.AccountEnabled {
		t.Errorf("alice: admin %v, displayName %q, enabled %v", u.IsAdmin, u.DisplayName, u.AccountEnabled)
	}

	code, _, stderr = groupd("user", "create", "--data-dir", dir, "--upn", "alice@example.org", "--password", "Alice-Passw0rd")
	if code != exitError || !strings.Contains(stderr, "userPrincipalName") {
		t.Errorf("duplicate user create: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = groupd("user", "create", "--data-dir", dir, "--upn", "gus@example.org", "--password", "Gus-Passw0rd", "--guest")
	if code != exitOK {
		t.Fatalf("guest user create: exit %d: %s", code, stderr)
	}
	st, err = store.Open(ctx, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	gus, err := directory.New(st).User(ctx, boot.Tenant.ID, "gus@example.org")
	st.Close()
	if err != nil || gus.UserType != directory.UserTypeGuest || gus.IsAdmin {
		t.Errorf("gus: userType %q, admin %v, %v", gus.UserType, gus.IsAdmin, err)
	}
	code, _, stderr = groupd("user", "create", "--data-dir", dir, "--tenant", "no.such.domain", "--upn", "bob@example.org", "--password", "Bob-Passw0rd")
	if code != exitError || !strings.Contains(stderr, "no tenant") {
		t.Errorf("user create in an unknown tenant: exit %d, stderr %q", code, stderr)
	}

	code, stdout, stderr = groupd("migrate", "--data-dir", dir)
	if code != exitOK {
		t.Fatalf("migrate: exit %d: %s", code, stderr)
	}
	var status map[string]any
	if err := json.Unmarshal([]byte(stdout), &status); err != nil || status["engine"] != "sqlite" || status["status"] != "up to date" ||
		status["location"] != filepath.Join(dir, "groupd.db") || status["auditLocation"] != filepath.Join(dir, "groupd-audit.db") {
		t.Errorf("migrate printed %q", stdout)
	}
	for _, k := range []string{"schemaVersion", "auditSchemaVersion"} {
		if v, ok := status[k].(float64); !ok || v < 1 {
			t.Errorf("migrate printed %s %v; want a version", k, status[k])
		}
	}
}

// TestUserPassword: an operator sets a user's password from the command
// line, or has one made and printed, e.g. for a lost administrator's.
func TestUserPassword(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := store.Open(ctx, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := directory.New(st).Bootstrap(ctx, "example.org", "Admin-Passw0rd"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	signIn := func(login, password string) error {
		t.Helper()
		st, err := store.Open(ctx, dir, "")
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		_, err = directory.New(st).Authenticate(ctx, login, password)
		return err
	}

	code, stdout, stderr := groupd("user", "password", "--data-dir", dir, "--upn", "admin")
	if code != exitOK {
		t.Fatalf("user password: exit %d: %s", code, stderr)
	}
	var got map[string]string
	if err := json.Unmarshal([]byte(stdout), &got); err != nil || len(got) != 4 || got["userPrincipalName"] != "admin@example.org" || len(got["password"]) < 16 {
		t.Fatalf("user password printed %q (%v)", stdout, err)
	}
	if err := signIn("admin", got["password"]); err != nil {
		t.Errorf("the printed password does not sign in: %v", err)
	}
	if err := signIn("admin", "Admin-Passw0rd"); err == nil {
		t.Error("the old password still signs in")
	}

	code, stdout, stderr = groupd("user", "password", "--data-dir", dir, "--upn", "ADMIN@example.org", "--password", "Chosen-Passw0rd")
	if code != exitOK || strings.Contains(stdout, "password") {
		t.Fatalf("user password --password: exit %d, stdout %q (a chosen password is not printed), stderr %s", code, stdout, stderr)
	}
	if err := signIn("admin@example.org", "Chosen-Passw0rd"); err != nil {
		t.Errorf("the chosen password does not sign in: %v", err)
	}

	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--upn", "nobody@example.org"}, exitError, `no user "nobody@example.org"`},
		{[]string{"--upn", "admin@example.org", "--password", "short"}, exitError, "passwordProfile"},
		{nil, exitUsage, "--upn is required"},
	} {
		code, _, stderr := groupd(append([]string{"user", "password", "--data-dir", dir}, c.args...)...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("user password %v: exit %d, stderr %q; want %d and %q", c.args, code, stderr, c.code, c.want)
		}
	}
}
