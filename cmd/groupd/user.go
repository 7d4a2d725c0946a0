package main

import (
	"context"
	"encoding/json"
	"flag"

	"groupd/internal/server"
)

// userTenantHelp describes --tenant of the user commands.
const userTenantHelp = "tenant `ID` or verified domain (default: the tenant of the UPN's domain, else the default tenant)"

func userCreateCmd(fs *flag.FlagSet) action {
	var nu server.NewUser
	storeCfg := storeFlags(fs)
	fs.StringVar(&nu.Tenant, "tenant", "", userTenantHelp)
	fs.StringVar(&nu.UPN, "upn", "", "userPrincipalName `UPN`, alias@domain (required)")
	fs.StringVar(&nu.Password, "password", "", "`PASSWORD` for HTTP Basic sign-in (required)")
	fs.BoolVar(&nu.Admin, "admin", false, "make the user a Global Administrator of its tenant")
	fs.BoolVar(&nu.Guest, "guest", false, "make the user a guest (userType Guest), whom the tenant's Group.Unified guest settings govern")
	fs.StringVar(&nu.DisplayName, "display-name", "", "display `NAME` (default: the UPN's alias)")
	return func(ctx context.Context, env cmdEnv) error {
		if nu.UPN == "" || nu.Password == "" {
			return usageError("--upn and --password are required")
		}
		nu.DataDir, nu.DatabaseURL = storeCfg()
		u, err := server.CreateUser(ctx, nu)
		if err != nil {
			return err
		}
		return json.NewEncoder(env.stdout).Encode(struct {
			ID                string `json:"id"`
			UserPrincipalName string `json:"userPrincipalName"`
			TenantID          string `json:"tenantId"`
		}{string(u.ID), u.UserPrincipalName, string(u.TenantID)})
	}
}

func userPasswordCmd(fs *flag.FlagSet) action {
	var pr server.PasswordReset
	storeCfg := storeFlags(fs)
	fs.StringVar(&pr.Tenant, "tenant", "", userTenantHelp)
	fs.StringVar(&pr.UPN, "upn", "", "userPrincipalName `UPN` of the user, or its account name such as admin (required)")
	fs.StringVar(&pr.Password, "password", "", "new `PASSWORD` (default: one is generated and printed)")
	return func(ctx context.Context, env cmdEnv) error {
		if pr.UPN == "" {
			return usageError("--upn is required")
		}
		pr.DataDir, pr.DatabaseURL = storeCfg()
		generated := pr.Password == ""
		u, pw, err := server.ResetPassword(ctx, pr)
		if err != nil {
			return err
		}
		out := struct {
			ID                string `json:"id"`
			UserPrincipalName string `json:"userPrincipalName"`
			TenantID          string `json:"tenantId"`
			Password          string `json:"password,omitempty"`
		}{ID: string(u.ID), UserPrincipalName: u.UserPrincipalName, TenantID: string(u.TenantID)}
		if generated {
			out.Password = pw
		}
		return json.NewEncoder(env.stdout).Encode(out)
	}
}
