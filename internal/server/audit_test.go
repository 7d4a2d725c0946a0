package server

import (
	"context"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"groupd/internal/directory"
	"groupd/internal/store/testdb"
)

// TestFollowAudit: with the follower running, the bootstrap's changes are
// in the store's audit log without a reader catching it up (a store that
// copies has copied them; one that reads its change log lists them as
// they are), and the follower ends with its context.
func TestFollowAudit(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := testdb.Open(t)
	svc := directory.New(st, directory.WithPasswordCost(bcrypt.MinCost))
	boot, err := svc.Bootstrap(ctx, testDomain, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		FollowAudit(ctx, svc, time.Hour, testLogger(t))
		close(done)
	}()
	deadline := time.Now().Add(10 * auditCopyInterval)
	for {
		// The store's own list: Service.AuditLog would copy first.
		page, err := st.AuditLog(ctx, boot.Tenant.ID, directory.AuditQuery{Page: directory.PageRequest{Top: 10}})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no audit entry %v after the bootstrap", 10*auditCopyInterval)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("FollowAudit did not end with its context")
	}
}
