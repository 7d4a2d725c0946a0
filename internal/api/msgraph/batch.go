package msgraph

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"groupd/internal/api/httpx"
	"groupd/internal/auth"
)

// JSON batching (POST /$batch, REFERENCE "Change tracking"): up to
// maxBatch requests in one call, each run through this dialect's router as
// if it had come alone, under the batch's own credential. The batch is
// checked whole before any request runs, so a malformed one changes
// nothing. The requests run in waves: all those whose dependencies have
// succeeded run at once (as Graph, which promises no order without
// dependsOn; writes made together also share the store's commits), and
// one whose dependency did not succeed is answered 424 without running.
// Responses come in the order of the requests.

const maxBatch = 20

// batchMethods are the methods a batched request may use.
var batchMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// batchStep is one request of a batch, as checked by parseBatch.
type batchStep struct {
	id        string
	method    string
	target    *url.URL // below /v1.0
	header    http.Header
	body      []byte
	dependsOn []int // indexes of the steps this one waits for
}

// batchResult is a step's answer.
type batchResult struct {
	status int
	header http.Header
	body   []byte
}

func (a *api) batch(rq *request) error {
	b, err := httpx.ReadBody(rq.w, rq.r)
	if err != nil {
		return err
	}
	steps, err := parseBatch(b)
	if err != nil {
		return err
	}
	p, _ := auth.PrincipalFrom(rq.ctx)
	results := make([]*batchResult, len(steps))
	for slices.Contains(results, nil) {
		wave := a.nextWave(rq, steps, results)
		var wg sync.WaitGroup
		for _, i := range wave {
			wg.Go(func() { results[i] = a.runStep(rq, p, &steps[i]) })
		}
		wg.Wait()
	}
	out := getEnc()
	out.beginObject()
	out.key("responses")
	out.beginArray()
	for i, s := range steps {
		writeBatchResult(out, s.id, results[i])
	}
	out.endArray()
	out.endObject()
	send(rq.w, http.StatusOK, out)
	return nil
}

// nextWave returns the steps not yet answered whose dependencies all
// have been, answering 424 for those with a dependency that failed. A
// pass answers or returns at least one step: parseBatch ruled out
// cycles, so among the steps not answered one depends on none of them.
func (a *api) nextWave(rq *request, steps []batchStep, results []*batchResult) []int {
	var wave []int
next:
	for i := range steps {
		if results[i] != nil {
			continue
		}
		for _, d := range steps[i].dependsOn {
			switch r := results[d]; {
			case r == nil:
				continue next
			case r.status < 200 || r.status > 299:
				results[i] = a.failedDependency(rq, &steps[i], steps[d].id, r.status)
				continue next
			}
		}
		wave = append(wave, i)
	}
	return wave
}

// runStep runs a step through the router, as a request of its own.
func (a *api) runStep(rq *request, p auth.Principal, s *batchStep) *batchResult {
	ctx := dispatched(a.dir.BeginRequest(rq.ctx), p)
	sub, err := http.NewRequestWithContext(ctx, s.method, s.target.String(), bytes.NewReader(s.body))
	if err != nil {
		return a.recorded(rq, err)
	}
	sub.Header = s.header
	sub.Host, sub.RemoteAddr, sub.TLS = rq.r.Host, rq.r.RemoteAddr, rq.r.TLS
	sub.RequestURI = s.target.RequestURI()
	rec := &batchRecorder{header: http.Header{}}
	a.router.ServeHTTP(rec, sub)
	return rec.result()
}

func (a *api) failedDependency(rq *request, s *batchStep, dep string, status int) *batchResult {
	return a.recorded(rq, &apiError{status: http.StatusFailedDependency, code: "FailedDependency",
		message: fmt.Sprintf("Request '%s' did not run: it depends on request '%s', which failed with status %d.", s.id, dep, status)})
}

// recorded renders err as a batched request's answer.
func (a *api) recorded(rq *request, err error) *batchResult {
	rec := &batchRecorder{header: http.Header{}}
	a.writeError(rec, rq.r, err, "")
	return rec.result()
}

// batchRecorder keeps what a handler writes.
type batchRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *batchRecorder) Header() http.Header { return r.header }

func (r *batchRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *batchRecorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}

