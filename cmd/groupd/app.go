package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"groupd/internal/directory"
	"groupd/internal/server"
)

// appFlags are the flags every `app` command shares: the store, the tenant
// and (except for create and list) the application.
type appFlags struct {
	get    func() (string, string)
	tenant *string
	appID  *string
}

func newAppFlags(fs *flag.FlagSet, needApp bool) appFlags {
	f := appFlags{get: storeFlags(fs)}
	f.tenant = fs.String("tenant", "", "tenant `ID` or verified domain (default: the default tenant)")
	if needApp {
		f.appID = fs.String("app", "", "application (client) `ID` (required)")
	}
	return f
}

// run resolves the tenant and runs fn.
func (f appFlags) run(ctx context.Context, fn func(svc *directory.Service, t directory.TenantID) error) error {
	if f.appID != nil && *f.appID == "" {
		return usageError("--app is required")
	}
	return server.AppCommand(ctx, storeRef(f.get), *f.tenant, fn)
}

type appOut struct {
	TenantID           string   `json:"tenantId"`
	AppID              string   `json:"appId"`
	ObjectID           string   `json:"id"`
	ServicePrincipalID string   `json:"servicePrincipalId"`
	DisplayName        string   `json:"displayName"`
	Roles              []string `json:"roles"`
	Enabled            bool     `json:"accountEnabled"`
	Secrets            []keyOut `json:"passwordCredentials"`
	Certificates       []keyOut `json:"keyCredentials"`
}

type keyOut struct {
	KeyID      string    `json:"keyId"`
	Hint       string    `json:"hint,omitempty"`
	Thumbprint string    `json:"customKeyIdentifier,omitempty"`
	Start      time.Time `json:"startDateTime"`
	End        time.Time `json:"endDateTime"`
}

func appJSON(a directory.Application) appOut {
	o := appOut{TenantID: string(a.TenantID), AppID: a.AppID, ObjectID: string(a.ID),
		ServicePrincipalID: string(a.ServicePrincipalID), DisplayName: a.DisplayName,
		Roles: []string{}, Enabled: a.Enabled, Secrets: []keyOut{}, Certificates: []keyOut{}}
	for _, r := range a.Roles {
		o.Roles = append(o.Roles, string(r))
	}
	for _, s := range a.Secrets {
		o.Secrets = append(o.Secrets, keyOut{KeyID: s.KeyID, Hint: s.Hint, Start: s.CreatedAt, End: s.ExpiresAt})
	}
	for _, c := range a.Certificates {
		o.Certificates = append(o.Certificates, keyOut{KeyID: c.KeyID, Thumbprint: c.Thumbprint, Start: c.CreatedAt, End: c.ExpiresAt})
	}
	return o
}

func appCreateCmd(fs *flag.FlagSet) action {
	f := newAppFlags(fs, false)
	name := fs.String("name", "", "display `NAME` of the application (required)")
	var roles stringList
	fs.Var(&roles, "role", "application `PERMISSION` to grant, e.g. Group.ReadWrite.All (repeatable)")
	return func(ctx context.Context, env cmdEnv) error {
		if *name == "" {
			return usageError("--name is required")
		}
		return f.run(ctx, func(svc *directory.Service, t directory.TenantID) error {
			a, secret, err := svc.CreateApplication(ctx, t, *name, roleList(roles))
			if err != nil {
				return err
			}
			return writeJSON(env.stdout, struct {
				TenantID     string `json:"tenantId"`
				AppID        string `json:"appId"`
				ClientSecret string `json:"clientSecret"`
			}{string(a.TenantID), a.AppID, secret})
		})
	}
}

func appListCmd(fs *flag.FlagSet) action {
	f := newAppFlags(fs, false)
	output := outputFlag(fs)
	return func(ctx context.Context, env cmdEnv) error {
		if err := checkOutput(*output); err != nil {
			return err
		}
		return f.run(ctx, func(svc *directory.Service, t directory.TenantID) error {
			list, err := server.Applications(ctx, svc, t)
			if err != nil {
				return err
			}
			out := make([]appOut, 0, len(list))
			for _, a := range list {
				out = append(out, appJSON(a))
			}
			if *output == "text" {
				for _, a := range out {
					state := "enabled"
					if !a.Enabled {
						state = "disabled"
					}
					fmt.Fprintf(env.stdout, "%s  %-8s %-24s %s\n", a.AppID, state, a.DisplayName, strings.Join(a.Roles, ","))
				}
				return nil
			}
			return writeJSON(env.stdout, out)
		})
	}
}

