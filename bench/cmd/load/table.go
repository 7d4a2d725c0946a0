package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// probe sends req once on a fresh connection and returns "" for a 2xx
// answer, else what went wrong, with the start of the body.
func probe(addr string, req []byte) string {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return "error: " + err.Error()
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(req); err != nil {
		return "error: " + err.Error()
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return "error: " + err.Error()
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		return ""
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 160))
	return fmt.Sprintf("error: HTTP %d %s", resp.StatusCode, strings.Join(strings.Fields(string(b)), " "))
}

func printRun(out io.Writer, round int, name string, r runResult) {
	first := ""
	if r.errors > 0 {
		first = " (first: " + r.firstErr + ")"
	}
	cpu := ""
	if c := r.cpuPerRequest(); c > 0 {
		cpu = fmt.Sprintf("  cpu %v/req", c.Round(time.Microsecond))
	}
	server := ""
	if len(r.serverLat) > 0 {
		server = fmt.Sprintf("  in groupd p50 %v p99 %v", round3(percentile(r.serverLat, 0.50)), round3(percentile(r.serverLat, 0.99)))
	}
	fmt.Fprintf(out, "  run %d %-40s %9.0f req/s  p50 %-9v p99 %-9v errors %d%s%s%s\n",
		round, name, r.rps(), round3(percentile(r.lat, 0.50)), round3(percentile(r.lat, 0.99)), r.errors, cpu, server, first)
}

// printTable prints per operation the medians over the rounds, the ratio
// to hello and to GET by id, and the memory of both servers.
func printTable(out io.Writer, ops []op, results map[string][]runResult, failed map[string]string, groupdRSS, helloRSS float64) {
	med := func(name string) (rps, p50, p99 float64, errs int) {
		var a, b, c []float64
		for _, r := range results[name] {
			a = append(a, r.rps())
			b = append(b, float64(percentile(r.lat, 0.50)))
			c = append(c, float64(percentile(r.lat, 0.99)))
			errs += r.errors
		}
		return median(a), median(b), median(c), errs
	}
	hello, _, _, _ := med("hello")
	get, _, _, _ := med(ops[0].name)
	fmt.Fprintf(out, "\n%-40s %10s %9s %9s %7s %7s %7s  %s\n", "operation", "req/s", "p50", "p99", "errors", "/hello", "/GET", "target")
	row := func(name, target string) {
		if msg := failed[name]; msg != "" {
			fmt.Fprintf(out, "%-40s %s\n", name, msg)
			return
		}
		if len(results[name]) == 0 {
			return
		}
		rps, p50, p99, errs := med(name)
		ratio := func(base float64) string {
			if base <= 0 {
				return "-"
			}
			return fmt.Sprintf("%.2f", rps/base)
		}
		fmt.Fprintf(out, "%-40s %10.0f %9v %9v %7d %7s %7s  %s\n", name, rps,
			round3(time.Duration(p50)), round3(time.Duration(p99)), errs, ratio(hello), ratio(get), target)
	}
	row("hello", "ceiling")
	for _, p := range ops {
		row(p.name, p.target)
	}
	for _, p := range ops {
		var p99 []float64
		for _, r := range results[p.name] {
			if len(r.serverLat) > 0 {
				p99 = append(p99, float64(percentile(r.serverLat, 0.99)))
			}
		}
		if len(p99) > 0 {
			fmt.Fprintf(out, "%-40s %30v  p99 inside groupd (its access log), median of rounds\n", p.name, round3(time.Duration(median(p99))))
		}
	}
	fmt.Fprintf(out, "\nresident memory after the runs: groupd %.1f MB, hello %.1f MB (target: groupd under 300 MB)\n", groupdRSS, helloRSS)
}

// profileDuring fetches a CPU profile of groupd over the measured part of
// the run that starts now, into profile-<op>-<round>.pprof, when -pprof is
// set; the returned function waits for it.
func profileDuring(o options, name string, round int) func() {
	if o.pprof == "" {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		time.Sleep(o.warmup)
		secs := max(1, int(o.duration.Seconds()))
		resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", o.pprof, secs))
		if err != nil {
			fmt.Println("profile:", err)
			return
		}
		defer resp.Body.Close()
		file := fmt.Sprintf("profile-%s-%d.pprof", strings.Trim(strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
				return r
			}
			return '-'
		}, name), "-"), round+1)
		f, err := os.Create(file)
		if err != nil {
			fmt.Println("profile:", err)
			return
		}
		defer f.Close()
		_, _ = io.Copy(f, resp.Body)
	}()
	return func() { <-done }
}
