package directory_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"groupd/internal/directory"
	"groupd/internal/store/testdb"
)

// BenchmarkAddMembersConcurrent measures durable single-user member adds
// through the Service alone (no HTTP) from 64 concurrent callers, without
// batching and with one or two batches at a time. cpu-us/add is the
// process's CPU time per add, which a busy machine disturbs less than the
// rate. Run with a fixed count so that every variant does the same work:
//
//	GROUPD_TEST_ENGINES=sqlite go test ./internal/directory -run '^$' -bench AddMembersConcurrent -benchtime 20000x
func BenchmarkAddMembersConcurrent(b *testing.B) {
	for _, n := range []int{0, 1, 2} {
		b.Run(fmt.Sprintf("batches=%d", n), func(b *testing.B) { benchAddMembers(b, n) })
	}
}

func benchAddMembers(b *testing.B, batches int) {
	ctx := context.Background()
	svc := directory.New(testdb.Open(b), directory.WithPasswordCost(4), directory.WithAddBatching(batches))
	boot, err := svc.Bootstrap(ctx, "example.org", "Passw0rd!")
	if err != nil {
		b.Fatal(err)
	}
	tenant := boot.Tenant.ID
	const groups = 100
	var gids, uids []directory.ObjectID
	for i := range groups {
		n := fmt.Sprintf("g%d", i)
		g, err := svc.CreateGroup(ctx, tenant, directory.GroupCreate{Fields: directory.GroupFields{
			DisplayName: &n, MailNickname: &n, MailEnabled: new(false), SecurityEnabled: new(true)}})
		if err != nil {
			b.Fatal(err)
		}
		gids = append(gids, g.ID)
	}
	for i := range b.N/groups + 1 {
		n, upn := fmt.Sprintf("u%d", i), fmt.Sprintf("u%d@example.org", i)
		u, err := svc.CreateUser(ctx, tenant, directory.UserFields{DisplayName: &n, MailNickname: &n,
			UserPrincipalName: &upn, AccountEnabled: new(true), Password: new("Passw0rd!x")}, directory.Policy{})
		if err != nil {
			b.Fatal(err)
		}
		uids = append(uids, u.ID)
	}
	var next atomic.Int64
	b.SetParallelism(32) // 64 callers on 2 cores
	cpu0 := cpuTime()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			g, u := gids[i%groups], uids[i/groups]
			err := svc.AddMembers(ctx, tenant, string(g), []directory.MemberRef{{ID: u, Kind: directory.KindUser}}, directory.Policy{})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "adds/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-us/add")
}

// cpuTime is the CPU time the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
