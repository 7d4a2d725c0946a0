package msgraph_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// batchResponse is one member of a $batch answer's "responses".
type batchResponse struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

// batch posts requests to /$batch, wants 200 and returns the responses by
// id, checking that they come in the order of the requests.
func (e *env) batch(t *testing.T, requests []map[string]any, opts ...reqOpt) map[string]batchResponse {
	t.Helper()
	r := e.do(http.MethodPost, "/$batch", map[string]any{"requests": requests}, opts...).want(t, http.StatusOK)
	if got := keys(t, r.body); strings.Join(got, ",") != "responses" {
		t.Fatalf("top-level keys %v, want [responses]", got)
	}
	var body struct{ Responses []batchResponse }
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatal(err)
	}
	if len(body.Responses) != len(requests) {
		t.Fatalf("%d responses to %d requests: %s", len(body.Responses), len(requests), r.body)
	}
	out := map[string]batchResponse{}
	for i, res := range body.Responses {
		if want := requests[i]["id"]; res.ID != want {
			t.Errorf("response %d has id %q, want %q (the order of the requests)", i, res.ID, want)
		}
		out[res.ID] = res
	}
	return out
}

func (b batchResponse) want(t *testing.T, status int) batchResponse {
	t.Helper()
	if b.Status != status {
		t.Fatalf("request %s: status %d, want %d; body %s", b.ID, b.Status, status, b.Body)
	}
	// A JSON answer inside the batch carries its OData-Version, as Graph's do.
	if b.Headers["Content-Type"] == jsonType && b.Headers["OData-Version"] != "4.0" {
		t.Errorf("request %s: headers %v, want OData-Version 4.0", b.ID, b.Headers)
	}
	return b
}

// wantError checks a batched request's error body as resp.wantError does
// a whole response's.
func (b batchResponse) wantError(t *testing.T, status int, code, message string) {
	t.Helper()
	b.want(t, status)
	if ct := b.Headers["Content-Type"]; ct != jsonType {
		t.Errorf("request %s: Content-Type %q", b.ID, ct)
	}
	var body struct {
		Error struct {
			Code, Message string
			InnerError    map[string]string `json:"innerError"`
		}
	}
	if err := json.Unmarshal(b.Body, &body); err != nil {
		t.Fatalf("request %s: error body: %v: %s", b.ID, err, b.Body)
	}
	if body.Error.Code != code || body.Error.Message != message {
		t.Errorf("request %s: error %q %q\nwant %q %q", b.ID, body.Error.Code, body.Error.Message, code, message)
	}
	if body.Error.InnerError["request-id"] == "" || !errorDate.MatchString(body.Error.InnerError["date"]) {
		t.Errorf("request %s: innerError %v", b.ID, body.Error.InnerError)
	}
}