func (r *batchRecorder) result() *batchResult {
	r.header.Del("Content-Length")
	return &batchResult{status: cmp.Or(r.status, http.StatusOK), header: r.header, body: r.body.Bytes()}
}

// writeBatchResult writes one member of "responses": a JSON body as it
// is, text as a string, anything else base64-encoded, as Graph does.
func writeBatchResult(out *enc, id string, r *batchResult) {
	out.beginObject()
	out.key("id")
	out.str(id)
	out.key("status")
	out.raw(fmt.Sprint(r.status))
	if len(r.header) > 0 {
		out.key("headers")
		out.beginObject()
		keys := make([]string, 0, len(r.header))
		for k := range r.header {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			out.key(k)
			out.str(strings.Join(r.header[k], ", "))
		}
		out.endObject()
	}
	if len(r.body) > 0 {
		out.key("body")
		mt, _, _ := mime.ParseMediaType(r.header.Get("Content-Type"))
		switch {
		case strings.HasSuffix(mt, "json") && json.Valid(r.body):
			out.raw(string(r.body))
		case strings.HasPrefix(mt, "text/"):
			out.str(string(r.body))
		default:
			out.str(base64.StdEncoding.EncodeToString(r.body))
		}
	}
	out.endObject()
}

// batchError is a malformed batch: 400 BadRequest, nothing run.
func batchError(format string, args ...any) error {
	return badRequest(codeBadRequest, format, args...)
}

const batchShape = `A batch body is {"requests": [...]} with 1 to 20 requests, each with id, method and url, and optionally headers, body and dependsOn.`

// parseBatch checks a whole batch body and returns its steps.
func parseBatch(b []byte) ([]batchStep, error) {
	obj, err := httpx.ParseObject(b)
	if err != nil {
		return nil, err
	}
	var raws []json.RawMessage
	for _, f := range obj {
		if f.Name != "requests" {
			return nil, batchError("Key '%s' is not known. %s", f.Name, batchShape)
		}
		if err := json.Unmarshal(f.Value, &raws); err != nil {
			return nil, batchError("Property 'requests' must be an array. %s", batchShape)
		}
	}
	switch {
	case len(raws) == 0:
		return nil, batchError("The batch has no requests. %s", batchShape)
	case len(raws) > maxBatch:
		return nil, batchError("A batch may hold at most %d requests; this one holds %d.", maxBatch, len(raws))
	}
	steps := make([]batchStep, len(raws))
	deps := make([][]string, len(raws))
	index := map[string]int{}
	for i, raw := range raws {
		if deps[i], err = parseStep(raw, i, &steps[i]); err != nil {
			return nil, err
		}
		key := strings.ToLower(steps[i].id)
		if _, dup := index[key]; dup {
			return nil, batchError("Request id '%s' appears more than once in the batch; ids must be unique (ignoring case).", steps[i].id)
		}
		index[key] = i
	}
	for i, ids := range deps {
		for _, id := range ids {
			d, ok := index[strings.ToLower(id)]
			if !ok {
				return nil, batchError("Request '%s' depends on '%s', which is not a request of this batch.", steps[i].id, id)
			}
			steps[i].dependsOn = append(steps[i].dependsOn, d)
		}
	}
	if id, ok := dependencyCycle(steps); ok {
		return nil, batchError("Request '%s' depends on itself through dependsOn; dependencies must not form a cycle.", id)
	}
	return steps, nil
}

