// Command groupd is the groupd directory server and its administration
// tool. It only turns flags into calls of internal/server; see DESIGN.md,
// "Command line contract".
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"

	"groupd/internal/server"
)

// version is set at build time: go build -ldflags "-X main.version=1.2.3".
var version = "dev"

// Exit codes: 2 is what the flag package and most Unix tools use for a
// usage error, so scripts can tell a typo from a failure.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

const usage = `groupd: a directory of users and groups speaking Microsoft Graph and LibreGraph

Usage:
  groupd serve [--listen ADDR] [--data-dir DIR] [--database URL]
               [--insecure-http] [--tls-cert F --tls-key F]
               [--domain DOMAIN] [--public-url URL]...
  groupd user create [--data-dir DIR | --database URL] [--tenant ID]
               --upn UPN --password PW [--admin] [--guest] [--display-name NAME]
  groupd user password [--data-dir DIR | --database URL] [--tenant ID]
               --upn UPN [--password PW]
  groupd migrate [--data-dir DIR | --database URL]
  groupd backup [--data-dir DIR | --database sqlite:FILE] --output FILE
  groupd tenant create [--data-dir DIR | --database URL] --domain DOMAIN [--name NAME]
  groupd tenant list [--output json|text]
  groupd app create [--tenant ID] --name NAME --role PERMISSION...
  groupd app list [--tenant ID] [--output json|text]
  groupd app secret add|revoke --app APPID [--days N | --key-id KEYID]
  groupd app cert add --app APPID --file CERT.pem
  groupd app roles --app APPID --role PERMISSION...
  groupd app disable|enable|delete --app APPID
  groupd keys rotate
  groupd settings get [--tenant ID] [--group ID] [--output json|text]
  groupd settings set [--tenant ID] [--group ID] --value NAME=VALUE... [--output json|text]
  groupd audit [--since T] [--until T] [--activity A] [--target ID] [--output json|table]
  groupd bench generate [--users N] [--groups N] [--memberships N] [--depth N] [--seed N]
               (every app, tenant, keys, settings, audit and bench command takes --data-dir DIR | --database URL)
  groupd version
  groupd help [COMMAND]

Run 'groupd help COMMAND' for the flags of a command.
Environment: GROUPD_DATABASE (default of --database), GROUPD_ADMIN_PASSWORD
(admin password, read on the first start only).
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// command is one subcommand: its flags, and what it does with them.
type command struct {
	name  string // as typed, e.g. "user create"
	flags func(fs *flag.FlagSet) action
}

// action runs a command once its flags are parsed; a usageError makes the
// exit code 2.
type action func(ctx context.Context, env cmdEnv) error

// cmdEnv is what a command may touch.
type cmdEnv struct {
	stdout, stderr io.Writer
	logger         *slog.Logger
}

var commands = []command{
	{"serve", serveCmd},
	{"user create", userCreateCmd},
	{"user password", userPasswordCmd},
	{"migrate", migrateCmd},
	{"backup", backupCmd},
	{"tenant create", tenantCreateCmd},
	{"tenant list", tenantListCmd},
	{"app create", appCreateCmd},
	{"app list", appListCmd},
	{"app secret add", appSecretAddCmd},
	{"app secret revoke", appSecretRevokeCmd},
	{"app cert add", appCertAddCmd},
	{"app roles", appRolesCmd},
	{"app disable", appEnableCmd(false)},
	{"app enable", appEnableCmd(true)},
	{"app delete", appDeleteCmd},
	{"keys rotate", keysRotateCmd},
	{"settings get", settingsGetCmd},
	{"settings set", settingsSetCmd},
	{"audit", auditCmd},
	{"bench generate", benchGenerateCmd},
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "groupd %s (%s %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return exitOK
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			if c, _, ok := findCommand(args[1:]); ok {
				fs, _ := newFlagSet(c, stdout)
				fs.Usage()
				return exitOK
			}
			fmt.Fprintf(stderr, "groupd: no help for %q\n\n%s", strings.Join(args[1:], " "), usage)
			return exitUsage
		}
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	c, rest, ok := findCommand(args)
	if !ok {
		fmt.Fprintf(stderr, "groupd: unknown command %q\n\n%s", strings.Join(args, " "), usage)
		return exitUsage
	}
	fs, action := newFlagSet(c, stderr)
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage // the flag package printed the problem and the usage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "groupd %s: unexpected argument %q\n", c.name, fs.Arg(0))
		fs.Usage()
		return exitUsage
	}

	// The first SIGINT/SIGTERM starts a graceful stop; stop() then restores
	// the default so that a second one ends the process at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() { <-ctx.Done(); stop() }()

	env := cmdEnv{stdout: stdout, stderr: stderr, logger: slog.New(slog.NewJSONHandler(stderr, nil))}
	if err := action(ctx, env); err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "groupd %s: %s\n", c.name, ue)
			fs.Usage()
			return exitUsage
		}
		fmt.Fprintf(stderr, "groupd %s: %v\n", c.name, err)
		return exitError
	}
	return exitOK
}

// findCommand matches the longest command name at the start of args.
func findCommand(args []string) (command, []string, bool) {
	for _, c := range commands {
		words := strings.Fields(c.name)
		if len(args) >= len(words) && strings.Join(args[:len(words)], " ") == c.name {
			return c, args[len(words):], true
		}
	}
	return command{}, nil, false
}

// newFlagSet defines c's flags and returns the action that reads them.
func newFlagSet(c command, out io.Writer) (*flag.FlagSet, action) {
	fs := flag.NewFlagSet("groupd "+c.name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage of groupd %s:\n", c.name)
		// Like fs.PrintDefaults, but spelled with the two dashes the
		// documentation uses (the flag package accepts both).
		fs.VisitAll(func(f *flag.Flag) {
			name, text := flag.UnquoteUsage(f)
			if name != "" {
				name = " " + name
			}
			fmt.Fprintf(out, "  --%s%s\n    \t%s", f.Name, name, text)
			if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "[]" {
				fmt.Fprintf(out, " (default %q)", f.DefValue)
			}
			fmt.Fprintln(out)
		})
	}
	return fs, c.flags(fs)
}

// usageError is a flag combination the flag package cannot check itself.
type usageError string

func (e usageError) Error() string { return string(e) }

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// storeFlags defines the flags of every command that opens the store and
// returns a function giving their values once parsed. GROUPD_DATABASE is
// read then, not shown as a default, so help output never prints a URL
// that may hold a password.
func storeFlags(fs *flag.FlagSet) func() (dataDir, database string) {
	dataDir := fs.String("data-dir", server.DefaultDataDir, "`DIR` for the SQLite database and the self-signed certificate")
	database := fs.String("database", "", "database `URL`: sqlite (the default, in --data-dir) or postgres://… (default $GROUPD_DATABASE)")
	return func() (string, string) {
		if *database == "" {
			return *dataDir, os.Getenv("GROUPD_DATABASE")
		}
		return *dataDir, *database
	}
}
