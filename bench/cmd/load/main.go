// Command load measures groupd against the ceiling of a Go hello-world
// server answering a group-sized body, as DESIGN.md "How to measure"
// describes: both servers as separate processes on loopback, plain HTTP,
// 64 keep-alive connections, the same Authorization header to both, 1 s
// warm-up then 5 s measured, hello and each operation alternated, medians
// reported. It generates the benchmark directory with `groupd bench
// generate`, measures GET by id, the transitive reads and durable member
// adds on it, and stops the servers when done. See bench/README.md.
package main

import (
	"groupd/internal/store/pgtest"

	"bytes"
	"cmp"
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
	"strings"
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
	dataDir             string
	users, groups       int
	memberships, depth  int
	readUsers, addUsers int
	only                string
	pprof               string
	latencyConns        int
	provisionClients    int
	provisionRandom     bool
}

// wants reports whether the operation named name is to be measured.
func (o options) wants(name string) bool {
	if o.only == "" {
		return true
	}
	for _, w := range strings.Split(o.only, ",") {
		if w != "" && strings.Contains(name, w) {
			return true
		}
	}
	return false
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
	flag.StringVar(&o.dataDir, "data", "", "`DIR` of a generated directory to reuse (made there if missing; default: a fresh one in the temporary directory)")
	flag.IntVar(&o.users, "users", 100_000, "users of the generated directory")
	flag.IntVar(&o.groups, "groups", 10_000, "groups of the generated directory")
	flag.IntVar(&o.memberships, "memberships", 1_000_000, "memberships of the generated directory")
	flag.IntVar(&o.depth, "depth", 5, "levels of nested security groups in the generated directory")
	flag.IntVar(&o.readUsers, "read-users", 2000, "users the transitive operations spread over, besides the generated samples")
	flag.IntVar(&o.addUsers, "add-users", 20_000, "users each connection adds, at most, per member-add run")
	flag.StringVar(&o.only, "only", "", "comma-separated `PARTS` of operation names to measure (default: all), e.g. transitive,members")
	flag.StringVar(&o.pprof, "pprof", "", "`ADDR` for groupd's pprof listener (GROUPD_PPROF), e.g. 127.0.0.1:6060")
	flag.IntVar(&o.latencyConns, "latency-conns", 0, "also run every operation once at `N` connections and print its p50 and p99 (0: not)")
	flag.IntVar(&o.provisionClients, "provision-clients", 8, "concurrent clients of the ProvisionGroup runs (DESIGN: 8)")
	flag.BoolVar(&o.provisionRandom, "provision-random", false, "measure only the provisioning row whose calls draw their 102 users at random (default: that row and the one naming the same 102 users in every call)")
	flag.Parse()
	if o.authMode != "basic" && o.authMode != "bearer" {
		fmt.Fprintln(os.Stderr, "load: -auth must be basic or bearer")
		os.Exit(2)
	}
	if o.conns < 1 || o.rounds < 1 || o.duration <= 0 || o.warmup < 0 || o.procs < 1 || o.latencyConns < 0 || o.provisionClients < 1 {
		fmt.Fprintln(os.Stderr, "load: -conns, -rounds, -procs, -provision-clients must be positive, -duration > 0, -latency-conns >= 0")
		os.Exit(2)
	}
	// The whole bench is bounded: rounds plus generous set-up time.
	limit := time.Duration(6*(o.rounds+1))*(o.warmup+o.duration) + 10*time.Minute
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
	if o.database == "postgres-temp" {
		dsn, stopPG, err := pgtest.Start()
		if err != nil {
			return fmt.Errorf("start PostgreSQL: %w", err)
		}
		defer stopPG()
		o.database = dsn
		if os.Getenv(pgtest.EnvURL) == "" {
			// Without spare WAL segments, writes past the few the
			// generation leaves would wait for new ones to be filled
			// with zeros, which a server in service does not.
			t0 := time.Now()
			if err := pgtest.Warm(ctx, dsn, pgtest.ServiceWALSegments); err != nil {
				return fmt.Errorf("start PostgreSQL: %w", err)
			}
			fmt.Fprintf(out, "PostgreSQL: %d spare WAL segments, as a server in service keeps, ready in %.1fs\n",
				pgtest.ServiceWALSegments, time.Since(t0).Seconds())
		}
	}
	dataDir := o.dataDir
	if dataDir == "" {
		dataDir = dir
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return err
	}
	ds, reused, err := generated(ctx, o, dataDir)
	if err != nil {
		return err
	}
	sum := ds.Summary
	if reused {
		fmt.Fprintf(out, "directory of %s (reused): %d users, %d groups, %d memberships\n", dataDir, sum.Users, sum.Groups, sum.Memberships)
	} else {
		fmt.Fprintf(out, "generated %d users, %d groups, %d memberships, nesting depth %d in %.1fs\n",
			sum.Users, sum.Groups, sum.Memberships, len(sum.DeepGroupIDs), ds.Took.Seconds())
		// The kernel writes the new data back over the next half minute
		// or so; durable writes measured meanwhile wait behind it (member
		// adds ran at a third of their rate), so it is written now.
		t0 := time.Now()
		flushFiles()
		fmt.Fprintf(out, "written back to disk in %.1fs\n", time.Since(t0).Seconds())
	}

	serveArgs := []string{"serve", "--insecure-http", "--listen", "127.0.0.1:0", "--data-dir", filepath.Join(dataDir, "data")}
	if o.database != "" {
		serveArgs = append(serveArgs, "--database", o.database)
	}
	serveEnv := []string{"GROUPD_ADMIN_PASSWORD=" + ds.Password}
	if o.pprof != "" {
		serveEnv = append(serveEnv, "GROUPD_PPROF="+o.pprof)
	}
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte("admin:"+ds.Password))
	groupdLog := filepath.Join(dir, "groupd.log")
	groupd, err := start(ctx, "groupd", o.groupdBin, serveArgs, serveEnv, groupdLog)
	if err != nil {
		return err
	}
	defer groupd.stop()
	set, body, err := prepare(o, groupd.addr, auth, sum)
	if err != nil {
		return fmt.Errorf("set up groupd: %w", err)
	}
	if o.authMode == "bearer" {
		if set.auth, err = bearerAuth(ctx, o, groupd.addr, filepath.Join(dataDir, "data"), "bench", "Group.Read.All"); err != nil {
			return fmt.Errorf("bearer token: %w", err)
		}
	}
	// The random-user row's name holds the other's, so any -only part
	// that selects either selects it.
	if o.wants(provisionRow + randomUsers) {
		prov, err := prepareProvisioning(ctx, o, groupd.addr, dataDir, set)
		if err != nil {
			return fmt.Errorf("set up provisioning: %w", err)
		}
		set.prov, set.provConns, set.provRandomOnly = &prov, o.provisionClients, o.provisionRandom
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
	fmt.Fprintf(out, "%s auth, %d-byte group body; %d connections, load generator GOMAXPROCS=%d, servers GOMAXPROCS=%d (%d CPUs)\n",
		o.authMode, len(body), o.conns, o.procs, runtime.NumCPU(), runtime.NumCPU())
	fmt.Fprintf(out, "%v warm-up + %v measured per run, %d rounds alternating hello and each operation\n\n", o.warmup, o.duration, o.rounds)
	results := map[string][]runResult{}
	failed := map[string]string{}
	for round := 0; round < o.rounds; round++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		helloSet := set
		helloSet.addr = hello.addr
		cpu0 := hello.cpuTime()
		r := load("hello", hello.addr, same(helloSet.head("GET", "/v1.0/groups/"+set.groupID, nil)), o.conns, o.warmup, o.duration, o.maxPerConn)
		r.cpu = hello.cpuTime() - cpu0
		results["hello"] = append(results["hello"], r)
		printRun(out, round+1, "hello", r)
		for _, p := range set.ops(round) {
			if !o.wants(p.name) || failed[p.name] != "" {
				continue
			}
			if msg := probe(groupd.addr, p.probe); msg != "" {
				failed[p.name] = msg
				fmt.Fprintf(out, "  run %d %-36s %s\n", round+1, p.name, msg)
				continue
			}
			limit := o.maxPerConn
			if p.maxPerConn > 0 {
				limit = min(limit, p.maxPerConn)
			}
			prof := profileDuring(o, p.name, round)
			cpu0, logFrom := groupd.cpuTime(), logSize(groupdLog)
			r := load(p.name, groupd.addr, p.req, cmp.Or(p.conns, o.conns), o.warmup, o.duration, limit)
			r.cpu = groupd.cpuTime() - cpu0
			prof()
			if p.serverPath != "" {
				// Without the log's lines the run line just lacks them.
				r.serverLat, _ = serverLatencies(groupdLog, logFrom, p.serverPath, r.from, r.to)
			}
			results[p.name] = append(results[p.name], r)
			printRun(out, round+1, p.name, r)
		}
	}
	printTable(out, set.ops(0), results, failed, groupd.rssMB(), hello.rssMB())
	if o.latencyConns > 0 && ctx.Err() == nil {
		latencyRuns(out, o, set, groupd.addr, hello.addr, failed)
	}
	return nil
}

