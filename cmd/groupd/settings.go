package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"groupd/internal/directory"
)

// settingsOut is the tenant's Group.Unified values in force, or a group's
// Group.Unified.Guest values: the stored setting, or the template's
// defaults (id empty) when there is none.
type settingsOut struct {
	TenantID   string            `json:"tenantId"`
	GroupID    string            `json:"groupId,omitempty"`
	ID         string            `json:"id"`
	TemplateID string            `json:"templateId"`
	Values     map[string]string `json:"values"`
	order      []string
}

func unifiedOut(ctx context.Context, svc *directory.Service, t directory.TenantID) (settingsOut, error) {
	o := settingsOut{TenantID: string(t), TemplateID: directory.UnifiedTemplateID, Values: map[string]string{}}
	list, err := svc.GroupSettings(ctx, t, directory.SettingsScope{})
	if err != nil {
		return o, err
	}
	for _, s := range list {
		if s.TemplateID == directory.UnifiedTemplateID {
			o.ID = string(s.ID)
		}
	}
	values, err := svc.UnifiedSettings(ctx, t)
	if err != nil {
		return o, err
	}
	for _, v := range values {
		o.Values[v.Name] = v.Value
		o.order = append(o.order, v.Name)
	}
	return o, nil
}

// groupOut is a group's Group.Unified.Guest values in force.
func groupOut(ctx context.Context, svc *directory.Service, t directory.TenantID, group string) (settingsOut, error) {
	st, err := svc.GroupGuestSettings(ctx, t, group)
	if err != nil {
		return settingsOut{}, err
	}
	o := settingsOut{TenantID: string(t), GroupID: string(st.GroupID), ID: string(st.ID), TemplateID: st.TemplateID,
		Values: map[string]string{}}
	for _, v := range st.Values {
		o.Values[v.Name] = v.Value
		o.order = append(o.order, v.Name)
	}
	return o, nil
}

// settingsIn reads the values of the tenant, or of the group when one is
// given.
func settingsIn(ctx context.Context, svc *directory.Service, t directory.TenantID, group string) (settingsOut, error) {
	if group != "" {
		return groupOut(ctx, svc, t, group)
	}
	return unifiedOut(ctx, svc, t)
}

// groupFlag is --group of the settings commands.
func groupFlag(fs *flag.FlagSet) *string {
	return fs.String("group", "", "a Microsoft 365 group's `ID`: its own Group.Unified.Guest setting (AllowToAddGuests) instead of the tenant's Group.Unified")
}

func (o settingsOut) write(env cmdEnv, output string) error {
	if output == "json" {
		return writeJSON(env.stdout, o)
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	for _, name := range o.order {
		fmt.Fprintf(tw, "%s\t%s\n", name, o.Values[name])
	}
	return tw.Flush()
}

// settingsGetCmd prints the tenant's Group.Unified settings.
func settingsGetCmd(fs *flag.FlagSet) action {
	f := newAppFlags(fs, false)
	output := outputFlag(fs)
	group := groupFlag(fs)
	return func(ctx context.Context, env cmdEnv) error {
		if err := checkOutput(*output); err != nil {
			return err
		}
		return f.run(ctx, func(svc *directory.Service, t directory.TenantID) error {
			o, err := settingsIn(ctx, svc, t, *group)
			if err != nil {
				return err
			}
			return o.write(env, *output)
		})
	}
}

// settingsSetCmd changes Group.Unified values (NAME=VALUE, repeatable),
// creating the tenant's setting from the template when it has none, and
// prints the values in force afterwards.
func settingsSetCmd(fs *flag.FlagSet) action {
	f := newAppFlags(fs, false)
	output := outputFlag(fs)
	group := groupFlag(fs)
	var pairs stringList
	fs.Var(&pairs, "value", "`NAME=VALUE` to set, e.g. ClassificationList=low,high (repeatable; an empty VALUE clears)")
	return func(ctx context.Context, env cmdEnv) error {
		if err := checkOutput(*output); err != nil {
			return err
		}
		if len(pairs) == 0 {
			return usageError("at least one --value NAME=VALUE is required")
		}
		values := make([]directory.SettingValue, 0, len(pairs))
		for _, p := range pairs {
			name, value, ok := strings.Cut(p, "=")
			if !ok || strings.TrimSpace(name) == "" {
				return usageError(fmt.Sprintf("--value %q is not NAME=VALUE", p))
			}
			values = append(values, directory.SettingValue{Name: strings.TrimSpace(name), Value: value})
		}
		return f.run(ctx, func(svc *directory.Service, t directory.TenantID) error {
			var err error
			if *group != "" {
				_, err = svc.SetGroupGuestSettings(ctx, t, *group, values)
			} else {
				_, err = svc.SetUnifiedSettings(ctx, t, values)
			}
			if err != nil {
				return err
			}
			o, err := settingsIn(ctx, svc, t, *group)
			if err != nil {
				return err
			}
			return o.write(env, *output)
		})
	}
}
