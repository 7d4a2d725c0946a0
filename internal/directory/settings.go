package directory

import (
	"context"
	"errors"
	"slices"
	"strings"
)

// SettingTemplate is a read-only template of group settings (Microsoft
// Graph's groupSettingTemplate): the names a setting may hold, with types,
// defaults and descriptions.
type SettingTemplate struct {
	ID          string
	DisplayName string
	Description string
	Values      []SettingDefinition
}

// SettingDefinition is one value a template defines.
type SettingDefinition struct {
	Name         string
	Type         string // "System.Boolean", "System.String", "System.Guid"
	DefaultValue string
	Description  string
}

// UnifiedTemplateID is the id Entra gives the Group.Unified template in
// every tenant; scripts written for Entra name it literally.
const UnifiedTemplateID = "62375ab9-6b52-47ed-826b-58e47e0e304b"

// Names of the Group.Unified values the directory enforces.
const (
	SettingClassificationList    = "ClassificationList"
	SettingDefaultClassification = "DefaultClassification"
	SettingNamingRequirement     = "PrefixSuffixNamingRequirement"
	SettingBlockedWords          = "CustomBlockedWordsList"
	SettingEnableGroupCreation   = "EnableGroupCreation"
	SettingCreationAllowedGroup  = "GroupCreationAllowedGroupId"
	SettingAllowGuests           = "AllowToAddGuests"
	SettingGuestOwners           = "AllowGuestsToBeGroupOwner"
)

// unifiedTemplate is Entra's Group.Unified template with its defaults.
var unifiedTemplate = SettingTemplate{
	ID:          UnifiedTemplateID,
	DisplayName: "Group.Unified",
	Description: "Setting templates define the different settings that can be used for the associated ObjectSettings. This template defines settings that can be used for Unified Groups.",
	Values: []SettingDefinition{
		{"CustomBlockedWordsList", "System.String", "", "A comma-delimited list of blocked words for Unified Group displayName and mailNickName."},
		{"EnableMSStandardBlockedWords", "System.Boolean", "false", "A flag indicating whether or not to enable the Microsoft Standard list of blocked words for Unified Group displayName and mailNickName."},
		{"ClassificationDescriptions", "System.String", "", "A comma-delimited list of structured strings describing the classification values in the ClassificationList. The structure of the string is: Value: Description"},
		{"DefaultClassification", "System.String", "", "The classification value to be used by default for Unified Group creation."},
		{"PrefixSuffixNamingRequirement", "System.String", "", "The format string used to enforce a consistent naming convention for Unified Groups. Must contain [GroupName]; attributes such as [Department] come from the creating user."},
		{"AllowGuestsToBeGroupOwner", "System.Boolean", "false", "Flag indicating if guests are allowed to be owner in any Unified Group."},
		{"AllowGuestsToAccessGroups", "System.Boolean", "true", "Flag indicating if guests are allowed to access any Unified Group resources."},
		{"GuestUsageGuidelinesUrl", "System.String", "", "A link to the Group Usage Guidelines for guests."},
		{"GroupCreationAllowedGroupId", "System.Guid", "", "Guid of the security group that is always allowed to create Unified Groups."},
		{"AllowToAddGuests", "System.Boolean", "true", "Flag indicating if guests are allowed in any Unified Group."},
		{"UsageGuidelinesUrl", "System.String", "", "A link to the Group Usage Guidelines."},
		{"ClassificationList", "System.String", "", "A comma-delimited list of valid classification values that can be applied to Unified Groups."},
		{"EnableGroupCreation", "System.Boolean", "true", "Flag indicating if group creation feature is on."},
		{"NewUnifiedGroupWritebackDefault", "System.Boolean", "true", "Flag indicating whether new Unified Groups are written back to on-premises by default."},
		{"EnableMIPLabels", "System.Boolean", "false", "Flag indicating whether sensitivity labels can be assigned to Unified Groups."},
	},
}

// SettingTemplates lists the templates the directory knows.
func (s *Service) SettingTemplates() []SettingTemplate {
	return []SettingTemplate{unifiedTemplate, guestTemplate}
}

// SettingTemplate returns a template by id (case-insensitive).
func (s *Service) SettingTemplate(id string) (SettingTemplate, error) {
	for _, t := range s.SettingTemplates() {
		if strings.EqualFold(id, t.ID) {
			return t, nil
		}
	}
	return SettingTemplate{}, &NotFoundError{Kind: "groupSettingTemplate", ID: id}
}

