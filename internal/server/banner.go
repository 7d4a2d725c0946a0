package server

import (
	"fmt"
	"io"
	"strings"

	"groupd/internal/directory"
)

// banner is what the start-up lines tell the operator.
type banner struct {
	URL        string
	TLS        tlsSetup
	Boot       directory.BootstrapResult
	PublicURLs []string
}

// printBanner writes the start-up lines: where groupd listens, the admin
// login, the generated password on the one start that made it, and a curl
// command that works as printed. They go to stdout in plain text, apart
// from the JSON logs on stderr, so that the password is not copied into log
// storage.
func printBanner(w io.Writer, b banner) error {
	var s strings.Builder
	fmt.Fprintf(&s, "groupd listening on %s\n", b.URL)
	if b.TLS.config != nil {
		how := "TLS certificate"
		if b.TLS.created {
			how = "self-signed TLS certificate, created now"
		} else if b.TLS.selfSigned {
			how = "self-signed TLS certificate"
		}
		fmt.Fprintf(&s, "  %s: %s\n", how, b.TLS.certFile)
	}
	for _, u := range b.PublicURLs {
		fmt.Fprintf(&s, "  public URL: %s\n", u)
	}
	// Generated passwords are alphanumeric, so they need no shell quoting;
	// a password we do not know is referred to through its variable.
	login := directory.AdminLogin
	curlAuth := login + `:"$` + AdminPasswordEnv + `"`
	if b.Boot.Admin.ID != "" {
		fmt.Fprintf(&s, "admin login: %s (%s) in tenant %s\n", login, b.Boot.Admin.UserPrincipalName, b.Boot.Tenant.ID)
	}
	switch {
	case b.Boot.GeneratedPassword != "":
		fmt.Fprintf(&s, "admin password: %s  (generated on this first start; it will not be shown again)\n", b.Boot.GeneratedPassword)
		curlAuth = login + ":" + b.Boot.GeneratedPassword
	case b.Boot.Created:
		fmt.Fprintf(&s, "admin password: the value of %s\n", AdminPasswordEnv)
	default:
		fmt.Fprintf(&s, "admin password: as set on the first start (not shown again; `groupd user password --upn admin` sets a new one)\n")
	}
	k := ""
	if strings.HasPrefix(b.URL, "https:") {
		k = "-k "
	}
	fmt.Fprintf(&s, "try: curl %s-u %s %s/graph/v1.0/groups\n", k, curlAuth, b.URL)
	_, err := io.WriteString(w, s.String())
	return err
}
