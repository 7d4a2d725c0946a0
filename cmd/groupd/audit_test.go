package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestAuditCommand lists the audit log of a data dir as JSON and as a
// table, with filters, and refuses bad flags with exit 2.
func TestAuditCommand(t *testing.T) {
	dir := t.TempDir()
	boot := bootstrap(t, dir, "")
	code, out, errOut := groupd("user", "create", "--data-dir", dir, "--upn", "ann@example.org", "--password", "Passw0rd!x")
	if code != exitOK {
		t.Fatalf("user create: %d %s", code, errOut)
	}
	var u struct{ ID string }
	if err := json.Unmarshal([]byte(out), &u); err != nil || u.ID == "" {
		t.Fatalf("user create printed %q", out)
	}

	code, out, errOut = groupd("audit", "--data-dir", dir)
	if code != exitOK {
		t.Fatalf("audit: %d %s", code, errOut)
	}
	var all []auditOut
	if err := json.Unmarshal([]byte(out), &all); err != nil || len(all) < 3 {
		t.Fatalf("audit printed %q", out)
	}
	first := all[0]
	if first.Activity != "Add user" || first.Category != "UserManagement" || first.OperationType != "Add" ||
		len(first.Targets) != 1 || first.Targets[0].ID != u.ID || first.Targets[0].UserPrincipalName != "ann@example.org" ||
		first.Initiator.Kind != "system" || !strings.HasPrefix(first.ID, "Directory_") {
		t.Errorf("newest entry %+v", first)
	}

	code, out, _ = groupd("audit", "--data-dir", dir, "--target", string(boot.Admin.ID), "--activity", "Add user")
	var admin []auditOut
	if err := json.Unmarshal([]byte(out), &admin); code != exitOK || err != nil || len(admin) != 1 || admin[0].Targets[0].ID != string(boot.Admin.ID) {
		t.Errorf("filtered: %d %s", code, out)
	}
	code, out, _ = groupd("audit", "--data-dir", dir, "--since", "2000-01-01T00:00:00Z", "--until", "2000-01-02T00:00:00Z")
	if code != exitOK || strings.TrimSpace(out) != "[]" {
		t.Errorf("empty range: %d %q", code, out)
	}
	code, out, _ = groupd("audit", "--data-dir", dir, "--output", "table", "--limit", "1")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != exitOK || len(lines) != 2 || !strings.HasPrefix(lines[0], "TIME") || !strings.Contains(lines[1], "Add user") ||
		!strings.Contains(lines[1], "user ann@example.org") {
		t.Errorf("table: %d %q", code, out)
	}
	for _, bad := range [][]string{{"--output", "xml"}, {"--since", "yesterday"}} {
		if code, _, _ := groupd(append([]string{"audit", "--data-dir", dir}, bad...)...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", bad, code, exitUsage)
		}
	}
}
