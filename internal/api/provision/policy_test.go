package provision_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"groupd/internal/directory"
)

func (e *env) settings(values ...directory.SettingValue) {
	e.t.Helper()
	if _, err := e.dir.SetUnifiedSettings(context.Background(), e.tenant, values); err != nil {
		e.t.Fatal(err)
	}
}

// TestPolicies: the naming policy takes attribute tokens from the first
// owner of an app-only call, blocked words are refused by name, and the
// default classification is filled in.
func TestPolicies(t *testing.T) {
	e := newEnv(t)
	e.user("lead", "Sales")
	e.settings(directory.SettingValue{Name: "PrefixSuffixNamingRequirement", Value: "GRP_[Department]_[GroupName]"},
		directory.SettingValue{Name: "CustomBlockedWordsList", Value: "CEO,Payroll"},
		directory.SettingValue{Name: "ClassificationList", Value: "low,high"},
		directory.SettingValue{Name: "DefaultClassification", Value: "low"})
	r := e.provision(`{"displayName":"Launch","mailNickname":"launch","ownerUPNs":["lead@` + domain + `","nestorw@` + domain + `"],"visibility":"Public"}`)
	if r.code != http.StatusCreated {
		t.Fatalf("%d %s", r.code, r.body)
	}
	g := e.do(http.MethodGet, strings.TrimPrefix(r.h.Get("Location"), e.url), nil).obj(t)
	if g["displayName"] != "GRP_Sales_Launch" || g["classification"] != "low" || g["visibility"] != "Public" {
		t.Errorf("group %v %v %v", g["displayName"], g["classification"], g["visibility"])
	}
	e.provision(`{"displayName":"The ceo office","mailNickname":"ceo2","ownerUPNs":["lead@`+domain+`"],"visibility":"Public"}`).
		wantError(t, http.StatusBadRequest, "Request_BadRequest",
			"Property displayName has an invalid value. The displayName contains the blocked word 'CEO'.", "displayName", "InvalidValue")
	e.provision(`{"displayName":"Money","mailNickname":"payroll","ownerUPNs":["lead@`+domain+`"],"visibility":"Public"}`).
		wantError(t, http.StatusBadRequest, "Request_BadRequest",
			"Property mailNickname has an invalid value. The mailNickname contains the blocked word 'Payroll'.", "mailNickname", "InvalidValue")

	// A Global Administrator signed in with Basic credentials is exempt
	// from blocked words and the naming policy (Entra's administrator
	// override); the classification policy still holds.
	admin := func(r *http.Request) {
		r.Header.Del("Authorization")
		r.SetBasicAuth("admin@"+domain, adminPwd)
	}
	r = e.provision(`{"displayName":"CEO Board","mailNickname":"ceoboard","ownerUPNs":["lead@`+domain+`"],"visibility":"Public"}`, admin)
	if r.code != http.StatusCreated {
		t.Fatalf("administrator: %d %s", r.code, r.body)
	}
	g = e.do(http.MethodGet, strings.TrimPrefix(r.h.Get("Location"), e.url), nil).obj(t)
	if g["displayName"] != "CEO Board" || g["classification"] != "low" {
		t.Errorf("administrator's group %v %v", g["displayName"], g["classification"])
	}
}

// TestCreateTeam: createTeam makes the group's team in the same call.
func TestCreateTeam(t *testing.T) {
	e := newEnv(t)
	r := e.provision(strings.Replace(seedPayload, `"createTeam": false`, `"createTeam": true`, 1))
	if r.code != http.StatusCreated {
		t.Fatalf("%d %s", r.code, r.body)
	}
	id := strings.TrimPrefix(r.h.Get("Location"), e.url+"/v1.0/groups/")
	tm, err := e.dir.Team(context.Background(), e.tenant, id)
	if err != nil || string(tm.GroupID) != id || tm.Group.DisplayName != "My Group 10" {
		t.Fatalf("team %+v, %v", tm, err)
	}
}