// CreateGroupSetting creates a setting of a template: values not given
// take the template's defaults. The tenant holds settings of
// Group.Unified, a Microsoft 365 group of Group.Unified.Guest, one of each
// template (*ConflictError naming templateId).
func (s *Service) CreateGroupSetting(ctx context.Context, tenant TenantID, sc SettingsScope, templateID string, values []SettingValue) (GroupSetting, error) {
	groupKey, err := sc.groupKey()
	if err != nil {
		return GroupSetting{}, err
	}
	tpl, err := s.SettingTemplate(templateID)
	if err != nil {
		return GroupSetting{}, &ValidationError{Property: "templateId", Reason: ReasonInvalidValue,
			Detail: "no setting template has the id " + templateID}
	}
	if (groupKey == "") != (tpl.ID != GuestTemplateID) {
		detail := "the template " + tpl.DisplayName + " holds settings of one Microsoft 365 group, not of the tenant"
		if groupKey != "" {
			detail = "the template " + tpl.DisplayName + " holds settings of the tenant, not of one group"
		}
		return GroupSetting{}, &ValidationError{Property: "templateId", Reason: ReasonInvalidValue, Detail: detail}
	}
	st := GroupSetting{ID: NewObjectID(), TenantID: tenant, TemplateID: tpl.ID, DisplayName: tpl.DisplayName,
		CreatedAt: s.clock()}
	st.Values = defaults(tpl)
	err = s.update(ctx, tenant, func(tx Tx, log *changeLog) error {
		if groupKey != "" {
			g, err := s.settingGroupTx(ctx, tx, tenant, groupKey)
			if err != nil {
				return err
			}
			st.GroupID = g.ID
		}
		if err := mergeValues(ctx, tx, tenant, tpl, &st, values); err != nil {
			return err
		}
		if err := tx.InsertGroupSetting(ctx, st); err != nil {
			return err
		}
		log.add(KindGroupSetting, st.ID, OpCreated, valueNames(values))
		return nil
	})
	return st, err
}

// UpdateGroupSetting changes the named values of a setting; the others keep
// theirs. Naming none changes nothing, so nothing is written or audited,
// as for a group update that names no property.
func (s *Service) UpdateGroupSetting(ctx context.Context, tenant TenantID, sc SettingsScope, key string, values []SettingValue) error {
	if len(values) == 0 {
		_, err := s.GroupSetting(ctx, tenant, sc, key)
		return err
	}
	groupKey, err := sc.groupKey()
	if err != nil {
		return err
	}
	return s.update(ctx, tenant, func(tx Tx, log *changeLog) error {
		st, err := s.scopedSettingTx(ctx, tx, tenant, groupKey, key)
		if err != nil {
			return err
		}
		tpl, err := s.SettingTemplate(st.TemplateID)
		if err != nil {
			return err
		}
		if err := mergeValues(ctx, tx, tenant, tpl, &st, values); err != nil {
			return err
		}
		if err := tx.ReplaceGroupSetting(ctx, st); err != nil {
			return err
		}
		log.add(KindGroupSetting, st.ID, OpUpdated, valueNames(values))
		return nil
	})
}

// DeleteGroupSetting removes a setting; the template's defaults apply
// again (for a group: the tenant's values).
func (s *Service) DeleteGroupSetting(ctx context.Context, tenant TenantID, sc SettingsScope, key string) error {
	groupKey, err := sc.groupKey()
	if err != nil {
		return err
	}
	return s.update(ctx, tenant, func(tx Tx, log *changeLog) error {
		st, err := s.scopedSettingTx(ctx, tx, tenant, groupKey, key)
		if err != nil {
			return err
		}
		if err := tx.DeleteGroupSetting(ctx, tenant, st.ID); err != nil {
			return err
		}
		log.add(KindGroupSetting, st.ID, OpHardDeleted, nil)
		return nil
	})
}

// SetUnifiedSettings changes values of the tenant's Group.Unified setting,
// creating it from the template first when the tenant has none.
func (s *Service) SetUnifiedSettings(ctx context.Context, tenant TenantID, values []SettingValue) (GroupSetting, error) {
	return s.setTemplateValues(ctx, tenant, SettingsScope{}, UnifiedTemplateID, values)
}

// setTemplateValues changes values of the setting of a template that the
// scope holds, creating it first when there is none.
func (s *Service) setTemplateValues(ctx context.Context, tenant TenantID, sc SettingsScope, templateID string, values []SettingValue) (GroupSetting, error) {
	st, err := s.templateSetting(ctx, tenant, sc, templateID)
	if errors.Is(err, ErrNotFound) {
		st, err = s.CreateGroupSetting(ctx, tenant, sc, templateID, values)
		if !errors.Is(err, ErrConflict) {
			return st, err
		}
		st, err = s.templateSetting(ctx, tenant, sc, templateID) // created meanwhile
	}
	if err != nil {
		return GroupSetting{}, err
	}
	if err := s.UpdateGroupSetting(ctx, tenant, sc, string(st.ID), values); err != nil {
		return GroupSetting{}, err
	}
	return s.templateSetting(ctx, tenant, sc, templateID)
}

// templateSetting returns the setting of a template that the scope holds;
// *NotFoundError (KindGroupSetting) when there is none.
func (s *Service) templateSetting(ctx context.Context, tenant TenantID, sc SettingsScope, templateID string) (GroupSetting, error) {
	owner, err := s.settingsOwner(ctx, tenant, sc)
	if err != nil {
		return GroupSetting{}, err
	}
	return templateIn(ctx, s.store, tenant, owner, templateID)
}

