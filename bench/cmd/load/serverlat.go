package main

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"slices"
	"time"
)

// The p99 the load generator measures includes the time its own workers
// wait for a CPU: on two cores shared with groupd, 3-9 ms at 8
// provisioning clients. groupd's access log has each request's duration
// inside groupd, so for the operations that set serverPath the run line
// also gives that p99, to tell the two apart.

// accessLine is the part of a line of groupd's access log that is read.
type accessLine struct {
	Time       time.Time `json:"time"`
	Msg        string    `json:"msg"`
	Path       string    `json:"path"`
	Status     int       `json:"status"`
	DurationMS float64   `json:"duration_ms"`
}

// logSize is the size of the file at path, where the next run's lines
// start; 0 when it cannot be read.
func logSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// serverLatencies reads groupd's log from offset and returns, sorted, the
// durations of the 2xx answers to path logged within [from, to]; the log
// line is written as the answer ends, as the client's window counts
// answers.
func serverLatencies(logPath string, offset int64, path string, from, to time.Time) ([]time.Duration, error) {
	f, err := os.Open(logPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil, err
	}
	var out []time.Duration
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var l accessLine
		if json.Unmarshal(sc.Bytes(), &l) != nil || l.Msg != "request" || l.Path != path || l.Status/100 != 2 {
			continue
		}
		if l.Time.Before(from) || l.Time.After(to) {
			continue
		}
		out = append(out, time.Duration(l.DurationMS*float64(time.Millisecond)))
	}
	slices.Sort(out)
	return out, sc.Err()
}