func appSecretAddCmd(fs *flag.FlagSet) action {
	f := newAppFlags(fs, true)
	days := fs.Int("days", 730, "`DAYS` the secret is valid")
	return func(ctx context.Context, env cmdEnv) error {
		return f.run(ctx, func(svc *directory.Service, t directory.TenantID) error {
			s, secret, err := svc.AddSecret(ctx, t, *f.appID, time.Duration(*days)*24*time.Hour)
			if err != nil {
				return err
			}
			return writeJSON(env.stdout, struct {
				TenantID     string    `json:"tenantId"`
				AppID        string    `json:"appId"`
				KeyID        string    `json:"keyId"`
				ClientSecret string    `json:"clientSecret"`
				End          time.Time `json:"endDateTime"`
			}{string(t), *f.appID, s.KeyID, secret, s.ExpiresAt})
		})
	}
}

func appSecretRevokeCmd(fs *flag.FlagSet) action {
	f := newAppFlags(fs, true)
	keyID := fs.String("key-id", "", "`KEYID` of the secret to revoke, from `app list` (required)")
	return func(ctx context.Context, env cmdEnv) error {
		if *keyID == "" {
			return usageError("--key-id is required")
		}
		return f.run(ctx, func(svc *directory.Service, t directory.TenantID) error {
			if err := svc.RevokeSecret(ctx, t, *f.appID, *keyID); err != nil {
				return err
			}
			return writeJSON(env.stdout, map[string]string{"appId": *f.appID, "revoked": *keyID})
		})
	}
}

func appCertAddCmd(fs *flag.FlagSet) action {
	f := newAppFlags(fs, true)
	file := fs.String("file", "", "PEM `FILE` holding the certificate (required)")
	return func(ctx context.Context, env cmdEnv) error {
		if *file == "" {
			return usageError("--file is required")
		}
		pem, err := server.ReadPEM(*file)
		if err != nil {
			return err
		}
		return f.run(ctx, func(svc *directory.Service, t directory.TenantID) error {
			c, err := svc.AddCertificate(ctx, t, *f.appID, pem)
			if err != nil {
				return err
			}
			return writeJSON(env.stdout, struct {
				AppID      string    `json:"appId"`
				KeyID      string    `json:"keyId"`
				Thumbprint string    `json:"thumbprint"`
				End        time.Time `json:"endDateTime"`
			}{*f.appID, c.KeyID, c.Thumbprint, c.ExpiresAt})
		})
	}
}

func appRolesCmd(fs *flag.FlagSet) action {
	f := newAppFlags(fs, true)
	var roles stringList
	fs.Var(&roles, "role", "application `PERMISSION` the app keeps (repeatable; replaces the set)")
	return func(ctx context.Context, env cmdEnv) error {
		return f.run(ctx, func(svc *directory.Service, t directory.TenantID) error {
			a, err := svc.SetRoles(ctx, t, *f.appID, roleList(roles))
			if err != nil {
				return err
			}
			return writeJSON(env.stdout, appJSON(a))
		})
	}
}

func appEnableCmd(enabled bool) func(fs *flag.FlagSet) action {
	return func(fs *flag.FlagSet) action {
		f := newAppFlags(fs, true)
		return func(ctx context.Context, env cmdEnv) error {
			return f.run(ctx, func(svc *directory.Service, t directory.TenantID) error {
				a, err := svc.SetEnabled(ctx, t, *f.appID, enabled)
				if err != nil {
					return err
				}
				return writeJSON(env.stdout, appJSON(a))
			})
		}
	}
}

func appDeleteCmd(fs *flag.FlagSet) action {
	f := newAppFlags(fs, true)
	return func(ctx context.Context, env cmdEnv) error {
		return f.run(ctx, func(svc *directory.Service, t directory.TenantID) error {
			if err := svc.DeleteApplication(ctx, t, *f.appID); err != nil {
				return err
			}
			return writeJSON(env.stdout, map[string]string{"appId": *f.appID, "deleted": "true"})
		})
	}
}

func keysRotateCmd(fs *flag.FlagSet) action {
	get := storeFlags(fs)
	return func(ctx context.Context, env cmdEnv) error {
		k, err := server.RotateKeys(ctx, storeRef(get))
		if err != nil {
			return err
		}
		return writeJSON(env.stdout, map[string]string{"kid": k.ID, "created": k.CreatedAt.Format(time.RFC3339)})
	}
}
