package directory_test

import (
	"errors"
	"testing"

	"groupd/internal/directory"
)

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
