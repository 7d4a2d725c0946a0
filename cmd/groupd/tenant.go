package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"groupd/internal/directory"
	"groupd/internal/server"
)

// storeRef reads the store flags into a server.StoreRef.
func storeRef(get func() (string, string)) server.StoreRef {
	dir, db := get()
	return server.StoreRef{DataDir: dir, DatabaseURL: db}
}

// outputFlag defines --output for list commands: json (one document, for
// scripts) or text (aligned columns, for people).
func outputFlag(fs *flag.FlagSet) *string {
	return fs.String("output", "json", "`FORMAT` of the list: json or text")
}

func checkOutput(o string) error {
	if o != "json" && o != "text" {
		return usageError("--output must be json or text")
	}
	return nil
}

func writeJSON(w io.Writer, v any) error { return json.NewEncoder(w).Encode(v) }

type tenantOut struct {
	TenantID  string   `json:"tenantId"`
	Domain    string   `json:"domain"`
	Name      string   `json:"displayName,omitempty"`
	Domains   []string `json:"domains,omitempty"`
	IsDefault bool     `json:"isDefault,omitempty"`
}

func tenantJSON(t directory.Tenant) tenantOut {
	o := tenantOut{TenantID: string(t.ID), Domain: t.DefaultDomain(), Name: t.DisplayName, IsDefault: t.IsDefault}
	for _, d := range t.Domains {
		o.Domains = append(o.Domains, d.Name)
	}
	return o
}

func tenantCreateCmd(fs *flag.FlagSet) action {
	get := storeFlags(fs)
	name := fs.String("name", "", "display `NAME` of the tenant (default: the domain)")
	domain := fs.String("domain", "", "verified `DOMAIN` of the tenant, e.g. fabrikam.example (required)")
	return func(ctx context.Context, env cmdEnv) error {
		if *domain == "" {
			return usageError("--domain is required")
		}
		t, err := server.CreateTenant(ctx, storeRef(get), *name, *domain)
		if err != nil {
			return err
		}
		return writeJSON(env.stdout, struct {
			TenantID string `json:"tenantId"`
			Domain   string `json:"domain"`
		}{string(t.ID), t.DefaultDomain()})
	}
}

func tenantListCmd(fs *flag.FlagSet) action {
	get := storeFlags(fs)
	output := outputFlag(fs)
	return func(ctx context.Context, env cmdEnv) error {
		if err := checkOutput(*output); err != nil {
			return err
		}
		list, err := server.Tenants(ctx, storeRef(get))
		if err != nil {
			return err
		}
		out := make([]tenantOut, 0, len(list))
		for _, t := range list {
			out = append(out, tenantJSON(t))
		}
		if *output == "text" {
			for _, t := range out {
				def := ""
				if t.IsDefault {
					def = " (default)"
				}
				fmt.Fprintf(env.stdout, "%s  %-30s %s%s\n", t.TenantID, t.Domain, t.Name, def)
			}
			return nil
		}
		return writeJSON(env.stdout, out)
	}
}

// roleFlags reads repeated --role values, also comma separated.
func roleList(l stringList) []string {
	var out []string
	for _, v := range l {
		for _, r := range strings.Split(v, ",") {
			if r = strings.TrimSpace(r); r != "" {
				out = append(out, r)
			}
		}
	}
	return out
}
