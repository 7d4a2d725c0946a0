package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
)

// bearerAuth registers an application named name with roles, with the
// groupd CLI on the server's store (while it runs, as the command line
// contract promises), gets a token from the token endpoint, and returns
// the Authorization value. The reads then measure bearer verification
// instead of the Basic cache; provisioning needs a token, as in GT365.
func bearerAuth(ctx context.Context, o options, addr, dataDir, name string, roles ...string) (string, error) {
	args := []string{"app", "create", "--data-dir", dataDir, "--name", name}
	for _, r := range roles {
		args = append(args, "--role", r)
	}
	if o.database != "" {
		args = append(args, "--database", o.database)
	}
	out, err := exec.CommandContext(ctx, o.groupdBin, args...).Output()
	if err != nil {
		return "", fmt.Errorf("groupd app create: %w", err)
	}
	var app struct{ TenantID, AppID, ClientSecret string }
	if err := json.Unmarshal(out, &app); err != nil || app.AppID == "" {
		return "", fmt.Errorf("groupd app create printed %q", out)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {app.AppID},
		"client_secret": {app.ClientSecret}, "scope": {"https://graph.microsoft.com/.default"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/"+app.TenantID+"/oauth2/v2.0/token",
		strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		return "", fmt.Errorf("token endpoint: %d, no access_token", resp.StatusCode)
	}
	return "Bearer " + tok.AccessToken, nil
}