// prepare creates what the operations use: the group read by GET (whose
// body hello serves), the users the reads and adds go through, and empty
// groups for the adds.
func prepare(o options, addr, auth string, sum summary) (opSet, []byte, error) {
	id, body, err := setUp(addr, auth)
	if err != nil {
		return opSet{}, nil, err
	}
	users, upns, err := fetchUsers(addr, auth, o.readUsers+o.addUsers)
	if err != nil {
		return opSet{}, nil, fmt.Errorf("list users: %w", err)
	}
	// The deep users first: their answers walk every level of nesting.
	read := append(append([]string{}, sum.DeepUserIDs...), sum.SampleUserIDs...)
	read = append(read, users[:min(len(users), o.readUsers)]...)
	// The adds never add a user the reads ask about, so that every round
	// (and a reused directory) reads the generated memberships, not
	// answers grown by earlier add runs.
	skip := make(map[string]bool, len(read))
	for _, u := range read {
		skip[u] = true
	}
	var adds []string
	for _, u := range users[min(len(users), o.readUsers):] {
		if !skip[u] {
			adds = append(adds, u)
		}
	}
	if len(adds) == 0 && o.wants("members/$ref") {
		return opSet{}, nil, fmt.Errorf("no users left for the member adds: the directory has %d users, the reads use %d", len(users), len(read))
	}
	set := opSet{addr: addr, auth: auth, groupID: id, users: read, addUsers: adds, upns: upns,
		checkIDs: append(append([]string{}, sum.DeepGroupIDs...), sum.SampleGroupIDs...)}
	set.checkIDs = set.checkIDs[:min(len(set.checkIDs), 20)]
	if o.wants("members/$ref") {
		tag := rand.Text()[:6]
		rounds := o.rounds
		if o.latencyConns > 0 {
			rounds++ // the latency runs add to groups of their own
		}
		for round := range rounds {
			g, err := createGroups(addr, auth, fmt.Sprintf("Bench adds %s %d", tag, round), max(o.conns, o.latencyConns))
			if err != nil {
				return opSet{}, nil, err
			}
			set.addGroups = append(set.addGroups, g)
		}
	} else {
		set.addGroups = [][]string{{id}}
	}
	return set, body, nil
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