func TestBatch(t *testing.T) {
	e := newEnv(t)
	existing := e.secGroup("Existing")
	jsonHeader := map[string]string{"Content-Type": "application/json"}
	res := e.batch(t, []map[string]any{
		{"id": "create", "method": "POST", "url": "/groups", "headers": jsonHeader,
			"body": map[string]any{"displayName": "Batched", "mailEnabled": false, "mailNickname": "batched", "securityEnabled": true}},
		{"id": "list", "method": "GET", "url": "/groups?$select=id,displayName&$filter=displayName eq 'Batched'", "dependsOn": []string{"create"}},
		{"id": "count", "method": "get", "url": "groups/$count", "headers": map[string]string{"ConsistencyLevel": "eventual"}, "dependsOn": []string{"CREATE"}},
		{"id": "missing", "method": "GET", "url": "/groups/00000000-0000-0000-0000-000000000000"},
		{"id": "after-after", "method": "GET", "url": "/groups", "dependsOn": []string{"after-missing"}},
		{"id": "after-missing", "method": "DELETE", "url": "/groups/" + existing, "dependsOn": []string{"missing"}},
		{"id": "absolute", "method": "GET", "url": e.base + "/groups/" + existing + "?$select=displayName"},
		{"id": "versioned", "method": "GET", "url": "/v1.0/groups/" + existing + "?$select=displayName"},
		{"id": "count-without-header", "method": "GET", "url": "/groups/$count"},
	}, header("ConsistencyLevel", "eventual"))

	created := res["create"].want(t, http.StatusCreated)
	if created.Headers["Content-Type"] != jsonType {
		t.Errorf("create: Content-Type %q", created.Headers["Content-Type"])
	}
	var g struct{ ID, DisplayName string }
	if err := json.Unmarshal(created.Body, &g); err != nil || g.DisplayName != "Batched" {
		t.Fatalf("create body %s: %v", created.Body, err)
	}
	if loc := created.Headers["Location"]; loc != e.base+"/groups/"+g.ID {
		t.Errorf("create: Location %q, want %q", loc, e.base+"/groups/"+g.ID)
	}

	var list struct {
		Context string `json:"@odata.context"`
		Value   []map[string]string
	}
	if err := json.Unmarshal(res["list"].want(t, http.StatusOK).Body, &list); err != nil {
		t.Fatal(err)
	}
	if list.Context != e.base+"/$metadata#groups(id,displayName)" || len(list.Value) != 1 || list.Value[0]["id"] != g.ID {
		t.Errorf("list after create: %+v", list)
	}

	count := res["count"].want(t, http.StatusOK)
	if string(count.Body) != `"2"` || !strings.HasPrefix(count.Headers["Content-Type"], "text/plain") {
		t.Errorf("count: %s %v (text answers come as JSON strings)", count.Body, count.Headers)
	}

	res["missing"].wantError(t, http.StatusNotFound, "Request_ResourceNotFound",
		"Resource '00000000-0000-0000-0000-000000000000' does not exist or one of its queried reference-property objects are not present.")
	res["after-missing"].wantError(t, http.StatusFailedDependency, "FailedDependency",
		"Request 'after-missing' did not run: it depends on request 'missing', which failed with status 404.")
	// A 424 fails what depends on it in turn, wherever it stands in the batch.
	res["after-after"].wantError(t, http.StatusFailedDependency, "FailedDependency",
		"Request 'after-after' did not run: it depends on request 'after-missing', which failed with status 424.")
	e.do(http.MethodGet, "/groups/"+existing, nil).want(t, http.StatusOK) // the DELETE did not run

	for _, id := range []string{"absolute", "versioned"} {
		if b := string(res[id].want(t, http.StatusOK).Body); !strings.Contains(b, `"displayName":"Existing"`) {
			t.Errorf("%s url: %s", id, b)
		}
	}
	// The request's own headers count, not the batch's.
	res["count-without-header"].wantError(t, http.StatusBadRequest, "Request_BadRequest", "$count is not currently supported.")
}