// templateIn returns the setting of a template that the tenant (group "")
// or group holds, read through r; *NotFoundError (KindGroupSetting) when
// there is none.
func templateIn(ctx context.Context, r Reader, tenant TenantID, group ObjectID, templateID string) (GroupSetting, error) {
	return settingWhere(ctx, r, tenant, group, templateID, func(st GroupSetting) bool { return st.TemplateID == templateID })
}

// UnifiedSettings returns the values in force for Microsoft 365 groups:
// the tenant's Group.Unified setting, or the template's defaults.
func (s *Service) UnifiedSettings(ctx context.Context, tenant TenantID) ([]SettingValue, error) {
	return s.unifiedValues(ctx, s.store, tenant)
}

// unifiedValues is UnifiedSettings read through r (a transaction's reads
// see its own writes).
func (s *Service) unifiedValues(ctx context.Context, r Reader, tenant TenantID) ([]SettingValue, error) {
	st, err := templateIn(ctx, r, tenant, "", UnifiedTemplateID)
	if errors.Is(err, ErrNotFound) {
		return defaults(unifiedTemplate), nil
	}
	return st.Values, err
}

// settingTx returns the setting key of the tenant (group "") or of group.
func settingTx(ctx context.Context, r Reader, tenant TenantID, group ObjectID, key string) (GroupSetting, error) {
	return settingWhere(ctx, r, tenant, group, key, func(st GroupSetting) bool { return strings.EqualFold(string(st.ID), key) })
}

// settingWhere returns the setting of the tenant (group "") or of group,
// read through r, that match accepts; a *NotFoundError naming id when none
// does.
func settingWhere(ctx context.Context, r Reader, tenant TenantID, group ObjectID, id string, match func(GroupSetting) bool) (GroupSetting, error) {
	list, err := r.GroupSettings(ctx, tenant, group)
	if err != nil {
		return GroupSetting{}, err
	}
	for _, st := range list {
		if match(st) {
			return st, nil
		}
	}
	return GroupSetting{}, &NotFoundError{Kind: KindGroupSetting, ID: id}
}

func defaults(tpl SettingTemplate) []SettingValue {
	out := make([]SettingValue, len(tpl.Values))
	for i, d := range tpl.Values {
		out[i] = SettingValue{Name: d.Name, Value: d.DefaultValue}
	}
	return out
}

func valueNames(values []SettingValue) []string {
	out := make([]string, 0, len(values))
	for _, v := range values {
		out = append(out, v.Name)
	}
	return out
}

// mergeValues validates values against the template and writes them into
// st, then checks the values that depend on each other.
func mergeValues(ctx context.Context, tx Tx, tenant TenantID, tpl SettingTemplate, st *GroupSetting, values []SettingValue) error {
	for n, v := range values {
		i := slices.IndexFunc(tpl.Values, func(d SettingDefinition) bool { return strings.EqualFold(d.Name, v.Name) })
		if i < 0 {
			return &ValidationError{Property: "values", Reason: ReasonInvalidValue,
				Detail: "the template " + tpl.DisplayName + " has no setting named " + v.Name}
		}
		def := tpl.Values[i]
		// Which of two values would win is the caller's guess, not a rule.
		if slices.ContainsFunc(values[:n], func(w SettingValue) bool { return strings.EqualFold(w.Name, v.Name) }) {
			return &ValidationError{Property: def.Name, Reason: ReasonInvalidValue,
				Detail: "the setting " + def.Name + " is given more than once"}
		}
		val := strings.TrimSpace(v.Value)
		switch def.Type {
		case "System.Boolean":
			switch strings.ToLower(val) {
			case "true", "false":
				val = strings.ToLower(val)
			default:
				return &ValidationError{Property: def.Name, Reason: ReasonInvalidValue, Detail: "the value must be true or false"}
			}
		case "System.Guid":
			if val != "" {
				id, ok := ParseObjectID(val)
				if !ok {
					return &ValidationError{Property: def.Name, Reason: ReasonInvalidValue, Detail: "the value must be a group id"}
				}
				val = string(id)
			}
		}
		st.Values = setValue(st.Values, def.Name, val)
	}
	if tpl.ID != UnifiedTemplateID {
		return nil
	}
	p := parseUnified(st.Values)
	// The default is kept in the list's spelling, which is what a group
	// that names the classification itself gets: "LOW" with the list
	// "low,high" stores "low". Any change of values respells it, so a
	// respelt list carries its default along.
	if i := slices.IndexFunc(p.classifications, func(c string) bool { return strings.EqualFold(c, p.defaultClassification) }); i >= 0 {
		p.defaultClassification = p.classifications[i]
		st.Values = setValue(st.Values, SettingDefaultClassification, p.defaultClassification)
	}
	return checkUnifiedValues(ctx, tx, tenant, p)
}

func setValue(list []SettingValue, name, value string) []SettingValue {
	for i := range list {
		if list[i].Name == name {
			list[i].Value = value
			return list
		}
	}
	return append(list, SettingValue{Name: name, Value: value})
}
