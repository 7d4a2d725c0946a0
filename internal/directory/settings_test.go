package directory_test

import (
	"errors"
	"testing"

	"groupd/internal/directory"
)

// unifiedValue reads one value of the tenant's Group.Unified setting.
func (e *env) unifiedValue(name string) string {
	e.t.Helper()
	values, err := e.svc.UnifiedSettings(e.ctx, e.tenant.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, v := range values {
		if v.Name == name {
			return v.Value
		}
	}
	e.t.Fatalf("no setting %s", name)
	return ""
}

// TestDefaultClassificationSpelling: the default classification is kept
// in the list's spelling, so new groups get a value of the list; a list
// respelt later carries the default along, and one without it refuses it.
func TestDefaultClassificationSpelling(t *testing.T) {
	e := newEnv(t)
	e.setUnified(directory.SettingClassificationList, "low, high")
	e.setUnified(directory.SettingDefaultClassification, " LOW ")
	if v := e.unifiedValue(directory.SettingDefaultClassification); v != "low" {
		t.Errorf("default %q, want the list's spelling low", v)
	}
	g, err := e.svc.CreateGroup(e.ctx, e.tenant.ID, directory.GroupCreate{Fields: directory.GroupFields{
		DisplayName: s("Launch"), MailNickname: s("launch"), MailEnabled: b(true), SecurityEnabled: b(false),
		GroupTypes: &[]string{"Unified"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if g.Classification != "low" {
		t.Errorf("new group's classification %q, want low", g.Classification)
	}
	e.setUnified(directory.SettingClassificationList, "Low,High")
	if v := e.unifiedValue(directory.SettingDefaultClassification); v != "Low" {
		t.Errorf("default %q after the list was respelt, want Low", v)
	}
	if _, err := e.svc.SetUnifiedSettings(e.ctx, e.tenant.ID, []directory.SettingValue{
		{Name: directory.SettingClassificationList, Value: "high"}}); err == nil {
		t.Error("a list without the default was accepted")
	}
}

// TestUpdateGroupSettingWithoutValues: an update naming no value writes
// nothing (no change, so no audit entry), and still needs the setting.
func TestUpdateGroupSettingWithoutValues(t *testing.T) {
	e := newEnv(t)
	e.setUnified(directory.SettingClassificationList, "low")
	st, err := e.svc.SetUnifiedSettings(e.ctx, e.tenant.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	audited := func() int {
		p, err := e.svc.AuditLog(e.ctx, e.tenant.ID, directory.AuditQuery{Target: st.ID, Page: directory.PageRequest{Top: 999}})
		if err != nil {
			t.Fatal(err)
		}
		return len(p.Items)
	}
	before := audited()
	if err := e.svc.UpdateGroupSetting(e.ctx, e.tenant.ID, directory.SettingsScope{}, string(st.ID), nil); err != nil {
		t.Fatal(err)
	}
	if n := audited(); n != before {
		t.Errorf("%d audit entries after an empty update, want %d", n, before)
	}
	if err := e.svc.UpdateGroupSetting(e.ctx, e.tenant.ID, directory.SettingsScope{}, string(directory.NewObjectID()), nil); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("empty update of a missing setting: %v, want not found", err)
	}
}

// TestSettingNamedTwice: values naming one setting twice, in any letter
// case, are refused whole, by every caller (the command line as well as
// Graph), instead of the last one winning.
func TestSettingNamedTwice(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.SetUnifiedSettings(e.ctx, e.tenant.ID, []directory.SettingValue{
		{Name: "CustomBlockedWordsList", Value: "ceo"},
		{Name: "customblockedwordslist", Value: "payroll"}})
	var ve *directory.ValidationError
	if !errors.As(err, &ve) || ve.Property != "CustomBlockedWordsList" {
		t.Fatalf("err %v, want a validation error on %s", err, "CustomBlockedWordsList")
	}
	if v := e.unifiedValue("CustomBlockedWordsList"); v != "" {
		t.Errorf("blocked words %q after a refused change", v)
	}
}
