package libregraph_test

import (
	"context"
	"encoding/json"
	"testing"

	"groupd/internal/directory"
)

// TestPoliciesSkipSecurityGroups: LibreGraph creates security groups, and
// the tenant's Group.Unified policies (naming, blocked words,
// classification, creation rights) hold for Microsoft 365 groups only.
func TestPoliciesSkipSecurityGroups(t *testing.T) {
	e := newEnv(t)
	boot, err := e.dir.DefaultTenant(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.dir.SetUnifiedSettings(context.Background(), boot.ID, []directory.SettingValue{
		{Name: "CustomBlockedWordsList", Value: "payroll"}, {Name: "PrefixSuffixNamingRequirement", Value: "GRP_[GroupName]"},
		{Name: "ClassificationList", Value: "low"}, {Name: "DefaultClassification", Value: "low"},
		{Name: "EnableGroupCreation", Value: "false"}}); err != nil {
		t.Fatal(err)
	}
	r := e.do("POST", "/groups", `{"displayName":"Payroll"}`)
	id := e.created(r, "groups")
	var g map[string]any
	mustUnmarshal(t, r.body, &g)
	if g["displayName"] != "Payroll" {
		t.Errorf("displayName %v", g["displayName"])
	}
	stored, err := e.dir.Group(context.Background(), boot.ID, id)
	if err != nil || stored.IsUnified() || stored.Classification != "" || stored.DisplayName != "Payroll" {
		b, _ := json.Marshal(stored)
		t.Fatalf("stored %s, %v", b, err)
	}
}
