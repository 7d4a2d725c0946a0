package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"groupd/internal/directory"
	"groupd/internal/store"
	"groupd/internal/store/testdb"
	"groupd/internal/webhook"
)

// BenchmarkMemberAdds measures durable member adds per second through the
// whole server handler, 64 concurrent clients, without a subscription and
// with one on groups whose notifications a local receiver accepts while
// the adds run. (The audit log is read from the change log, so it costs
// the adds its two index entries per change row in both.) Run with a
// fixed count so both do the same work:
//
//	GROUPD_TEST_ENGINES=sqlite go test ./internal/server -run '^$' -bench MemberAdds -benchtime 20000x -count 3
func BenchmarkMemberAdds(b *testing.B) {
	b.Run("off", func(b *testing.B) { benchMemberAdds(b, false) })
	b.Run("webhooks", func(b *testing.B) { benchMemberAdds(b, true) })
}

func benchMemberAdds(b *testing.B, on bool) {
	defer debug.SetGCPercent(TuneGC()) // as groupd serve runs
	ctx := context.Background()
	engine := testdb.Engine()
	dir := b.TempDir()
	dsn := testdb.URL(b, engine)
	if engine == testdb.SQLite {
		dsn = "sqlite:" + filepath.Join(dir, store.DefaultFile)
	}
	st, err := store.Open(ctx, dir, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	cfg := Config{Logger: quietLogger(), WebhookAllowHTTP: true, WebhookAllowPrivate: true,
		Webhooks: webhook.Config{PollInterval: 50 * time.Millisecond}}
	svc := directory.New(st, append(readCache(st), webhooks(cfg), directory.WithPasswordCost(4))...)
	boot, err := bootstrap(ctx, svc, testDomain, testPassword)
	if err != nil {
		b.Fatal(err)
	}
	tenant := boot.Tenant.ID

	// Fixtures: enough (group, user) pairs for b.N distinct adds.
	const groups = 100
	users := b.N/groups + 1
	var gids, uids []directory.ObjectID
	yes, no := true, false
	for i := range groups {
		n := fmt.Sprintf("g%d", i)
		g, err := svc.CreateGroup(ctx, tenant, directory.GroupCreate{Fields: directory.GroupFields{
			DisplayName: &n, MailNickname: &n, MailEnabled: &no, SecurityEnabled: &yes}})
		if err != nil {
			b.Fatal(err)
		}
		gids = append(gids, g.ID)
	}
	for i := range users {
		n, upn, pw := fmt.Sprintf("u%d", i), fmt.Sprintf("u%d@%s", i, testDomain), "Passw0rd!x"
		u, err := svc.CreateUser(ctx, tenant, directory.UserFields{DisplayName: &n, MailNickname: &n,
			UserPrincipalName: &upn, AccountEnabled: &yes, Password: &pw}, directory.Policy{})
		if err != nil {
			b.Fatal(err)
		}
		uids = append(uids, u.ID)
	}

	var delivered, notified atomic.Int64
	if on {
		rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tok := r.URL.Query().Get("validationToken"); tok != "" {
				_, _ = w.Write([]byte(tok))
				return
			}
			delivered.Add(1)
			notified.Add(countNotifications(r.Body))
			w.WriteHeader(http.StatusAccepted)
		}))
		defer rc.Close()
		wctx, cancel := context.WithCancel(ctx)
		stop := startWebhooks(wctx, svc, cfg)
		defer func() { cancel(); stop() }()
		if _, err := svc.CreateSubscription(ctx, tenant, directory.NewSubscription{Resource: "groups",
			ChangeType: "updated", NotificationURL: rc.URL, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			b.Fatal(err)
		}
	}
	h, err := NewHandler(svc, st, cfg, prometheus.NewRegistry())
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}}

	var next atomic.Int64
	b.SetParallelism(32) // 64 clients on 2 cores
	testdb.Settle(b)
	b.ResetTimer()
	cpu0 := processCPU()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			g, u := gids[i%groups], uids[i/groups]
			body := `{"@odata.id":"` + srv.URL + `/v1.0/users/` + string(u) + `"}`
			req, _ := http.NewRequest("POST", srv.URL+"/v1.0/groups/"+string(g)+"/members/$ref", strings.NewReader(body))
			req.SetBasicAuth("admin@"+testDomain, testPassword)
			req.Header.Set("Content-Type", "application/json")
			res, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			res.Body.Close()
			if res.StatusCode != http.StatusNoContent {
				b.Errorf("add member: %d", res.StatusCode)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "adds/s")
	// Notifications not yet delivered are waited for before CPU time is
	// read, so that deferring work does not look like saving it.
	for deadline := time.Now().Add(time.Minute); on && notified.Load() < int64(b.N); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d notifications delivered", notified.Load(), b.N)
		}
	}
	// Process CPU time per add counts the clients and the receiver too, and
	// is less disturbed than wall time by other processes on the machine.
	b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(b.N), "cpu-µs/add")
	if on {
		b.ReportMetric(float64(delivered.Load()), "POSTs")
	}
}

// processCPU is the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// countNotifications counts the notifications in a POST body as it reads
// it. In production the receiver is another machine; here it shares the
// two cores with groupd, so it reads through one small buffer instead of
// holding bodies of hundreds of kilobytes, which cost the process more
// allocation and garbage collection than the delivery measured.
func countNotifications(body io.Reader) int64 {
	key := []byte(`"subscriptionId"`)
	buf := make([]byte, 32<<10)
	var n int64
	keep := 0 // bytes of the last read kept, since a key may span two reads
	for {
		m, err := body.Read(buf[keep:])
		data := buf[:keep+m]
		n += int64(bytes.Count(data, key))
		keep = min(len(key)-1, len(data))
		copy(buf, data[len(data)-keep:])
		if err != nil {
			return n
		}
	}
}
