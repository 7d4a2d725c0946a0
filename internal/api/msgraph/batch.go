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
	refused   error // the step's answer without running (batchTarget)
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
	steps, err := parseBatch(b, httpx.Origin(rq.r))
	if err != nil {
		return err
	}
	p, _ := auth.PrincipalFrom(rq.ctx)
	results := make([]*batchResult, len(steps))
	for i := range steps {
		if steps[i].refused != nil {
			results[i] = a.recorded(rq, steps[i].refused)
		}
	}
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
			out.keyEscaped(k)
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
