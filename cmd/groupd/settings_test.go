package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"groupd/internal/directory"
	"groupd/internal/store"
)

// TestSettingsCommands: get shows the template's defaults, set stores
// values and prints them, a bad value is refused and changes nothing.
func TestSettingsCommands(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := groupd("tenant", "create", "--data-dir", dir, "--domain", "fabrikam.example"); code != exitOK {
		t.Fatalf("tenant create: %s", errOut)
	}
	tenant := []string{"--data-dir", dir, "--tenant", "fabrikam.example"}
	get := func() (out struct {
		TenantID, ID, TemplateID string
		Values                   map[string]string
	}) {
		t.Helper()
		code, stdout, errOut := groupd(append([]string{"settings", "get"}, tenant...)...)
		if code != exitOK {
			t.Fatalf("settings get: %d %s", code, errOut)
		}
		if err := json.Unmarshal([]byte(stdout), &out); err != nil {
			t.Fatalf("settings get printed %q", stdout)
		}
		return out
	}
	if s := get(); s.ID != "" || s.TemplateID != "62375ab9-6b52-47ed-826b-58e47e0e304b" || s.Values["EnableGroupCreation"] != "true" || len(s.Values) != 15 {
		t.Fatalf("defaults: %+v", s)
	}
	code, out, errOut := groupd(append([]string{"settings", "set", "--value", "ClassificationList=low,high",
		"--value", "DefaultClassification=low"}, tenant...)...)
	if code != exitOK || !strings.Contains(out, `"ClassificationList":"low,high"`) {
		t.Fatalf("settings set: %d %s %s", code, out, errOut)
	}
	if s := get(); s.ID == "" || s.Values["DefaultClassification"] != "low" {
		t.Fatalf("after set: %+v", s)
	}
	if code, _, errOut := groupd(append([]string{"settings", "set", "--value", "DefaultClassification=secret"}, tenant...)...); code != exitError || errOut == "" {
		t.Errorf("bad value: %d %s", code, errOut)
	}
	if code, _, _ := groupd(append([]string{"settings", "set", "--value", "novalue"}, tenant...)...); code != exitUsage {
		t.Errorf("malformed --value: exit %d", code)
	}
	if s := get(); s.Values["DefaultClassification"] != "low" {
		t.Fatalf("a refused set changed %+v", s)
	}
	code, out, _ = groupd(append([]string{"settings", "get", "--output", "text"}, tenant...)...)
	if code != exitOK || !strings.Contains(out, "ClassificationList") || !strings.Contains(out, "low,high") {
		t.Errorf("text output: %s", out)
	}
}

// TestGroupSettingsCommands: --group reads and sets a Microsoft 365
// group's own Group.Unified.Guest setting; a security group is refused.
func TestGroupSettingsCommands(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := groupd("tenant", "create", "--data-dir", dir, "--domain", "fabrikam.example"); code != exitOK {
		t.Fatalf("tenant create: %s", errOut)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	svc := directory.New(st)
	tn, err := svc.TenantByDomain(ctx, "fabrikam.example")
	if err != nil {
		t.Fatal(err)
	}
	group := func(name string, types ...string) string {
		yes, no := true, false
		f := directory.GroupFields{DisplayName: &name, MailNickname: &name, MailEnabled: &no, SecurityEnabled: &yes}
		if len(types) > 0 {
			f.MailEnabled, f.SecurityEnabled, f.GroupTypes = &yes, &no, &types
		}
		g, err := svc.CreateGroup(ctx, tn.ID, directory.GroupCreate{Fields: f})
		if err != nil {
			t.Fatal(err)
		}
		return string(g.ID)
	}
	team, sec := group("team", directory.GroupTypeUnified), group("sec")
	st.Close()

	args := func(cmd string, more ...string) []string {
		return append([]string{"settings", cmd, "--data-dir", dir, "--tenant", "fabrikam.example"}, more...)
	}
	var out struct {
		GroupID, ID, TemplateID string
		Values                  map[string]string
	}
	code, stdout, errOut := groupd(args("get", "--group", team)...)
	if code != exitOK || json.Unmarshal([]byte(stdout), &out) != nil || out.GroupID != team || out.ID != "" ||
		out.TemplateID != directory.GuestTemplateID || len(out.Values) != 1 || out.Values["AllowToAddGuests"] != "true" {
		t.Fatalf("group defaults: %d %s %s", code, stdout, errOut)
	}
	code, stdout, errOut = groupd(args("set", "--group", team, "--value", "AllowToAddGuests=false")...)
	if code != exitOK || json.Unmarshal([]byte(stdout), &out) != nil || out.ID == "" || out.Values["AllowToAddGuests"] != "false" {
		t.Fatalf("group set: %d %s %s", code, stdout, errOut)
	}
	if code, _, errOut := groupd(args("set", "--group", team, "--value", "ClassificationList=x")...); code != exitError || !strings.Contains(errOut, "ClassificationList") {
		t.Errorf("a Group.Unified value on a group: %d %s", code, errOut)
	}
	if code, _, errOut := groupd(args("set", "--group", sec, "--value", "AllowToAddGuests=false")...); code != exitError || !strings.Contains(errOut, "groupTypes") {
		t.Errorf("a security group: %d %s", code, errOut)
	}
	code, stdout, _ = groupd(args("get")...)
	if code != exitOK || strings.Contains(stdout, `"groupId"`) || !strings.Contains(stdout, `"AllowToAddGuests":"true"`) {
		t.Errorf("the tenant's settings after the group's: %s", stdout)
	}
}
