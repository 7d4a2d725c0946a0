package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestTenantAndAppCommands drives the identity commands on one data dir
// the way scripts do: JSON out, usage errors with exit 2.
func TestTenantAndAppCommands(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := groupd("tenant", "create", "--data-dir", dir, "--domain", "fabrikam.example", "--name", "Fabrikam")
	if code != exitOK {
		t.Fatalf("tenant create: %d %s", code, errOut)
	}
	var tn struct{ TenantID, Domain string }
	if err := json.Unmarshal([]byte(out), &tn); err != nil || tn.TenantID == "" || tn.Domain != "fabrikam.example" {
		t.Fatalf("tenant create printed %q", out)
	}
	if code, out, _ := groupd("tenant", "list", "--data-dir", dir); code != exitOK || !strings.Contains(out, tn.TenantID) {
		t.Errorf("tenant list: %d %s", code, out)
	}

	code, out, errOut = groupd("app", "create", "--data-dir", dir, "--tenant", "fabrikam.example",
		"--name", "tool", "--role", "Group.ReadWrite.All", "--role", "user.read.all")
	if code != exitOK {
		t.Fatalf("app create: %d %s", code, errOut)
	}
	var app map[string]string
	if err := json.Unmarshal([]byte(out), &app); err != nil || len(app) != 3 || app["tenantId"] != tn.TenantID ||
		app["appId"] == "" || len(app["clientSecret"]) != 40 {
		t.Fatalf("app create printed %q", out)
	}
	id := app["appId"]
	tenant := []string{"--data-dir", dir, "--tenant", tn.TenantID}
	list := func() string {
		t.Helper()
		code, out, errOut := groupd(append([]string{"app", "list"}, tenant...)...)
		if code != exitOK {
			t.Fatalf("app list: %d %s", code, errOut)
		}
		return out
	}
	if l := list(); !strings.Contains(l, id) || !strings.Contains(l, `"User.Read.All"`) || strings.Contains(l, app["clientSecret"]) {
		t.Errorf("app list: %s", l)
	}
	steps := [][]string{
		{"app", "roles", "--app", id, "--role", "Group.Create"},
		{"app", "secret", "add", "--app", id, "--days", "30"},
		{"app", "disable", "--app", id},
		{"app", "enable", "--app", id},
	}
	for _, s := range steps {
		if code, out, errOut := groupd(append(s, tenant...)...); code != exitOK || !json.Valid([]byte(out)) {
			t.Errorf("%v: %d %s %s", s, code, out, errOut)
		}
	}
	if l := list(); !strings.Contains(l, `"roles":["Group.Create"]`) || strings.Count(l, `"hint"`) != 2 {
		t.Errorf("after roles and secret add: %s", l)
	}
	if code, _, errOut := groupd(append([]string{"app", "roles", "--app", id, "--role", "Everything.All"}, tenant...)...); code != exitError || !strings.Contains(errOut, "Everything.All") {
		t.Errorf("unknown permission: %d %s", code, errOut)
	}
	if code, _, _ := groupd("app", "delete", "--data-dir", dir, "--tenant", tn.TenantID); code != exitUsage {
		t.Errorf("app delete without --app: %d", code)
	}
	if code, _, _ := groupd(append([]string{"app", "delete", "--app", id}, tenant...)...); code != exitOK {
		t.Errorf("app delete: %d", code)
	}
	if l := list(); strings.Contains(l, id) {
		t.Errorf("deleted app listed: %s", l)
	}
	// Another tenant does not see the app: the default tenant does not
	// exist yet here, so name the tenant by a domain nobody has.
	if code, _, errOut := groupd("app", "list", "--data-dir", dir, "--tenant", "nowhere.example"); code != exitError || !strings.Contains(errOut, "no tenant") {
		t.Errorf("unknown tenant: %d %s", code, errOut)
	}
	if code, out, errOut := groupd("keys", "rotate", "--data-dir", dir); code != exitOK || !strings.Contains(out, `"kid"`) {
		t.Errorf("keys rotate: %d %s %s", code, out, errOut)
	}
}
