package directory_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"groupd/internal/directory"
	"groupd/internal/store/testdb"
)

// TestRestoreThroughCaches: a process with a read cache sees a user
// disappear and come back when another process on the same database
// deletes and restores it, and a delta token issued by one process reads
// on the other.
func TestRestoreThroughCaches(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := testdb.Open(t)
	a := directory.New(st, directory.WithReadCache(100), directory.WithPasswordCost(4))
	b := directory.New(st, directory.WithPasswordCost(4))
	boot, err := b.Bootstrap(ctx, "example.org", "Admin-Passw0rd")
	if err != nil {
		t.Fatal(err)
	}
	tid := boot.Tenant.ID
	go func() { _ = a.Follow(ctx, 10*time.Millisecond) }()
	s := func(v string) *string { return &v }
	on := true
	u, err := b.CreateUser(ctx, tid, directory.UserFields{DisplayName: s("Ann"), MailNickname: s("ann"),
		UserPrincipalName: s("ann@example.org"), AccountEnabled: &on, Password: s("Admin-Passw0rd")}, directory.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	latest, err := a.Delta(ctx, tid, directory.DeltaRequest{Kind: directory.KindUser, Latest: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.User(ctx, tid, string(u.ID)); err != nil { // now cached in a
		t.Fatal(err)
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if ok() {
				return
			}
		}
		t.Fatalf("a never saw %s", what)
	}
	if err := b.DeleteUser(ctx, tid, string(u.ID)); err != nil {
		t.Fatal(err)
	}
	waitFor("the delete", func() bool {
		_, err := a.User(ctx, tid, string(u.ID))
		return errors.Is(err, directory.ErrNotFound)
	})
	if _, err := b.RestoreDeleted(ctx, tid, string(u.ID)); err != nil {
		t.Fatal(err)
	}
	waitFor("the restore", func() bool {
		got, err := a.User(ctx, tid, string(u.ID))
		return err == nil && got.DisplayName == "Ann" && got.DeletedAt == nil
	})

	// b reads a's token: the key is the tenant's, kept in the database.
	p, err := b.Delta(ctx, tid, directory.DeltaRequest{Kind: directory.KindUser, Token: latest.Delta})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Items) != 1 || p.Items[0].ID != u.ID || p.Items[0].Object.User == nil || p.Delta == "" {
		t.Fatalf("delta on b after delete and restore: %+v", p)
	}
}
