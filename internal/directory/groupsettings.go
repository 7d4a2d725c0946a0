package directory

import (
	"context"
	"errors"
	"strings"
)

// A Microsoft 365 group may hold settings of its own, from the
// Group.Unified.Guest template; where the group and the tenant both set a
// value, the group's holds for it (Microsoft Graph's groupSetting).

// GuestTemplateID is the id Entra gives the Group.Unified.Guest template.
const GuestTemplateID = "08d542b9-071f-4e16-94b0-74abb372e3d9"

// guestTemplate is Entra's Group.Unified.Guest template with its default.
var guestTemplate = SettingTemplate{
	ID:          GuestTemplateID,
	DisplayName: "Group.Unified.Guest",
	Description: "Settings for a specific Unified Group",
	Values: []SettingDefinition{
		{"AllowToAddGuests", "System.Boolean", "true", "Flag indicating if guests are allowed in a specific Unified Group."},
	},
}

// SettingsScope names whose settings a call reads or writes: the
// tenant's (the zero value) or those of one Microsoft 365 group.
type SettingsScope struct {
	OfGroup bool
	Group   string // the group's key, when OfGroup
}

// GroupScope is the scope of the group key names.
func GroupScope(key string) SettingsScope { return SettingsScope{OfGroup: true, Group: key} }

// groupKey is the group key the scope names, "" for the tenant; a group
// scope without a key names no group.
func (sc SettingsScope) groupKey() (string, error) {
	if !sc.OfGroup {
		return "", nil
	}
	if strings.TrimSpace(sc.Group) == "" {
		return "", &NotFoundError{Kind: KindGroup, ID: sc.Group}
	}
	return sc.Group, nil
}

// settingsOwner is the id of the group whose settings sc names, "" for
// the tenant's.
func (s *Service) settingsOwner(ctx context.Context, tenant TenantID, sc SettingsScope) (ObjectID, error) {
	key, err := sc.groupKey()
	if err != nil || key == "" {
		return "", err
	}
	g, err := s.Group(ctx, tenant, key)
	return g.ID, err
}

// GroupSettings lists the settings of the tenant or a group.
func (s *Service) GroupSettings(ctx context.Context, tenant TenantID, sc SettingsScope) ([]GroupSetting, error) {
	owner, err := s.settingsOwner(ctx, tenant, sc)
	if err != nil {
		return nil, err
	}
	return s.store.GroupSettings(ctx, tenant, owner)
}

// GroupSetting returns one setting of the tenant or a group.
func (s *Service) GroupSetting(ctx context.Context, tenant TenantID, sc SettingsScope, key string) (GroupSetting, error) {
	owner, err := s.settingsOwner(ctx, tenant, sc)
	if err != nil {
		return GroupSetting{}, err
	}
	return settingTx(ctx, s.store, tenant, owner, key)
}

// SetGroupGuestSettings changes values of a Microsoft 365 group's
// Group.Unified.Guest setting, creating it first when the group has none.
func (s *Service) SetGroupGuestSettings(ctx context.Context, tenant TenantID, groupKey string, values []SettingValue) (GroupSetting, error) {
	return s.setTemplateValues(ctx, tenant, GroupScope(groupKey), GuestTemplateID, values)
}

// GroupGuestSettings returns a group's Group.Unified.Guest setting, or,
// when the group has none, one with no id that holds the template's
// defaults.
func (s *Service) GroupGuestSettings(ctx context.Context, tenant TenantID, groupKey string) (GroupSetting, error) {
	owner, err := s.settingsOwner(ctx, tenant, GroupScope(groupKey))
	if err != nil {
		return GroupSetting{}, err
	}
	st, err := templateIn(ctx, s.store, tenant, owner, GuestTemplateID)
	if errors.Is(err, ErrNotFound) {
		return GroupSetting{TenantID: tenant, GroupID: owner, TemplateID: GuestTemplateID,
			DisplayName: guestTemplate.DisplayName, Values: defaults(guestTemplate)}, nil
	}
	return st, err
}

// settingGroupTx returns the group a new setting is for: group-specific
// settings apply to Microsoft 365 groups only, as in Entra.
func (s *Service) settingGroupTx(ctx context.Context, tx Tx, tenant TenantID, groupKey string) (Group, error) {
	g, err := s.groupTx(ctx, tx, tenant, groupKey)
	if err != nil {
		return g, err
	}
	if !g.IsUnified() {
		return g, &ValidationError{Property: "groupTypes", Reason: ReasonInvalidValue,
			Detail: "settings of one group apply to Microsoft 365 groups only"}
	}
	return g, nil
}

// scopedSettingTx returns the setting key of the tenant (groupKey "") or
// of the group named.
func (s *Service) scopedSettingTx(ctx context.Context, tx Tx, tenant TenantID, groupKey, key string) (GroupSetting, error) {
	if groupKey == "" {
		return settingTx(ctx, tx, tenant, "", key)
	}
	g, err := s.groupTx(ctx, tx, tenant, groupKey)
	if err != nil {
		return GroupSetting{}, err
	}
	return settingTx(ctx, tx, tenant, g.ID, key)
}

// groupAllowsGuests returns the AllowToAddGuests value g's own setting
// holds, if it has one.
func groupAllowsGuests(ctx context.Context, r Reader, g Group) (allowed, set bool, err error) {
	st, err := templateIn(ctx, r, g.TenantID, g.ID, GuestTemplateID)
	if errors.Is(err, ErrNotFound) {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	for _, v := range st.Values {
		if v.Name == SettingAllowGuests {
			return !strings.EqualFold(v.Value, "false"), true, nil
		}
	}
	return false, false, nil
}
