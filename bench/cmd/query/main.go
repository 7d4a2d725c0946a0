// Command query measures the OData list queries on a directory of
// many groups: the first and the last page of $orderby=displayName (keyset
// paging: the last page must cost at most 1.5x the first), startsWith and
// $search latency, and $count. It runs the domain and the store in-process
// (no HTTP), so the figures are the query engine's own; see README.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"slices"
	"time"

	"groupd/internal/directory"
	"groupd/internal/odata"
	"groupd/internal/store"
	"groupd/internal/store/bulk"
	"groupd/internal/store/pgtest"
)

func main() {
	if err := start(); err != nil {
		fmt.Fprintln(os.Stderr, "query:", err)
		os.Exit(1)
	}
}

func start() error {
	groups := flag.Int("groups", 100_000, "groups to create")
	runs := flag.Int("runs", 500, "measured runs of each query (after as many warm-up runs)")
	database := flag.String("database", "", "database URL (default: SQLite in a temporary directory)")
	pg := flag.Bool("postgres", false, "run on a throwaway PostgreSQL cluster (installed server binaries)")
	flag.Parse()
	if *pg {
		dsn, stop, err := pgtest.Start()
		if err != nil {
			return err
		}
		defer stop()
		*database = dsn
	}
	return run(*groups, *runs, *database)
}

func run(groups, runs int, database string) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "groupd-query-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	st, err := store.Open(ctx, dir, database)
	if err != nil {
		return err
	}
	svc := directory.New(st)
	boot, err := svc.Bootstrap(ctx, "bench.example", "Bench-password-1")
	if err != nil {
		st.Close()
		return err
	}
	tenant := boot.Tenant.ID
	words := vocabulary(1000)
	start := time.Now()
	if err := seed(ctx, st, tenant, groups, words); err != nil {
		st.Close()
		return err
	}
	fmt.Printf("engine %T, %d groups seeded in %s\n", st, groups, time.Since(start).Round(time.Second))
	// Reopen, as a server would start on an existing directory: SQLite
	// gathers planner statistics when a connection that wrote closes.
	if err := st.Close(); err != nil {
		return err
	}
	if st, err = store.Open(ctx, dir, database); err != nil {
		return err
	}
	defer st.Close()
	svc = directory.New(st)

	m := measurer{ctx: ctx, svc: svc, tenant: tenant, runs: runs}
	first := m.list("first page, $orderby=displayName", "$orderby=displayName", nil)
	lastCursor, err := m.lastPageCursor()
	if err != nil {
		return err
	}
	last := m.list("last page, $orderby=displayName", "$orderby=displayName", func() string { return lastCursor })
	m.list("startsWith(displayName, random word)", "", nil, func(r *rand.Rand) string {
		return "$filter=" + url.QueryEscape(fmt.Sprintf("startsWith(displayName,'%s')", words[r.IntN(len(words))]))
	})
	m.list(`$search="displayName:<4-letter prefix>"`, "", nil, func(r *rand.Rand) string {
		w := words[r.IntN(len(words))]
		return "$search=" + url.QueryEscape(fmt.Sprintf(`"displayName:%s"`, w[:4]))
	})
	m.list(`$search="displayName:<random word>"`, "", nil, func(r *rand.Rand) string {
		return "$search=" + url.QueryEscape(fmt.Sprintf(`"displayName:%s"`, words[r.IntN(len(words))]))
	})
	m.count("$count (all groups)", "")
	m.count("$count with startsWith", "$filter="+url.QueryEscape("startsWith(displayName,'"+words[7]+"')"))
	if m.err != nil {
		return m.err
	}
	fmt.Printf("last/first page p50 ratio: %.2f (target <= 1.5)\n", float64(last.p50)/float64(first.p50))
	return nil
}

