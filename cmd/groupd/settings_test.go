package main

import (
	"encoding/json"
	"strings"
	"testing"
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
