package main

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// printSummary prints the medians over the runs of each server and the
// ratio the performance target is stated in.
func printSummary(out io.Writer, results map[string][]runResult, groupdRSS, helloRSS float64) {
	fmt.Fprintf(out, "\n%-8s %12s %10s %10s %8s\n", "target", "requests/s", "p50", "p99", "errors")
	med := map[string]float64{}
	for _, name := range []string{"hello", "groupd"} {
		runs := results[name]
		var rps, p50, p99 []float64
		errs := 0
		for _, r := range runs {
			rps = append(rps, r.rps())
			p50 = append(p50, float64(percentile(r.lat, 0.50)))
			p99 = append(p99, float64(percentile(r.lat, 0.99)))
			errs += r.errors
		}
		med[name] = median(rps)
		fmt.Fprintf(out, "%-8s %12.0f %10v %10v %8d\n", name, med[name],
			round3(time.Duration(median(p50))), round3(time.Duration(median(p99))), errs)
	}
	if med["hello"] > 0 {
		fmt.Fprintf(out, "\nratio groupd/hello for GET /v1.0/groups/{id}: %.2f (target: at least 0.60)\n", med["groupd"]/med["hello"])
	}
	fmt.Fprintf(out, "resident memory after the runs: groupd %.1f MB, hello %.1f MB\n", groupdRSS, helloRSS)
}

// median of xs; the mean of the middle two for an even count.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}

// round3 keeps three significant digits of a latency for printing.
func round3(d time.Duration) time.Duration {
	switch {
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	case d >= time.Microsecond:
		return d.Round(time.Microsecond)
	}
	return d
}
