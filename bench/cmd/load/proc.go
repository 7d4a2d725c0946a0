package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// child is a server started as its own process, so that it has its own Go
// scheduler and the client cannot steal its goroutines' time slices.
type child struct {
	name string
	cmd  *exec.Cmd
	addr string // host:port on loopback, from its first output line
	done chan error
}

// build compiles pkg (an import path of this module) into dir.
func build(ctx context.Context, dir, pkg, name string) (string, error) {
	out := filepath.Join(dir, name)
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build %s: %w", pkg, err)
	}
	return out, nil
}

// start runs bin with args, its stderr into logFile, and waits for the
// first stdout line "... listening on http://HOST:PORT".
func start(ctx context.Context, name, bin string, args, env []string, logFile string) (*child, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = childAttr()
	logf, err := os.Create(logFile)
	if err != nil {
		return nil, err
	}
	defer logf.Close() // the child holds its own descriptor
	cmd.Stderr = logf
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, done: make(chan error, 1)}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, stdout) // keep the pipe drained
	}()
	go func() { c.done <- cmd.Wait() }()

	timer := time.NewTimer(30 * time.Second)
	defer timer.Stop()
	select {
	case line, ok := <-lines:
		if ok {
			c.addr, err = loopbackAddr(line)
		} else {
			err = fmt.Errorf("%s printed nothing (see %s)", name, logFile)
		}
	case <-timer.C:
		err = fmt.Errorf("%s did not start within 30 s (see %s)", name, logFile)
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

// loopbackAddr takes host:port from "... listening on http://HOST:PORT" and
// insists on a loopback address: the bench never sends load off the machine.
func loopbackAddr(line string) (string, error) {
	i := strings.Index(line, "http://")
	if i < 0 {
		return "", fmt.Errorf("unexpected first line %q", line)
	}
	u, err := url.Parse(strings.Fields(line[i:])[0])
	if err != nil {
		return "", err
	}
	ip := net.ParseIP(u.Hostname())
	if ip == nil || !ip.IsLoopback() {
		return "", fmt.Errorf("%s is not a loopback address", u.Host)
	}
	return u.Host, nil
}

// stop asks for a graceful stop, then kills after 15 s.
func (c *child) stop() {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(15 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// rssMB reads the resident set size of the child from /proc (Linux); 0
// elsewhere.
func (c *child) rssMB() float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				return 0
			}
			if kb, err := strconv.ParseFloat(f[0], 64); err == nil {
				return kb / 1024
			}
		}
	}
	return 0
}

// cpuTime reads the CPU time the child has used so far, user and system,
// from /proc (Linux); 0 elsewhere. The kernel counts it in ticks of
// USER_HZ, which is 100 on every Linux architecture Go runs on.
func (c *child) cpuTime() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", c.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// The command name, in parentheses, may hold spaces; the fields
	// counted from 1 resume after it, utime and stime being 14 and 15.
	_, rest, ok := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0
	}
	var ticks int64
	for _, v := range f[11:13] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}
