package sqlite

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"groupd/internal/directory"
)

// BenchmarkAddMember measures durable one-member updates from many
// concurrent callers, which group commit lets share a sync.
func BenchmarkAddMember(b *testing.B) {
	s := openTempB(b)
	ctx := context.Background()
	tid := seedTenantB(b, s)
	g := directory.Group{ID: directory.NewObjectID(), TenantID: tid, DisplayName: "g", SecurityEnabled: true}
	users := make([]directory.ObjectID, b.N)
	if err := s.Update(ctx, func(tx directory.Tx) error {
		if err := tx.InsertGroup(ctx, g); err != nil {
			return err
		}
		for i := range users {
			u := testUser(tid, fmt.Sprintf("u%d", i))
			users[i] = u.ID
			if err := tx.InsertUser(ctx, u); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	b.SetParallelism(32)
	before := s.commits.Load()
	b.Cleanup(func() {
		b.ReportMetric(float64(b.N)/float64(s.commits.Load()-before), "updates/commit")
	})
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := users[next.Add(1)-1]
			err := s.Update(ctx, func(tx directory.Tx) error {
				if err := tx.AddMembers(ctx, tid, g.ID, []directory.MemberRef{{ID: id, Kind: directory.KindUser}}); err != nil {
					return err
				}
				return tx.AppendChanges(ctx, []directory.Change{{TenantID: tid, ObjectID: g.ID, ObjectKind: directory.KindGroup,
					Op: directory.OpMemberAdded, RelatedID: id, RelatedKind: directory.KindUser}})
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkGroupByID measures the hot read path.
func BenchmarkGroupByID(b *testing.B) {
	s := openTempB(b)
	ctx := context.Background()
	tid := seedTenantB(b, s)
	g := directory.Group{ID: directory.NewObjectID(), TenantID: tid, DisplayName: "g", SecurityEnabled: true,
		GroupTypes: []string{"Unified"}, MailNickname: "g", Mail: "g@contoso.example"}
	if err := s.Update(ctx, func(tx directory.Tx) error { return tx.InsertGroup(ctx, g) }); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Group(ctx, tid, g.ID); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func openTempB(b *testing.B) *Store {
	b.Helper()
	s, err := Open(context.Background(), b.TempDir()+"/groupd.db")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func seedTenantB(b *testing.B, s *Store) directory.TenantID {
	tn := directory.Tenant{ID: directory.NewTenantID(), DisplayName: "t",
		Domains: []directory.Domain{{Name: "contoso.example", IsDefault: true}}}
	if err := s.Update(context.Background(), func(tx directory.Tx) error { return tx.InsertTenant(context.Background(), tn) }); err != nil {
		b.Fatal(err)
	}
	return tn.ID
}
