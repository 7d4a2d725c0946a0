package server

import (
	"context"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"groupd/internal/directory"
	"groupd/internal/store/testdb"
)

// TestRetainAudit: the bootstrap's changes are in the store's audit log as
// soon as they commit, with no job copying them, and the retention job
// ends with its context.
func TestRetainAudit(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := testdb.Open(t)
	svc := directory.New(st, directory.WithPasswordCost(bcrypt.MinCost))
	boot, err := svc.Bootstrap(ctx, testDomain, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	page, err := st.AuditLog(ctx, boot.Tenant.ID, directory.AuditQuery{Page: directory.PageRequest{Top: 10}})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) == 0 {
		t.Fatal("no audit entry after the bootstrap")
	}
	done := make(chan struct{})
	go func() {
		RetainAudit(ctx, svc, time.Hour, testLogger(t))
		close(done)
	}()
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("RetainAudit did not end with its context")
	}
	if again, err := st.AuditLog(context.Background(), boot.Tenant.ID, directory.AuditQuery{Page: directory.PageRequest{Top: 10}}); err != nil || len(again.Items) != len(page.Items) {
		t.Errorf("after the retention job: %d entries, %v; want the %d within the retention", len(again.Items), err, len(page.Items))
	}
}
