package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"groupd/internal/generate"
	"groupd/internal/server"
	"groupd/internal/store/bulk"
)

func benchGenerateCmd(fs *flag.FlagSet) action {
	get := storeFlags(fs)
	c := generate.Defaults
	fs.IntVar(&c.Users, "users", c.Users, "`N` users")
	fs.IntVar(&c.Groups, "groups", c.Groups, "`N` groups; every fifth is a Microsoft 365 group, the others security groups")
	fs.IntVar(&c.Memberships, "memberships", c.Memberships, "`N` membership rows in all, the nesting of groups included")
	fs.IntVar(&c.Depth, "depth", c.Depth, "`LEVELS` of nested security groups (1: no nesting)")
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "`SEED` of the generator: the same seed and sizes give the same directory")
	domain := fs.String("domain", "", "verified `DOMAIN` of the default tenant if it is created now (default "+server.DefaultDomain+")")
	return func(ctx context.Context, env cmdEnv) error {
		if err := c.Validate(); err != nil {
			return usageError(err.Error())
		}
		var progress bulk.Progress
		if isTerminal(env.stderr) {
			progress = progressLine(env.stderr)
		}
		out, err := server.Generate(ctx, storeRef(get), *domain, c, progress)
		if progress != nil {
			fmt.Fprintln(env.stderr)
		}
		if err != nil {
			return err
		}
		if out.AdminPassword != "" {
			fmt.Fprintf(env.stderr, "created the default tenant; admin password: %s\n", out.AdminPassword)
		}
		return writeJSON(env.stdout, out.Summary)
	}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progressLine rewrites one line on w, at most ten times a second.
func progressLine(w io.Writer) bulk.Progress {
	start := time.Now()
	var last time.Time
	return func(phase string, done, total int) {
		if now := time.Now(); done == total || now.Sub(last) >= 100*time.Millisecond {
			last = now
			fmt.Fprintf(w, "\r\033[K%6.1fs  %s: %d of %d", now.Sub(start).Seconds(), phase, done, total)
		}
	}
}
