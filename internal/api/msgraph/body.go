package msgraph

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"groupd/internal/api/httpx"
	"groupd/internal/directory"
)

// bodyReader turns the members of a request body into typed values. The
// first problem wins, in the order the client wrote the members, so that
// the property an error names does not depend on map order.
type bodyReader struct {
	resource string // "Group", "User": named in wrong-type messages
	err      error
	seen     []string
}

func (b *bodyReader) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

// dup reports (and refuses) a member given twice.
func (b *bodyReader) dup(name string) bool {
	for _, s := range b.seen {
		if s == name {
			b.fail(badRequest(codeBadRequest, "The property '%s' is given more than once in the request body.", name))
			return true
		}
	}
	b.seen = append(b.seen, name)
	return false
}

// str reads a string; null clears it ("" is unset in the domain).
func (b *bodyReader) str(f httpx.Field) *string {
	if httpx.IsNull(f.Value) {
		s := ""
		return &s
	}
	s, ok := httpx.String(f.Value)
	if !ok {
		b.fail(invalidValue(f.Name, b.resource))
		return nil
	}
	return &s
}

func (b *bodyReader) boolean(f httpx.Field) *bool {
	v, ok := httpx.Bool(f.Value)
	if !ok {
		b.fail(invalidValue(f.Name, b.resource))
		return nil
	}
	return &v
}

// strs reads a string collection; null empties it.
func (b *bodyReader) strs(f httpx.Field) *[]string {
	if httpx.IsNull(f.Value) {
		l := []string{}
		return &l
	}
	l, ok := httpx.Strings(f.Value)
	if !ok {
		b.fail(invalidValue(f.Name, b.resource))
		return nil
	}
	return &l
}

// refs reads an x@odata.bind collection of URLs. An object named twice
// (by the same URL or two forms of it) is the request's own mistake, told
// as such rather than as a reference that already exists.
func (b *bodyReader) refs(f httpx.Field) []directory.MemberRef {
	var urls []string
	if json.Unmarshal(f.Value, &urls) != nil || urls == nil {
		b.fail(invalidValue(f.Name, b.resource))
		return nil
	}
	out := make([]directory.MemberRef, 0, len(urls))
	for _, u := range urls {
		ref, err := parseRef(u)
		if err != nil {
			b.fail(err)
			return nil
		}
		for _, prev := range out {
			if prev.ID == ref.ID {
				b.fail(withTarget(badRequest(codeRequestBad, "The object '%s' is named more than once in '%s'; name each object once.", ref.ID, f.Name),
					f.Name, "InvalidValue"))
				return nil
			}
		}
		out = append(out, ref)
	}
	return out
}

// parseRef reads one @odata.id: a bad URL is a bad request; an id that is
// not a GUID names nothing, so it is not found.
func parseRef(u string) (directory.MemberRef, error) {
	kind, key, ok := httpx.ParseRef(u)
	if !ok {
		return directory.MemberRef{}, badRequest(codeRequestBad, "Invalid object identifier '%s'.", u)
	}
	id, ok := directory.ParseObjectID(key)
	if !ok {
		return directory.MemberRef{}, &directory.NotFoundError{Kind: kind, ID: key}
	}
	return directory.MemberRef{ID: id, Kind: kind}, nil
}

// refBody reads the body of a POST .../$ref: {"@odata.id": url}.
func refBody(rq *request) (directory.MemberRef, error) {
	obj, err := httpx.DecodeObject(rq.w, rq.r)
	if err != nil {
		return directory.MemberRef{}, err
	}
	b := bodyReader{resource: "Group"}
	var ref *directory.MemberRef
	for _, f := range obj {
		if b.dup(f.Name) {
			return directory.MemberRef{}, b.err
		}
		switch f.Name {
		case "@odata.type", "@odata.context":
		case "@odata.id":
			s, ok := httpx.String(f.Value)
			if !ok {
				b.fail(invalidValue(f.Name, b.resource))
				break
			}
			r, err := parseRef(s)
			if err != nil {
				b.fail(err)
				break
			}
			ref = &r
		default:
			b.fail(invalidProperty(f.Name))
		}
		if b.err != nil {
			return directory.MemberRef{}, b.err
		}
	}
	if ref == nil {
		return directory.MemberRef{}, &directory.ValidationError{Property: "@odata.id", Reason: directory.ReasonRequired}
	}
	return *ref, nil
}

// jsonContent refuses a write whose body is of a media type other than
// JSON (text/plain, application/octet-stream, a form, …) with 415, before
// any handler reads it as JSON and answers a parse error that hides the
// cause. Every body this dialect takes is JSON; one without a
// Content-Type is still read as JSON, as curl users and old scripts send
// them.
func jsonContent(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	switch {
	case ct == "", r.ContentLength == 0,
		r.Method != http.MethodPost && r.Method != http.MethodPut && r.Method != http.MethodPatch:
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && strings.HasSuffix(mt, "json") {
		return nil
	}
	if err != nil {
		mt = ct
	}
	return &httpx.BodyError{Problem: httpx.BodyUnsupportedMedia,
		Detail: fmt.Sprintf("Content-Type '%s' is not supported; send application/json.", mt)}
}
