package directory_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"groupd/internal/directory"
)

func TestReadCacheSeesOwnWritesAtOnce(t *testing.T) {
	e := newEnv(t)
	svc := directory.New(e.st, directory.WithPasswordCost(4), directory.WithReadCache(10))
	g, err := svc.CreateGroup(e.ctx, e.tenant.ID, directory.GroupCreate{Fields: directory.GroupFields{
		DisplayName: s("before"), MailNickname: s("g"), MailEnabled: b(false), SecurityEnabled: b(true)}})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := svc.Group(e.ctx, e.tenant.ID, string(g.ID)); got.DisplayName != "before" {
		t.Fatalf("first read: %q", got.DisplayName)
	}
	if err := svc.UpdateGroup(e.ctx, e.tenant.ID, string(g.ID), directory.GroupUpdate{
		Fields: directory.GroupFields{DisplayName: s("after")}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := svc.Group(e.ctx, e.tenant.ID, string(g.ID)); got.DisplayName != "after" {
		t.Fatalf("read after acknowledged write: %q", got.DisplayName)
	}
	if err := svc.DeleteGroup(e.ctx, e.tenant.ID, string(g.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Group(e.ctx, e.tenant.ID, string(g.ID)); err == nil {
		t.Fatal("deleted group still served from the cache")
	}
	u := e.user("cached")
	if _, err := svc.User(e.ctx, e.tenant.ID, string(u.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdateUser(e.ctx, e.tenant.ID, string(u.ID), directory.UserFields{JobTitle: s("Pilot")}); err != nil {
		t.Fatal(err)
	}
	if got, _ := svc.User(e.ctx, e.tenant.ID, string(u.ID)); got.JobTitle != "Pilot" {
		t.Fatalf("user read after write: %q", got.JobTitle)
	}
}

// A cached value must not be changed through the slices a caller receives.
func TestReadCacheHandsOutCopies(t *testing.T) {
	e := newEnv(t)
	svc := directory.New(e.st, directory.WithReadCache(10))
	g := e.group("team", directory.GroupTypeUnified)
	first, _ := svc.Group(e.ctx, e.tenant.ID, string(g.ID))
	first.GroupTypes[0] = "Tampered"
	again, _ := svc.Group(e.ctx, e.tenant.ID, string(g.ID))
	if again.GroupTypes[0] != directory.GroupTypeUnified {
		t.Fatalf("cache entry changed by a caller: %v", again.GroupTypes)
	}
}

// Writes by another process (another Service on the same store stands in
// for the command line) reach cached reads through Follow.
func TestReadCacheFollowsOtherWriters(t *testing.T) {
	e := newEnv(t)
	cached := directory.New(e.st, directory.WithReadCache(10))
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- cached.Follow(ctx, 10*time.Millisecond) }()
	g := e.group("g")
	if got, _ := cached.Group(e.ctx, e.tenant.ID, string(g.ID)); got.DisplayName != "g" {
		t.Fatalf("first read: %q", got.DisplayName)
	}
	// The follower starts from the end of the log as it finds it; writes
	// are repeated until one lands after that start, however late it is.
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; ; i++ {
		name := fmt.Sprintf("renamed elsewhere %d", i)
		if err := e.svc.UpdateGroup(e.ctx, e.tenant.ID, string(g.ID), directory.GroupUpdate{
			Fields: directory.GroupFields{DisplayName: s(name)}}); err != nil {
			t.Fatal(err)
		}
		seen := false
		for wait := time.Now().Add(200 * time.Millisecond); time.Now().Before(wait); time.Sleep(5 * time.Millisecond) {
			if got, _ := cached.Group(e.ctx, e.tenant.ID, string(g.ID)); got.DisplayName == name {
				seen = true
				break
			}
		}
		if seen {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the follower never dropped the stale entry")
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// A value cached before the follower started must not outlive a change
// another process committed before the follower's starting position.
func TestReadCacheFollowerStartsClean(t *testing.T) {
	e := newEnv(t)
	cached := directory.New(e.st, directory.WithPasswordCost(4), directory.WithReadCache(10))
	other := directory.New(e.st, directory.WithPasswordCost(4))
	g := e.group("before")
	if got, _ := cached.Group(e.ctx, e.tenant.ID, string(g.ID)); got.DisplayName != "before" {
		t.Fatalf("first read: %q", got.DisplayName)
	}
	if err := other.UpdateGroup(e.ctx, e.tenant.ID, string(g.ID), directory.GroupUpdate{
		Fields: directory.GroupFields{DisplayName: s("after")}}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() { done <- cached.Follow(ctx, time.Hour) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if got, _ := cached.Group(e.ctx, e.tenant.ID, string(g.ID)); got.DisplayName == "after" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the follower started at a position past the change and kept the stale value")
		}
	}
}
