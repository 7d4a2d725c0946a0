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

// TestGuestPolicy: a Microsoft 365 group made through Microsoft Graph
// keeps guests out here too when the tenant's AllowToAddGuests is false,
// with a 403 in oCIS's error shape that changes nothing.
func TestGuestPolicy(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tn, err := e.dir.DefaultTenant(ctx)
	if err != nil {
		t.Fatal(err)
	}
	str := func(v string) *string { return &v }
	yes, no := true, false
	guest, err := e.dir.CreateUser(ctx, tn.ID, directory.UserFields{DisplayName: str("Gus"),
		OnPremisesSamAccountName: str("gus"), UserType: str("Guest"), Password: str("Gu3st-passw0rd")}, directory.Policy{DeriveDefaults: true})
	if err != nil {
		t.Fatal(err)
	}
	team, err := e.dir.CreateGroup(ctx, tn.ID, directory.GroupCreate{Fields: directory.GroupFields{DisplayName: str("Team"),
		MailNickname: str("team"), MailEnabled: &yes, SecurityEnabled: &no, GroupTypes: &[]string{directory.GroupTypeUnified}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.dir.SetUnifiedSettings(ctx, tn.ID, []directory.SettingValue{{Name: "AllowToAddGuests", Value: "false"}}); err != nil {
		t.Fatal(err)
	}
	before := e.state()
	e.wantError(e.do("POST", "/groups/"+string(team.ID)+"/members/$ref", `{"@odata.id":"`+seedBase+"/users/"+string(guest.ID)+`"}`), 403, "accessDenied",
		"guest users may not be added to the members of this Microsoft 365 group (tenant policy)")
	e.unchanged(before)

	// The guest signs in: it reads itself, not the directory.
	asGus := as("gus", "Gu3st-passw0rd")
	if r := e.do("GET", "/me", "", asGus); r.status != 200 {
		t.Errorf("guest's /me: %d %s", r.status, r.body)
	}
	e.wantError(e.do("GET", "/users", "", asGus), 403, "accessDenied", "the caller is not allowed to perform this action")
	e.wantError(e.do("GET", "/groups", "", asGus), 403, "accessDenied", "the caller is not allowed to perform this action")
}
