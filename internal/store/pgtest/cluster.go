// Package pgtest gives tests a real PostgreSQL: one throwaway cluster per
// test binary, started from the installed server binaries (or the server
// GROUPD_TEST_POSTGRES names), and a fresh database per test cloned from a
// migrated template. Test code only; see NewDatabase and Main.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names an existing server to use instead of starting one:
// a URL whose user may CREATE and DROP DATABASE, e.g.
// postgres://postgres:secret@localhost:5432/postgres.
const EnvURL = "GROUPD_TEST_POSTGRES"

// EnvLocale names the locale a throwaway cluster is made with, e.g.
// en_US.UTF-8: the collation of every text column that does not name one.
// Without it the cluster has none (C), but servers in service often have
// a language's, as the official container image does, so CI runs the
// store's suite under one too.
const EnvLocale = "GROUPD_TEST_POSTGRES_LOCALE"

// ErrNotInstalled says no PostgreSQL server binaries were found.
var ErrNotInstalled = errors.New("PostgreSQL server binaries (initdb, postgres, pg_ctl) not found in PATH or /usr/lib/postgresql/*/bin")

// Start starts a throwaway cluster, or takes the server EnvURL names, and
// returns the URL of its "postgres" database as a superuser and the
// function that stops it. The cluster lives in a temporary directory,
// listens on a unix socket there and on a free TCP port of 127.0.0.1, and
// keeps PostgreSQL's durable defaults (fsync and synchronous_commit on).
// When the test binary dies without calling stop, the kernel stops the
// server (Linux) so no cluster outlives its tests.
func Start() (dsn string, stop func(), err error) {
	if u := os.Getenv(EnvURL); u != "" {
		return u, func() {}, nil
	}
	bin, err := binDir()
	if err != nil {
		return "", nil, err
	}
	sweep()
	dir, err := os.MkdirTemp("", "groupd-pgtest-")
	if err != nil {
		return "", nil, err
	}
	c := &cluster{bin: bin, dir: dir, data: filepath.Join(dir, "data")}
	if err := c.start(); err != nil {
		c.stop()
		return "", nil, err
	}
	return c.url("postgres"), c.stop, nil
}

type cluster struct {
	bin, dir, data string
	port           int
	proc           *exec.Cmd
	exited         chan error
	log            *os.File
}

func (c *cluster) url(db string) string {
	return fmt.Sprintf("postgres://groupd@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

// binDir finds initdb on PATH (following links, as Debian's live in
// /usr/lib/postgresql/N/bin) or the newest /usr/lib/postgresql/*/bin.
func binDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return version(b) - version(a) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", ErrNotInstalled
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func (c *cluster) start() error {
	owner, err := dropPrivileges(c.dir)
	if err != nil {
		return err
	}
	// --no-sync skips initdb's final flush of the fresh catalog only: a
	// crash of the test machine right now loses nothing worth keeping. The
	// server itself runs with fsync and synchronous_commit on.
	locale, localeArg := os.Getenv(EnvLocale), "--no-locale"
	if locale != "" {
		localeArg = "--locale=" + locale
	}
	initdb := exec.Command(filepath.Join(c.bin, "initdb"), "-D", c.data, "-U", "groupd",
		"-A", "trust", "-E", "UTF8", localeArg, "--no-sync")
	if out, err := c.run(initdb, owner); err != nil {
		if locale != "" {
			return fmt.Errorf("initdb with %s=%s (is that locale installed? locale -a lists those that are): %w\n%s", EnvLocale, locale, err, out)
		}
		return fmt.Errorf("initdb: %w\n%s", err, out)
	}
	if c.port, err = freePort(); err != nil {
		return err
	}
	if c.log, err = os.Create(filepath.Join(c.dir, "postgres.log")); err != nil {
		return err
	}
	c.proc = exec.Command(filepath.Join(c.bin, "postgres"), "-D", c.data,
		"-p", strconv.Itoa(c.port), "-k", c.dir,
		"-c", "listen_addresses=127.0.0.1",
		"-c", "max_connections=300",
		// Checkpoints keep this much WAL as recycled segments (Warm):
		// as much as max_wal_size, PostgreSQL's default of 1 GB.
		"-c", "min_wal_size=1GB",
		"-c", "fsync=on", "-c", "synchronous_commit=on")
	c.proc.Dir, c.proc.Env = c.dir, minimalEnv()
	c.proc.Stdout, c.proc.Stderr = c.log, c.log
	c.proc.SysProcAttr = procAttr(owner, true)
	c.exited = make(chan error, 1)
	started := make(chan error, 1)
	// The kernel's parent-death signal is tied to the thread that started
	// the child, so that thread stays locked to this goroutine, which lives
	// as long as the server.
	go func() {
		runtime.LockOSThread()
		if err := c.proc.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		c.exited <- c.proc.Wait()
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	return c.waitReady(30 * time.Second)
}

func (c *cluster) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn, err := pgx.Connect(ctx, c.url("postgres"))
		cancel()
		if err == nil {
			return conn.Close(context.Background())
		}
		select {
		case werr := <-c.exited:
			c.exited <- werr
			return fmt.Errorf("postgres exited: %v\n%s", werr, c.logTail())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres not ready after %s: %w\n%s", limit, err, c.logTail())
		}
	}
}

// stop shuts the server down the fast way (open sessions are ended, no
// crash recovery on the next start would be needed) and removes the
// cluster's directory.
func (c *cluster) stop() {
	if c.proc != nil && c.proc.Process != nil {
		owner, _ := dropPrivileges("")
		ctl := exec.Command(filepath.Join(c.bin, "pg_ctl"), "stop", "-D", c.data, "-m", "fast", "-w", "-t", "60")
		if out, err := c.run(ctl, owner); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: pg_ctl stop: %v\n%s", err, out)
			_ = c.proc.Process.Kill()
		}
		select {
		case <-c.exited:
		case <-time.After(60 * time.Second):
			_ = c.proc.Process.Kill()
		}
	}
	if c.log != nil {
		c.log.Close()
	}
	os.RemoveAll(c.dir)
}

func (c *cluster) run(cmd *exec.Cmd, owner *account) ([]byte, error) {
	cmd.Dir, cmd.Env = c.dir, minimalEnv()
	cmd.SysProcAttr = procAttr(owner, false)
	return cmd.CombinedOutput()
}

func (c *cluster) logTail() string {
	b, _ := os.ReadFile(filepath.Join(c.dir, "postgres.log"))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

func minimalEnv() []string {
	return []string{"PATH=" + os.Getenv("PATH"), "LC_ALL=C", "TZ=UTC"}
}

// sweep removes the clusters of test binaries that were killed (their
// server stopped with them, see procAttr, but the directory stayed): those
// older than ten minutes whose server is not running.
func sweep() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "groupd-pgtest-*"))
	for _, d := range dirs {
		info, err := os.Stat(d)
		if err != nil || time.Since(info.ModTime()) < 10*time.Minute {
			continue
		}
		pid, err := os.ReadFile(filepath.Join(d, "data", "postmaster.pid"))
		if err == nil {
			if n, err := strconv.Atoi(strings.SplitN(string(pid), "\n", 2)[0]); err == nil && syscall.Kill(n, 0) == nil {
				continue // still running
			}
		}
		os.RemoveAll(d)
	}
}

// freePort asks the kernel for a free port of 127.0.0.1. Another process
// could take it before postgres binds it; waitReady then reports the
// server's failure to start.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
