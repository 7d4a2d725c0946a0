package main

import (
	"fmt"
	"io"
)

// latencyRuns measures hello and every operation once more at n
// connections and prints p50 and p99 per operation. At the saturating
// load of the main runs a request's latency is mostly its wait in the
// queue of the 2 cores, so its p99 says little about what one request
// costs; a few connections say that. The member adds use groups of their
// own (round index rounds), so every add is still a new membership.
func latencyRuns(out io.Writer, o options, set opSet, groupdAddr, helloAddr string, failed map[string]string) {
	n := o.latencyConns
	fmt.Fprintf(out, "\nat %d connections (one run each, %v warm-up + %v):\n", n, o.warmup, o.duration)
	fmt.Fprintf(out, "%-36s %10s %9s %9s %7s\n", "operation", "req/s", "p50", "p99", "errors")
	row := func(name string, r runResult) {
		fmt.Fprintf(out, "%-36s %10.0f %9v %9v %7d\n", name, r.rps(),
			round3(percentile(r.lat, 0.50)), round3(percentile(r.lat, 0.99)), r.errors)
	}
	helloSet := set
	helloSet.addr = helloAddr
	row("hello", load("hello", helloAddr, same(helloSet.head("GET", "/v1.0/groups/"+set.groupID, nil)),
		n, o.warmup, o.duration, o.maxPerConn))
	for _, p := range set.ops(o.rounds) {
		if !o.wants(p.name) || failed[p.name] != "" {
			continue
		}
		limit := o.maxPerConn
		if p.maxPerConn > 0 {
			limit = min(limit, p.maxPerConn)
		}
		row(p.name, load(p.name, groupdAddr, p.req, n, o.warmup, o.duration, limit))
	}
}