// TestIdempotency: a retry with the same Idempotency-Key gets the first
// answer byte for byte and creates nothing; the key with another body is
// refused; concurrent retries make one group.
func TestIdempotency(t *testing.T) {
	e := newEnv(t)
	key := header("Idempotency-Key", "order-4711")
	first := e.provision(seedPayload, key)
	if first.code != http.StatusCreated {
		t.Fatalf("%d %s", first.code, first.body)
	}
	again := e.provision(seedPayload, key)
	if again.code != http.StatusCreated || string(again.body) != string(first.body) ||
		again.h.Get("Location") != first.h.Get("Location") || again.h.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %d %v\n%s\nfirst\n%s", again.code, again.h, again.body, first.body)
	}
	if n := e.groupCount(); n != 1 {
		t.Fatalf("%d groups", n)
	}
	e.provision(strings.Replace(seedPayload, "My Group 10", "My Group 11", 1), key).
		wantError(t, http.StatusConflict, "InvalidRequest", `The Idempotency-Key "order-4711" was already used for a different request.`, "", "")
	// Without a key the same body is a second attempt: the alias is taken.
	e.provision(seedPayload).wantError(t, http.StatusBadRequest, "Request_BadRequest",
		"Another object with the same value for property mailNickname already exists.", "mailNickname", "ObjectConflict")
	// Keys belong to the caller: another app's key does not replay.
	other := e.provision(strings.Replace(seedPayload, "mygroup10", "mygroup12", 1), key, bearer(e.appToken("Group.ReadWrite.All", "User.Read.All")))
	if other.code != http.StatusCreated || other.h.Get("Idempotent-Replayed") != "" {
		t.Fatalf("other app: %d %s", other.code, other.body)
	}

	body := strings.Replace(seedPayload, "mygroup10", "race", 1)
	var wg sync.WaitGroup
	locs := make([]string, 6)
	for i := range locs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.provision(body, header("Idempotency-Key", "race-key"))
			if r.code != http.StatusCreated {
				t.Errorf("concurrent retry %d: %d %s", i, r.code, r.body)
			}
			locs[i] = r.h.Get("Location")
		}()
	}
	wg.Wait()
	for _, l := range locs[1:] {
		if l != locs[0] {
			t.Fatalf("concurrent retries answered %v", locs)
		}
	}
	if n := e.groupCount(); n != 3 {
		t.Fatalf("%d groups, want 3", n)
	}
}

// TestGuestPolicy: the tenant's guest settings apply to the owners and
// members a call names, with Entra's 403, and a refused call creates
// nothing.
func TestGuestPolicy(t *testing.T) {
	e := newEnv(t)
	e.user("lead", "Sales")
	g := e.user("gus", "Partners")
	if _, err := e.dir.UpdateUser(context.Background(), e.tenant, string(g.ID), directory.UserFields{UserType: sp("Guest")}); err != nil {
		t.Fatal(err)
	}
	n := e.groupCount()
	e.provision(`{"displayName":"Ext","mailNickname":"ext1","ownerUPNs":["lead@`+domain+`","gus@`+domain+`"],"visibility":"Private"}`).
		wantError(t, http.StatusForbidden, "Authorization_RequestDenied",
			"Guests users are not allowed to be owners of this Unified Group due to policy setting. paramName: Owners, paramValue: , objectType: Microsoft.Online.DirectoryServices.Group", "", "")
	if r := e.provision(`{"displayName":"Ext","mailNickname":"ext2","ownerUPNs":["lead@` + domain + `"],"memberUPNs":["gus@` + domain + `"],"visibility":"Private"}`); r.code != http.StatusCreated {
		t.Fatalf("guest member by default: %d %s", r.code, r.body)
	}
	e.settings(directory.SettingValue{Name: "AllowToAddGuests", Value: "false"})
	e.provision(`{"displayName":"Ext","mailNickname":"ext3","ownerUPNs":["lead@`+domain+`"],"memberUPNs":["gus@`+domain+`"],"visibility":"Private"}`).
		wantError(t, http.StatusForbidden, "Authorization_RequestDenied",
			"Guests users are not allowed to join this Unified Group due to policy setting. paramName: Members, paramValue: , objectType: Microsoft.Online.DirectoryServices.Group", "", "")
	if got := e.groupCount(); got != n+1 {
		t.Fatalf("%d groups, want %d: a refused call left its group", got, n+1)
	}
}