// parseStep checks request number i (counted from 0) into s and returns
// the ids it depends on.
func parseStep(raw json.RawMessage, i int, s *batchStep) ([]string, error) {
	obj, err := httpx.ParseObject(raw)
	if err != nil {
		return nil, batchError("Request %d of the batch is not a JSON object. %s", i+1, batchShape)
	}
	var (
		rawURL string
		deps   []string
		hdrs   map[string]string
	)
	for _, f := range obj {
		var err error
		switch f.Name {
		case "id":
			err = json.Unmarshal(f.Value, &s.id)
		case "method":
			err = json.Unmarshal(f.Value, &s.method)
		case "url":
			err = json.Unmarshal(f.Value, &rawURL)
		case "headers":
			err = json.Unmarshal(f.Value, &hdrs)
		case "dependsOn":
			err = json.Unmarshal(f.Value, &deps)
		case "body":
			s.body = f.Value
		default:
			return nil, batchError("Request %d of the batch has key '%s'. %s", i+1, f.Name, batchShape)
		}
		if err != nil {
			return nil, batchError("Request %d of the batch has an invalid '%s': %s", i+1, f.Name, batchTypes[f.Name])
		}
	}
	if s.id == "" {
		return nil, batchError("Request %d of the batch has no id; each request needs an id unique in the batch.", i+1)
	}
	s.method = strings.ToUpper(s.method)
	if !slices.Contains(batchMethods, s.method) {
		return nil, batchError("Request '%s' has method '%s'; a batched request uses GET, POST, PUT, PATCH or DELETE.", s.id, s.method)
	}
	if s.target, err = batchTarget(s.id, rawURL); err != nil {
		return nil, err
	}
	s.header = http.Header{}
	for k, v := range hdrs {
		s.header.Set(k, v)
	}
	if err := stepBody(s); err != nil {
		return nil, err
	}
	return deps, nil
}

var batchTypes = map[string]string{
	"id":        "it must be a string.",
	"method":    "it must be a string.",
	"url":       "it must be a string.",
	"headers":   "it must be an object whose values are strings.",
	"dependsOn": "it must be an array of request ids.",
}

// batchTarget reads a request's url: relative to /v1.0 ("/groups" or
// "groups"), or with the version ("/v1.0/groups", as the JavaScript
// client's BatchRequestContent sends it), or absolute below /v1.0.
func batchTarget(id, raw string) (*url.URL, error) {
	if raw == "" {
		return nil, batchError("Request '%s' has no url; give it relative to /v1.0, e.g. /groups.", id)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, batchError("Request '%s' has url '%s', which is not a valid URL.", id, raw)
	}
	path := u.EscapedPath()
	if !strings.HasPrefix(path, "/") && !u.IsAbs() {
		path = "/" + path
	}
	if rest, ok := strings.CutPrefix(path, "/v1.0/"); ok {
		path = "/" + rest
	} else if u.IsAbs() {
		return nil, batchError("Request '%s' has url '%s', which is not below /v1.0.", id, raw)
	}
	t, err := url.Parse(path)
	if err != nil {
		return nil, batchError("Request '%s' has url '%s', which is not a valid URL.", id, raw)
	}
	t.RawQuery = u.RawQuery
	if strings.EqualFold(strings.TrimSuffix(t.Path, "/"), "/$batch") {
		return nil, batchError("Request '%s' is a batch itself; batches cannot be nested.", id)
	}
	return t, nil
}

// stepBody checks a request's body against its Content-Type: JSON goes
// as written; any other type is given base64-encoded, as a JSON string.
func stepBody(s *batchStep) error {
	if len(s.body) == 0 || string(s.body) == "null" {
		s.body = nil
		return nil
	}
	ct := s.header.Get("Content-Type")
	if ct == "" {
		return batchError(`Request '%s' has a body but no Content-Type header; add "headers": {"Content-Type": "application/json"}.`, s.id)
	}
	if mt, _, err := mime.ParseMediaType(ct); err == nil && strings.HasSuffix(mt, "json") {
		return nil
	}
	var enc string
	if err := json.Unmarshal(s.body, &enc); err != nil {
		return batchError("Request '%s' has a body of type '%s', which must be given as a base64 string.", s.id, ct)
	}
	for _, e := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := e.DecodeString(enc); err == nil {
			s.body = b
			return nil
		}
	}
	return batchError("Request '%s' has a body of type '%s' that is not valid base64.", s.id, ct)
}

// dependencyCycle returns the id of a step on a cycle of dependsOn.
func dependencyCycle(steps []batchStep) (string, bool) {
	const (
		unseen = iota
		open   // on the path being walked
		done
	)
	state := make([]int, len(steps))
	// visit returns the step it found open again: one on a cycle.
	var visit func(i int) (int, bool)
	visit = func(i int) (int, bool) {
		switch state[i] {
		case open:
			return i, true
		case done:
			return 0, false
		}
		state[i] = open
		for _, d := range steps[i].dependsOn {
			if j, ok := visit(d); ok {
				return j, true
			}
		}
		state[i] = done
		return 0, false
	}
	for i := range steps {
		if j, ok := visit(i); ok {
			return steps[j].id, true
		}
	}
	return "", false
}
