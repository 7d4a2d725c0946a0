package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"
)

// The client speaks HTTP/1.1 over raw connections instead of using
// net/http: a request is one prepared write and a response one buffered
// parse, so that the client's share of the two cores is small and equal
// for both servers, as with wrk. Each worker owns one keep-alive connection.

// runResult is one timed run against one server.
type runResult struct {
	target   string
	requests int           // 2xx answers completed inside the measured window
	all      int           // 2xx answers of the whole run, warm-up included
	cpu      time.Duration // the server's CPU time over the whole run, when known
	errors   int           // other statuses, broken connections
	firstErr string        // what the first error was, to tell them apart
	elapsed  time.Duration // the measured window
	from, to time.Time     // its bounds
	lat      []time.Duration
	// serverLat are the same answers' durations inside groupd, sorted,
	// for the operations that ask for them (serverlat.go).
	serverLat []time.Duration
}

func (r runResult) rps() float64 { return float64(r.requests) / r.elapsed.Seconds() }

// cpuPerRequest is the server's CPU time per answered request, warm-up
// included; 0 when the CPU time is not known.
func (r runResult) cpuPerRequest() time.Duration {
	if r.all == 0 {
		return 0
	}
	return r.cpu / time.Duration(r.all)
}

// percentile of sorted latencies, nearest rank.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// requests gives worker w its n-th request, prepared bytes.
type requests func(w, n int) []byte

// same sends one request over and over.
func same(req []byte) requests { return func(int, int) []byte { return req } }

// load drives addr with conns connections for warmup, then measures for
// dur. Every loop is bounded by time and by maxPerConn requests.
func load(target, addr string, req requests, conns int, warmup, dur time.Duration, maxPerConn int) runResult {
	start := time.Now()
	measureFrom, end := start.Add(warmup), start.Add(warmup+dur)
	res := make([]runResult, conns)
	var wg sync.WaitGroup
	for i := range conns {
		wg.Go(func() { res[i] = worker(addr, func(n int) []byte { return req(i, n) }, measureFrom, end, maxPerConn) })
	}
	wg.Wait()
	out := runResult{target: target, elapsed: dur, from: measureFrom, to: end}
	for _, r := range res {
		out.requests += r.requests
		out.all += r.all
		out.errors += r.errors
		if out.firstErr == "" {
			out.firstErr = r.firstErr
		}
		out.lat = append(out.lat, r.lat...)
	}
	slices.Sort(out.lat)
	return out
}

func worker(addr string, req func(n int) []byte, measureFrom, end time.Time, maxPerConn int) runResult {
	var r runResult
	r.lat = make([]time.Duration, 0, 8192)
	var c *conn
	defer func() {
		if c != nil {
			c.Close()
		}
	}()
	for n := 0; n < maxPerConn; n++ {
		t0 := time.Now()
		if !t0.Before(end) {
			break
		}
		if c == nil {
			var err error
			if c, err = dial(addr); err != nil {
				r.fail(fmt.Sprintf("dial: %v", err))
				time.Sleep(10 * time.Millisecond) // do not spin on a dead server
				continue
			}
		}
		status, keep, err := c.roundTrip(req(n))
		t1 := time.Now()
		if err != nil || !keep {
			c.Close()
			c = nil
		}
		if err == nil && status/100 == 2 {
			r.all++
		}
		if !t0.Before(measureFrom) && !t1.After(end) {
			if err == nil && status/100 == 2 {
				r.requests++
				r.lat = append(r.lat, t1.Sub(t0))
			} else if err != nil {
				r.fail(err.Error())
			} else {
				r.fail(fmt.Sprintf("status %d", status))
			}
		}
	}
	return r
}

func (r *runResult) fail(what string) {
	if r.errors == 0 {
		r.firstErr = what
	}
	r.errors++
}

type conn struct {
	net.Conn
	br *bufio.Reader
}

func dial(addr string) (*conn, error) {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return nil, err
	}
	return &conn{Conn: c, br: bufio.NewReaderSize(c, 32<<10)}, nil
}

// roundTrip sends req and reads one response, discarding its body. keep is
// false when the server will close the connection.
func (c *conn) roundTrip(req []byte) (status int, keep bool, err error) {
	// A stuck server must not hold the run past its end.
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write(req); err != nil {
		return 0, false, err
	}
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		return 0, false, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, false, fmt.Errorf("bad status line %q", line)
	}
	if status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return 0, false, fmt.Errorf("bad status line %q", line)
	}
	length, chunked, keep := -1, false, true
	for {
		h, err := c.br.ReadSlice('\n')
		if err != nil {
			return 0, false, err
		}
		h = bytes.TrimRight(h, "\r\n")
		if len(h) == 0 {
			break
		}
		name, value, _ := bytes.Cut(h, []byte(":"))
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil {
				return 0, false, fmt.Errorf("bad Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			keep = !bytes.EqualFold(value, []byte("close"))
		}
	}
	switch {
	case status == 204 || status == 304:
		// No body, whatever the headers say.
	case chunked:
		err = c.discardChunked()
	case length >= 0:
		_, err = c.br.Discard(length)
	default:
		return status, false, errors.New("response without length")
	}
	return status, keep && err == nil, err
}

func (c *conn) discardChunked() error {
	for {
		line, err := c.br.ReadSlice('\n')
		if err != nil {
			return err
		}
		sizeText, _, _ := bytes.Cut(bytes.TrimRight(line, "\r\n"), []byte(";"))
		size, err := strconv.ParseInt(string(sizeText), 16, 32)
		if err != nil {
			return fmt.Errorf("bad chunk size %q", line)
		}
		if size == 0 {
			for { // trailers, up to the blank line
				t, err := c.br.ReadSlice('\n')
				if err != nil {
					return err
				}
				if len(bytes.TrimRight(t, "\r\n")) == 0 {
					return nil
				}
			}
		}
		if _, err := c.br.Discard(int(size) + 2); err != nil {
			return err
		}
	}
}
