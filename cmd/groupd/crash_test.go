package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"groupd/internal/directory"
	"groupd/internal/store"
	"groupd/internal/store/pgtest"
)

// TestKillKeepsAcknowledgedAdds kills groupd serve (SIGKILL: no shutdown,
// nothing flushed on the way out) while clients add members, starts the
// store again, and finds every add that was answered 204 before the kill.
// The adds go through group commit, the syncer and, on SQLite, the WAL
// layer that gathers a commit's writes; a write acknowledged while still
// only in the process would be lost here.
func TestKillKeepsAcknowledgedAdds(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills a server process")
	}
	t.Run("sqlite", func(t *testing.T) { killDuringAdds(t, t.TempDir(), "") })
	t.Run("postgres", func(t *testing.T) { killDuringAdds(t, "", pgtest.NewEmptyDatabase(t)) })
}

func killDuringAdds(t *testing.T, dataDir, database string) {
	const users, killAfter, clients = 1200, 400, 16
	ctx := context.Background()
	if dataDir == "" {
		dataDir = t.TempDir() // for the server's key file; the data is in database
	}
	boot := bootstrap(t, dataDir, database)
	tenant := boot.Tenant.ID
	gid, uids := addFixtures(t, dataDir, database, tenant, users)

	args := []string{"serve", "--insecure-http", "--listen", "127.0.0.1:0", "--data-dir", dataDir}
	if database != "" {
		args = append(args, "--database", database)
	}
	srv := exec.Command(os.Args[0], "-test.run", "^$")
	srv.Env = append(os.Environ(), runArgsEnv+"="+strings.Join(args, "\n"))
	out, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	srv.Stderr = io.Discard
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		_ = srv.Wait() // killed: the exit status says only that
		close(exited)
	}()
	t.Cleanup(func() {
		_ = srv.Process.Kill()
		<-exited
	})
	base := listenURL(t, out)

	var (
		next, acked atomic.Int64
		mu          sync.Mutex
		added       []directory.ObjectID
		wg          sync.WaitGroup
		killed      = make(chan struct{})
	)
	client := &http.Client{Timeout: 10 * time.Second}
	for range clients {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(len(uids)) {
					return
				}
				select {
				case <-killed:
					return
				default:
				}
				body := fmt.Sprintf(`{"@odata.id":"%s/v1.0/directoryObjects/%s"}`, base, uids[i])
				req, _ := http.NewRequest(http.MethodPost, base+"/v1.0/groups/"+string(gid)+"/members/$ref", strings.NewReader(body))
				req.SetBasicAuth(boot.Admin.UserPrincipalName, "Admin-Passw0rd")
				req.Header.Set("Content-Type", "application/json")
				res, err := client.Do(req)
				if err != nil {
					continue // the server is gone: this add's outcome is unknown
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode == http.StatusNoContent {
					mu.Lock()
					added = append(added, uids[i])
					mu.Unlock()
					if acked.Add(1) == killAfter { // true for one add only
						_ = srv.Process.Kill()
						close(killed)
					}
				} else if !isKilled(killed) {
					t.Errorf("add %d: status %d", i, res.StatusCode)
				}
			}
		})
	}
	wg.Wait()
	if !isKilled(killed) {
		t.Fatalf("only %d adds were acknowledged; the server was never killed", acked.Load())
	}
	<-exited

	st, err := store.Open(ctx, dataDir, database)
	if err != nil {
		t.Fatalf("reopen after the kill: %v", err)
	}
	defer st.Close()
	members := map[directory.ObjectID]bool{}
	svc := directory.New(st)
	for page := (directory.PageRequest{Top: 999}); ; {
		p, err := svc.Members(ctx, tenant, string(gid), page)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range p.Items {
			members[o.ID()] = true
		}
		if p.Next == "" {
			break
		}
		page.After = p.Next
	}
	mu.Lock()
	defer mu.Unlock()
	lost := 0
	for _, u := range added {
		if !members[u] {
			lost++
		}
	}
	if lost > 0 {
		t.Fatalf("%d of %d acknowledged adds are missing after the kill", lost, len(added))
	}
	t.Logf("killed after %d acknowledged adds; %d members after the restart", len(added), len(members))
}

func isKilled(killed chan struct{}) bool {
	select {
	case <-killed:
		return true
	default:
		return false
	}
}

// addFixtures makes a group and n users to add to it, before the server
// starts.
func addFixtures(t *testing.T, dataDir, database string, tenant directory.TenantID, n int) (gid directory.ObjectID, ids []directory.ObjectID) {
	t.Helper()
	withService(t, dataDir, database, func(ctx context.Context, svc *directory.Service) {
		name, yes, no := "crash", true, false
		g, err := svc.CreateGroup(ctx, tenant, directory.GroupCreate{Fields: directory.GroupFields{
			DisplayName: &name, MailNickname: &name, MailEnabled: &no, SecurityEnabled: &yes}})
		if err != nil {
			t.Fatal(err)
		}
		gid = g.ID
		for i := range n {
			nick, upn, pw := fmt.Sprintf("u%d", i), fmt.Sprintf("u%d@example.org", i), "Passw0rd!x"
			u, err := svc.CreateUser(ctx, tenant, directory.UserFields{DisplayName: &nick, MailNickname: &nick,
				UserPrincipalName: &upn, AccountEnabled: &yes, Password: &pw}, directory.Policy{})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, u.ID)
		}
	})
	return gid, ids
}

// listenURL reads the server's address from its first line of output.
func listenURL(t *testing.T, out io.Reader) string {
	t.Helper()
	lines := bufio.NewScanner(out)
	first := make(chan string, 1)
	go func() {
		if lines.Scan() {
			first <- lines.Text()
		}
		close(first)
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case line := <-first:
		const prefix = "groupd listening on "
		if !strings.HasPrefix(line, prefix) {
			t.Fatalf("first line of groupd serve: %q", line)
		}
		return strings.TrimSuffix(strings.TrimPrefix(line, prefix), "/")
	case <-time.After(30 * time.Second):
		t.Fatal("groupd serve printed nothing for 30 s")
	}
	return ""
}
