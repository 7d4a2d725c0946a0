package msgraph

import (
	"encoding/base64"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"groupd/internal/api/httpx"
)

// Checking a batch body whole, before any of its requests runs (batch.go).

// batchError is a malformed batch: 400 BadRequest, nothing run.
func batchError(format string, args ...any) error {
	return badRequest(codeBadRequest, format, args...)
}

const batchShape = `A batch body is {"requests": [...]} with 1 to 20 requests, each with id, method and url, and optionally headers, body and dependsOn.`

// parseBatch checks a whole batch body and returns its steps. origin is
// the scheme://host[:port] the batch came by: absolute urls must name it.
func parseBatch(b []byte, origin string) ([]batchStep, error) {
	obj, err := httpx.ParseObject(b)
	if err != nil {
		return nil, err
	}
	var raws []json.RawMessage
	for i, f := range obj {
		if f.Name != "requests" {
			return nil, batchError("Key '%s' is not known. %s", f.Name, batchShape)
		}
		if i > 0 {
			return nil, batchError("The property 'requests' is given more than once in the request body.")
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
		if deps[i], err = parseStep(raw, i, origin, &steps[i]); err != nil {
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
func parseStep(raw json.RawMessage, i int, origin string, s *batchStep) ([]string, error) {
	obj, err := httpx.ParseObject(raw)
	if err != nil {
		return nil, batchError("Request %d of the batch is not a JSON object. %s", i+1, batchShape)
	}
	var (
		rawURL string
		deps   []string
		hdrs   map[string]string
	)
	seen := map[string]bool{}
	for _, f := range obj {
		if seen[f.Name] {
			return nil, batchError("Request %d of the batch gives '%s' more than once.", i+1, f.Name)
		}
		seen[f.Name] = true
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
	if s.target, s.refused, err = batchTarget(s.id, rawURL, origin); err != nil {
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
// client's BatchRequestContent sends it), or absolute below this server's
// /v1.0 or Graph's own (https://graph.microsoft.com/v1.0/groups: the Go
// SDK's BatchRequest writes its items' urls with Graph's base url, which
// Graph answers as relative). An absolute url on any other host would run
// here while its writer meant that host, so that request alone is
// refused: refused is its answer, and the rest of the batch runs.
func batchTarget(id, raw, origin string) (target *url.URL, refused, err error) {
	if raw == "" {
		return nil, nil, batchError("Request '%s' has no url; give it relative to /v1.0, e.g. /groups.", id)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, nil, batchError("Request '%s' has url '%s', which is not a valid URL.", id, raw)
	}
	if u.IsAbs() && !sameOrigin(u, origin) && !sameOrigin(u, graphOrigin) {
		return nil, batchError("Request '%s' has url '%s', which is not on this server (%s); give it relative to /v1.0, e.g. /groups.", id, raw, origin), nil
	}
	path := u.EscapedPath()
	if !strings.HasPrefix(path, "/") && !u.IsAbs() {
		path = "/" + path
	}
	if rest, ok := strings.CutPrefix(path, "/v1.0/"); ok {
		path = "/" + rest
	} else if u.IsAbs() {
		return nil, nil, batchError("Request '%s' has url '%s', which is not below /v1.0.", id, raw)
	}
	t, err := url.Parse(path)
	if err != nil {
		return nil, nil, batchError("Request '%s' has url '%s', which is not a valid URL.", id, raw)
	}
	t.RawQuery = u.RawQuery
	if strings.EqualFold(strings.TrimSuffix(t.Path, "/"), "/$batch") {
		return nil, nil, batchError("Request '%s' is a batch itself; batches cannot be nested.", id)
	}
	return t, nil, nil
}

// graphOrigin is Microsoft Graph's own origin, which SDKs write into batch
// items.
const graphOrigin = "https://graph.microsoft.com"

// sameOrigin reports whether u names origin (scheme://host[:port]); case
// and a default port do not matter.
func sameOrigin(u *url.URL, origin string) bool {
	o, err := url.Parse(origin)
	if err != nil {
		return false
	}
	port := func(u *url.URL) string {
		if p := u.Port(); p != "" {
			return p
		}
		if strings.EqualFold(u.Scheme, "https") {
			return "443"
		}
		return "80"
	}
	return strings.EqualFold(u.Scheme, o.Scheme) && strings.EqualFold(u.Hostname(), o.Hostname()) && port(u) == port(o)
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