// TestBatchPermissions: each batched request needs its own permission; the
// batch needs only a signed-in caller, and one that is not gets 401.
func TestBatchPermissions(t *testing.T) {
	e := newEnv(t)
	jim := e.user("jim")
	res := e.batch(t, []map[string]any{
		{"id": "read", "method": "GET", "url": "/users/" + jim + "?$select=displayName"},
		{"id": "write", "method": "POST", "url": "/groups", "headers": map[string]string{"Content-Type": "application/json"},
			"body": map[string]any{"displayName": "No", "mailEnabled": false, "mailNickname": "no", "securityEnabled": true}},
	}, as("jim@example.org", adminPass))
	res["read"].want(t, http.StatusOK)
	res["write"].wantError(t, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")

	e.do(http.MethodPost, "/$batch", map[string]any{"requests": []map[string]any{{"id": "1", "method": "GET", "url": "/groups"}}}, anonymous()).
		wantError(t, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token is empty.")
}

// TestBatchRefused: a malformed batch is refused whole, before any of its
// requests runs.
func TestBatchRefused(t *testing.T) {
	e := newEnv(t)
	create := map[string]any{"id": "c", "method": "POST", "url": "/groups", "headers": map[string]string{"Content-Type": "application/json"},
		"body": map[string]any{"displayName": "Never", "mailEnabled": false, "mailNickname": "never", "securityEnabled": true}}
	get := func(id string) map[string]any { return map[string]any{"id": id, "method": "GET", "url": "/groups"} }
	shape := `A batch body is {"requests": [...]} with 1 to 20 requests, each with id, method and url, and optionally headers, body and dependsOn.`
	many := []map[string]any{}
	for i := range 21 {
		many = append(many, get(fmt.Sprint(i)))
	}
	for _, c := range []struct {
		name    string
		body    any
		message string
	}{
		{"not JSON", `{"requests": [`, "The request body is not valid JSON: unexpected end of input."},
		{"no requests", map[string]any{}, "The batch has no requests. " + shape},
		{"empty", map[string]any{"requests": []any{}}, "The batch has no requests. " + shape},
		{"not an array", map[string]any{"requests": "all"}, "Property 'requests' must be an array. " + shape},
		{"unknown key", map[string]any{"requests": []any{create}, "atomicityGroup": "g"}, "Key 'atomicityGroup' is not known. " + shape},
		{"too many", map[string]any{"requests": append(many, create)}, "A batch may hold at most 20 requests; this one holds 22."},
		{"not an object", map[string]any{"requests": []any{create, "GET /groups"}}, "Request 2 of the batch is not a JSON object. " + shape},
		{"unknown request key", map[string]any{"requests": []any{create, map[string]any{"id": "x", "method": "GET", "url": "/groups", "atomicityGroup": "g"}}},
			"Request 2 of the batch has key 'atomicityGroup'. " + shape},
		{"no id", map[string]any{"requests": []any{create, map[string]any{"method": "GET", "url": "/groups"}}},
			"Request 2 of the batch has no id; each request needs an id unique in the batch."},
		{"numeric id", map[string]any{"requests": []any{create, map[string]any{"id": 2, "method": "GET", "url": "/groups"}}},
			"Request 2 of the batch has an invalid 'id': it must be a string."},
		{"duplicate id", map[string]any{"requests": []any{create, get("C")}},
			"Request id 'C' appears more than once in the batch; ids must be unique (ignoring case)."},
		{"method", map[string]any{"requests": []any{create, map[string]any{"id": "x", "method": "HEAD", "url": "/groups"}}},
			"Request 'x' has method 'HEAD'; a batched request uses GET, POST, PUT, PATCH or DELETE."},
		{"no url", map[string]any{"requests": []any{create, map[string]any{"id": "x", "method": "GET"}}},
			"Request 'x' has no url; give it relative to /v1.0, e.g. /groups."},
		{"url beside /v1.0", map[string]any{"requests": []any{create, map[string]any{"id": "x", "method": "GET", "url": e.url + "/beta/groups"}}},
			"Request 'x' has url '" + e.url + "/beta/groups', which is not below /v1.0."},
		{"nested", map[string]any{"requests": []any{create, map[string]any{"id": "x", "method": "POST", "url": "/$batch"}}},
			"Request 'x' is a batch itself; batches cannot be nested."},
		{"headers", map[string]any{"requests": []any{create, map[string]any{"id": "x", "method": "GET", "url": "/groups", "headers": map[string]int{"Prefer": 1}}}},
			"Request 2 of the batch has an invalid 'headers': it must be an object whose values are strings."},
		{"body without type", map[string]any{"requests": []any{create, map[string]any{"id": "x", "method": "PATCH", "url": "/groups/x", "body": map[string]any{}}}},
			`Request 'x' has a body but no Content-Type header; add "headers": {"Content-Type": "application/json"}.`},
		{"body not base64", map[string]any{"requests": []any{create, map[string]any{"id": "x", "method": "PUT", "url": "/groups/x", "headers": map[string]string{"Content-Type": "image/png"}, "body": "%%"}}},
			"Request 'x' has a body of type 'image/png' that is not valid base64."},
		{"unknown dependency", map[string]any{"requests": []any{create, map[string]any{"id": "x", "method": "GET", "url": "/groups", "dependsOn": []string{"y"}}}},
			"Request 'x' depends on 'y', which is not a request of this batch."},
		{"dependsOn type", map[string]any{"requests": []any{create, map[string]any{"id": "x", "method": "GET", "url": "/groups", "dependsOn": "c"}}},
			"Request 2 of the batch has an invalid 'dependsOn': it must be an array of request ids."},
		{"requests twice", `{"requests":[{"id":"1","method":"GET","url":"/groups"}],"requests":[]}`,
			"The property 'requests' is given more than once in the request body."},
		{"url twice", `{"requests":[{"id":"1","method":"GET","url":"/groups","url":"/users"}]}`,
			"Request 1 of the batch gives 'url' more than once."},
		{"cycle", map[string]any{"requests": []any{
			map[string]any{"id": "c", "method": "POST", "url": "/groups", "headers": map[string]string{"Content-Type": "application/json"}, "body": create["body"], "dependsOn": []string{"b"}},
			map[string]any{"id": "a", "method": "GET", "url": "/groups", "dependsOn": []string{"c"}},
			map[string]any{"id": "b", "method": "GET", "url": "/groups", "dependsOn": []string{"a"}}}},
			"Request 'c' depends on itself through dependsOn; dependencies must not form a cycle."},
	} {
		t.Run(c.name, func(t *testing.T) {
			e.do(http.MethodPost, "/$batch", c.body).wantError(t, http.StatusBadRequest, "BadRequest", c.message)
		})
	}
	if n := e.groupCount(); n != 0 {
		t.Fatalf("refused batches left %d groups", n)
	}
	e.do(http.MethodGet, "/$batch", nil).wantError(t, http.StatusMethodNotAllowed, "Request_BadRequest",
		"Specified HTTP method is not allowed for the request target.")
}

// TestBatchBase64Body: a body of a type other than JSON is sent
// base64-encoded and reaches the handler decoded, which refuses it as it
// refuses that type sent alone (every body here is JSON).
func TestBatchBase64Body(t *testing.T) {
	e := newEnv(t)
	id := e.secGroup("Plain")
	res := e.batch(t, []map[string]any{{"id": "1", "method": "PATCH", "url": "/groups/" + id,
		"headers": map[string]string{"Content-Type": "text/plain"},
		"body":    base64.StdEncoding.EncodeToString([]byte(`{"description":"from base64"}`))}})
	res["1"].wantError(t, http.StatusUnsupportedMediaType, "UnsupportedMediaType", "Content-Type 'text/plain' is not supported; send application/json.")
	if b := string(e.do(http.MethodGet, "/groups/"+id+"?$select=description", nil).want(t, http.StatusOK).body); strings.Contains(b, "from base64") {
		t.Errorf("after the refused PATCH: %s", b)
	}
}

// TestBatchConcurrentWrites: requests without dependsOn run at once. Twenty
// member adds all land, and of two adds of the same member, whichever runs
// first wins and the other gets the usual error.
func TestBatchConcurrentWrites(t *testing.T) {
	e := newEnv(t)
	gid := e.secGroup("Crowd")
	var requests []map[string]any
	var users []string
	for i := range 19 {
		u := e.user(fmt.Sprintf("u%02d", i))
		users = append(users, u)
		requests = append(requests, map[string]any{"id": fmt.Sprint(i), "method": "POST", "url": "/groups/" + gid + "/members/$ref",
			"headers": map[string]string{"Content-Type": "application/json"},
			"body":    map[string]string{"@odata.id": e.base + "/directoryObjects/" + u}})
	}
	again := maps.Clone(requests[0])
	again["id"] = "again"
	res := e.batch(t, append(requests, again))
	var added, refused int
	for id, r := range res {
		switch r.Status {
		case http.StatusNoContent:
			added++
		case http.StatusBadRequest:
			refused++
			r.wantError(t, http.StatusBadRequest, "Request_BadRequest",
				"One or more added object references already exist for the following modified properties: 'members'.")
			if id != "0" && id != "again" {
				t.Errorf("request %s refused", id)
			}
		default:
			t.Errorf("request %s: status %d %s", id, r.Status, r.Body)
		}
	}
	if added != 19 || refused != 1 {
		t.Errorf("%d added, %d refused; want 19 and 1", added, refused)
	}
	got := e.ids(gid, "members")
	slices.Sort(got)
	slices.Sort(users)
	if !slices.Equal(got, users) {
		t.Errorf("members %v, want %v", got, users)
	}
}

// BenchmarkBatchMemberAdds: a batch of 20 member adds to a new group, the
// requests independent (run at once, sharing commits) or chained by
// dependsOn (one after another, a commit each), through the whole server
// on the engine of the run.
func BenchmarkBatchMemberAdds(b *testing.B) {
	for _, chained := range []bool{false, true} {
		name := "at once"
		if chained {
			name = "one after another"
		}
		b.Run(name, func(b *testing.B) {
			e := newEnv(b)
			var users []string
			for i := range 20 {
				users = append(users, e.user(fmt.Sprintf("u%02d", i)))
			}
			for n := 0; b.Loop(); n++ {
				b.StopTimer()
				gid := e.secGroup(fmt.Sprintf("g%d", n))
				requests := make([]map[string]any, len(users))
				for i, u := range users {
					requests[i] = map[string]any{"id": fmt.Sprint(i), "method": "POST", "url": "/groups/" + gid + "/members/$ref",
						"headers": map[string]string{"Content-Type": "application/json"},
						"body":    map[string]string{"@odata.id": e.base + "/directoryObjects/" + u}}
					if chained && i > 0 {
						requests[i]["dependsOn"] = []string{fmt.Sprint(i - 1)}
					}
				}
				b.StartTimer()
				r := e.do(http.MethodPost, "/$batch", map[string]any{"requests": requests})
				if r.code != http.StatusOK || strings.Contains(string(r.body), `"status":4`) {
					b.Fatalf("%d %s", r.code, r.body)
				}
			}
		})
	}
}
