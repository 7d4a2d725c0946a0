package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"groupd/internal/directory"
	"groupd/internal/server"
)

type auditOut struct {
	ID            string        `json:"id"`
	Time          string        `json:"activityDateTime"`
	Activity      string        `json:"activityDisplayName"`
	Category      string        `json:"category"`
	OperationType string        `json:"operationType"`
	Initiator     initiatorOut  `json:"initiatedBy"`
	Targets       []auditTarget `json:"targetResources"`
	CorrelationID string        `json:"correlationId"`
	ClientAddress string        `json:"clientAddress,omitempty"`
}

type initiatorOut struct {
	Kind  string `json:"kind"`
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
	AppID string `json:"appId,omitempty"`
}

type auditTarget struct {
	ID                 string   `json:"id"`
	Type               string   `json:"type"`
	DisplayName        string   `json:"displayName,omitempty"`
	UserPrincipalName  string   `json:"userPrincipalName,omitempty"`
	ModifiedProperties []string `json:"modifiedProperties,omitempty"`
}

func auditCmd(fs *flag.FlagSet) action {
	get := storeFlags(fs)
	tenant := fs.String("tenant", "", "tenant `ID` or verified domain (default: the default tenant)")
	since := fs.String("since", "", "entries at or after `TIME` (RFC 3339, or a duration back from now such as 24h)")
	until := fs.String("until", "", "entries at or before `TIME` (RFC 3339, or a duration back from now)")
	activity := fs.String("activity", "", "only this `ACTIVITY`, e.g. \"Add member to group\"")
	target := fs.String("target", "", "only entries naming this object `ID` (changed object, member or owner)")
	limit := fs.Int("limit", 0, "at most `N` entries (0: all)")
	output := fs.String("output", "json", "`FORMAT`: json (one array) or table")
	return func(ctx context.Context, env cmdEnv) error {
		if *output != "json" && *output != "table" {
			return usageError("--output must be json or table")
		}
		var q directory.AuditQuery
		var err error
		if q.Since, err = parseWhen(*since, "--since"); err != nil {
			return err
		}
		if q.Until, err = parseWhen(*until, "--until"); err != nil {
			return err
		}
		if *activity != "" {
			q.Activities = directory.ActivitiesNamed(*activity)
		}
		q.Target = directory.ObjectID(*target)
		out := []auditOut{}
		err = server.AuditLog(ctx, storeRef(get), *tenant, q, *limit, func(e directory.AuditEntry) bool {
			out = append(out, auditJSON(e))
			return true
		})
		if err != nil {
			return err
		}
		if *output == "json" {
			enc := json.NewEncoder(env.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(out)
		}
		tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "TIME\tACTIVITY\tINITIATED BY\tTARGETS\tCORRELATION ID")
		for _, a := range out {
			by := a.Initiator.Name
			if by == "" {
				by = a.Initiator.ID
			}
			var ts []string
			for _, t := range a.Targets {
				name := t.UserPrincipalName
				if name == "" {
					name = t.DisplayName
				}
				if name == "" {
					name = t.ID
				}
				ts = append(ts, t.Type+" "+name)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.Time, a.Activity, by, strings.Join(ts, ", "), a.CorrelationID)
		}
		return tw.Flush()
	}
}

func auditJSON(e directory.AuditEntry) auditOut {
	o := auditOut{
		ID: e.ID, Time: e.At.UTC().Format(time.RFC3339Nano), Activity: e.Activity.DisplayName,
		Category: e.Activity.Category, OperationType: e.Activity.OperationType,
		Initiator:     initiatorOut{Kind: string(e.Actor.Kind), ID: e.Actor.ID, Name: e.Actor.Name, AppID: e.InitiatorAppID},
		CorrelationID: e.RequestID, ClientAddress: e.ClientAddr, Targets: []auditTarget{},
	}
	for _, t := range e.Targets {
		o.Targets = append(o.Targets, auditTarget{ID: t.ID, Type: string(t.Kind), DisplayName: t.DisplayName,
			UserPrincipalName: t.UserPrincipalName, ModifiedProperties: t.Properties})
	}
	return o
}

// parseWhen reads an RFC 3339 time or a duration back from now.
func parseWhen(v, flagName string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC(), nil
	}
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return time.Now().UTC().Add(-d), nil
	}
	return time.Time{}, usageError(flagName + " wants an RFC 3339 time (2026-01-02T15:04:05Z) or a duration such as 24h")
}