// vocabulary makes n distinct pronounceable words, so that names tokenize
// like real ones and each word names about groups/n*2 groups.
func vocabulary(n int) []string {
	r := rand.New(rand.NewPCG(1, 2))
	syl := []string{"ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pa", "qu", "dro", "fen", "gal", "hus", "jor"}
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		w := ""
		for range 3 + r.IntN(2) {
			w += syl[r.IntN(len(syl))]
		}
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// seed loads groups named "<Word> <word> <n>" with the engine's bulk
// loader (the path of groupd bench generate), which keeps search tokens and
// counters as inserts one by one would.
func seed(ctx context.Context, st directory.Store, tenant directory.TenantID, n int, words []string) error {
	loader, ok := st.(bulk.Loader)
	if !ok {
		return fmt.Errorf("engine %T has no bulk loader", st)
	}
	r := rand.New(rand.NewPCG(3, 4))
	now := time.Now().UTC().Truncate(time.Microsecond)
	d := bulk.Data{Tenant: tenant, Groups: make([]directory.Group, n)}
	for i := range d.Groups {
		a, b := words[r.IntN(len(words))], words[r.IntN(len(words))]
		d.Groups[i] = directory.Group{
			ID: directory.NewObjectID(), TenantID: tenant,
			DisplayName:     fmt.Sprintf("%s%s %s %d", string(a[0]-32), a[1:], b, i),
			MailNickname:    fmt.Sprintf("g%d", i),
			SecurityEnabled: true, CreatedAt: now.Add(time.Duration(i) * time.Microsecond),
		}
	}
	return loader.BulkLoad(ctx, d, func(string, int, int) {})
}

type measurer struct {
	ctx    context.Context
	svc    *directory.Service
	tenant directory.TenantID
	runs   int
	err    error
}

type result struct{ p50, p99, max time.Duration }

func (m *measurer) query(raw string) (directory.ListQuery, error) {
	v, err := url.ParseQuery(raw)
	if err != nil {
		return directory.ListQuery{}, err
	}
	q, err := odata.Parse(v, odata.GroupSchema, odata.Options{Allowed: odata.ListOptions, Eventual: true})
	if err != nil {
		return directory.ListQuery{}, err
	}
	lq := directory.ListQuery{Source: directory.SourceGroups, Filter: q.Filter, Search: q.Search, Page: directory.PageRequest{Top: q.Top}}
	if len(q.OrderBy) > 0 {
		lq.OrderBy, lq.Desc = q.OrderBy[0].Prop, q.OrderBy[0].Desc
	}
	return lq, nil
}

// lastPageCursor is the cursor whose page is the last 100 groups in
// displayName order: the 101st group from the end.
func (m *measurer) lastPageCursor() (string, error) {
	q, err := m.query("$orderby=displayName desc&$top=101")
	if err != nil {
		return "", err
	}
	p, err := m.svc.List(m.ctx, m.tenant, q, directory.KindAny)
	if err != nil || len(p.Items) < 101 {
		return "", fmt.Errorf("last page cursor: %v (%d items)", err, len(p.Items))
	}
	return directory.EncodeCursor(p.Items[100], "displayName"), nil
}

// list times one page of a query (raw, or gen for a fresh query per run),
// parsing included, after as many warm-up runs.
func (m *measurer) list(name, raw string, after func() string, gen ...func(*rand.Rand) string) result {
	r := rand.New(rand.NewPCG(5, 6))
	return m.time(name, func() error {
		text := raw
		if len(gen) > 0 {
			text = gen[0](r)
		}
		q, err := m.query(text)
		if err != nil {
			return err
		}
		if after != nil {
			q.Page.After = after()
		}
		p, err := m.svc.List(m.ctx, m.tenant, q, directory.KindAny)
		if err == nil && after != nil && p.Next != "" {
			err = fmt.Errorf("%s: not the last page", name)
		}
		return err
	})
}

func (m *measurer) count(name, raw string) result {
	return m.time(name, func() error {
		q, err := m.query(raw)
		if err != nil {
			return err
		}
		_, err = m.svc.Count(m.ctx, m.tenant, q, directory.KindAny)
		return err
	})
}

func (m *measurer) time(name string, fn func() error) result {
	if m.err != nil {
		return result{}
	}
	d := make([]time.Duration, 0, m.runs)
	for i := range 2 * m.runs {
		t0 := time.Now()
		if err := fn(); err != nil {
			m.err = fmt.Errorf("%s: %w", name, err)
			return result{}
		}
		if i >= m.runs {
			d = append(d, time.Since(t0))
		}
	}
	slices.Sort(d)
	res := result{p50: d[len(d)/2], p99: d[len(d)*99/100], max: d[len(d)-1]}
	fmt.Printf("%-48s p50 %8s  p99 %8s  max %8s\n", name, round(res.p50), round(res.p99), round(res.max))
	return res
}

func round(d time.Duration) time.Duration { return d.Round(time.Microsecond) }
