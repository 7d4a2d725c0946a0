// Command load measures GET /v1.0/groups/{id} on groupd against the
// ceiling of a Go hello-world server answering a body of the same size, as
// DESIGN.md "How to measure" describes: both servers as separate processes
// on loopback, plain HTTP, 64 keep-alive connections, the same
// Authorization header to both, 1 s warm-up then 5 s measured, the two
// servers alternated, medians reported. It builds both servers, starts them
// in a temporary directory, and stops them when done. See bench/README.md.
package main

import (
	"groupd/internal/store/pgtest"

	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"
)

type options struct {
	groupdBin, helloBin string
	conns               int
	warmup, duration    time.Duration
	rounds              int
	procs               int
	maxPerConn          int
	keep                bool
	database            string
	authMode            string
}

func main() {
	var o options
	flag.StringVar(&o.groupdBin, "groupd", "", "groupd binary (default: go build groupd/cmd/groupd)")
	flag.StringVar(&o.helloBin, "hello", "", "hello-world binary (default: go build groupd/bench/cmd/hello)")
	flag.IntVar(&o.conns, "conns", 64, "keep-alive connections, one goroutine each")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "warm-up before each measured run")
	flag.DurationVar(&o.duration, "duration", 5*time.Second, "measured time of each run")
	flag.IntVar(&o.rounds, "rounds", 2, "runs per server, alternating hello and groupd")
	flag.IntVar(&o.procs, "procs", 2, "GOMAXPROCS of the load generator (DESIGN: 2 client threads)")
	flag.IntVar(&o.maxPerConn, "max-per-conn", 2_000_000, "upper bound of requests per connection and run")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary directory (logs, data) for inspection")
	flag.StringVar(&o.database, "database", "", "groupd's --database `URL`; \"postgres-temp\" starts a throwaway PostgreSQL cluster from the installed server binaries (default: SQLite)")
	flag.StringVar(&o.authMode, "auth", "basic", "`MODE` of the measured requests: basic (admin password) or bearer (an app's token from the token endpoint)")
	flag.Parse()
	if o.authMode != "basic" && o.authMode != "bearer" {
		fmt.Fprintln(os.Stderr, "load: -auth must be basic or bearer")
		os.Exit(2)
	}
	if o.conns < 1 || o.rounds < 1 || o.duration <= 0 || o.warmup < 0 || o.procs < 1 {
		fmt.Fprintln(os.Stderr, "load: -conns, -rounds, -procs must be positive, -duration > 0")
		os.Exit(2)
	}
	// The whole bench is bounded: rounds plus generous set-up time.
	limit := time.Duration(2*o.rounds)*(o.warmup+o.duration) + 3*time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	err := run(ctx, o, os.Stdout)
	stop()
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, out io.Writer) error {
	dir, err := os.MkdirTemp("", "groupd-bench-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintln(out, "temporary directory:", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	if o.groupdBin == "" {
		if o.groupdBin, err = build(ctx, dir, "groupd/cmd/groupd", "groupd"); err != nil {
			return err
		}
	}
	if o.helloBin == "" {
		if o.helloBin, err = build(ctx, dir, "groupd/bench/cmd/hello", "hello"); err != nil {
			return err
		}
	}

	serveArgs := []string{"serve", "--insecure-http", "--listen", "127.0.0.1:0", "--data-dir", filepath.Join(dir, "data")}
	if o.database == "postgres-temp" {
		dsn, stopPG, err := pgtest.Start()
		if err != nil {
			return fmt.Errorf("start PostgreSQL: %w", err)
		}
		defer stopPG()
		o.database = dsn
	}
	if o.database != "" {
		serveArgs = append(serveArgs, "--database", o.database)
	}

	password := "Bench-" + rand.Text()
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte("admin:"+password))
	groupd, err := start(ctx, "groupd", o.groupdBin, serveArgs,
		[]string{"GROUPD_ADMIN_PASSWORD=" + password}, filepath.Join(dir, "groupd.log"))
	if err != nil {
		return err
	}
	defer groupd.stop()
	id, body, err := setUp(groupd.addr, auth)
	if err != nil {
		return fmt.Errorf("set up groupd: %w", err)
	}
	if o.authMode == "bearer" {
		if auth, err = bearerAuth(ctx, o, groupd.addr, filepath.Join(dir, "data")); err != nil {
			return fmt.Errorf("bearer token: %w", err)
		}
	}
	bodyFile := filepath.Join(dir, "group.json")
	if err := os.WriteFile(bodyFile, body, 0o600); err != nil {
		return err
	}
	hello, err := start(ctx, "hello", o.helloBin, []string{"-listen", "127.0.0.1:0", "-body", bodyFile},
		nil, filepath.Join(dir, "hello.log"))
	if err != nil {
		return err
	}
	defer hello.stop()

	// Set only now, so that building and starting were not slowed down.
	runtime.GOMAXPROCS(o.procs)
	path := "/v1.0/groups/" + id
	fmt.Fprintf(out, "GET %s (%s auth, %d-byte body): %d connections, load generator GOMAXPROCS=%d, servers GOMAXPROCS=%d (%d CPUs)\n",
		"/v1.0/groups/{id}", o.authMode, len(body), o.conns, o.procs, runtime.NumCPU(), runtime.NumCPU())
	fmt.Fprintf(out, "%v warm-up + %v measured per run, %d runs per server, alternating\n\n", o.warmup, o.duration, o.rounds)
	results := map[string][]runResult{}
	for round := 1; round <= o.rounds; round++ {
		for _, c := range []*child{hello, groupd} {
			if err := ctx.Err(); err != nil {
				return err
			}
			req := []byte("GET " + path + " HTTP/1.1\r\nHost: " + c.addr + "\r\nAuthorization: " + auth +
				"\r\nAccept: application/json\r\nUser-Agent: groupd-bench\r\n\r\n")
			r := load(c.name, c.addr, req, o.conns, o.warmup, o.duration, o.maxPerConn)
			results[c.name] = append(results[c.name], r)
			fmt.Fprintf(out, "  run %d %-7s %10.0f req/s  p50 %-9v p99 %-9v errors %d\n",
				round, c.name, r.rps(), round3(percentile(r.lat, 0.50)), round3(percentile(r.lat, 0.99)), r.errors)
		}
	}
	printSummary(out, results, groupd.rssMB(), hello.rssMB())
	return nil
}

// setUp creates the group the bench reads and returns its id and the body
// groupd answers for it, which the hello-world server then serves, so that
// both send the same bytes.
func setUp(addr, auth string) (string, []byte, error) {
	post, _ := json.Marshal(map[string]any{
		"displayName": "Bench group", "description": "The group read by the load generator",
		"mailEnabled": false, "mailNickname": "bench-group", "securityEnabled": true,
	})
	var created struct {
		ID string `json:"id"`
	}
	b, err := call(http.MethodPost, "http://"+addr+"/v1.0/groups", auth, post, http.StatusCreated)
	if err != nil {
		return "", nil, err
	}
	if err := json.Unmarshal(b, &created); err != nil || created.ID == "" {
		return "", nil, fmt.Errorf("create group: no id in %s", b)
	}
	b, err = call(http.MethodGet, "http://"+addr+"/v1.0/groups/"+created.ID, auth, nil, http.StatusOK)
	return created.ID, b, err
}

func call(method, url, auth string, body []byte, want int) ([]byte, error) {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", auth)
	req.Header.Set("Content-Type", "application/json")
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != want {
		return nil, fmt.Errorf("%s %s: %d %s", method, url, resp.StatusCode, b)
	}
	return b, nil
}
