package httpx

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// MaxBodyBytes is the largest request body accepted (REFERENCE: 4 MiB).
const MaxBodyBytes = 4 << 20

// BodyProblem says what is wrong with a request body.
type BodyProblem int

const (
	BodyMalformed        BodyProblem = iota // not valid JSON, or not the expected shape
	BodyTooLarge                            // over MaxBodyBytes (413)
	BodyUnsupportedMedia                    // form or multipart content type, unknown encoding (415)
	BodyEmpty                               // no body where one is needed
)

// BodyError is returned by the decoding functions.
type BodyError struct {
	Problem BodyProblem
	Detail  string
}

func (e *BodyError) Error() string { return e.Detail }

// ReadBody returns the request body, gunzipped when Content-Encoding says
// gzip (msgraph-sdk-go compresses writes), refusing form and multipart types
// and bodies over MaxBodyBytes. Any other content type is read as JSON.
func ReadBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err == nil && (mt == "application/x-www-form-urlencoded" || strings.HasPrefix(mt, "multipart/")) {
			return nil, &BodyError{Problem: BodyUnsupportedMedia,
				Detail: fmt.Sprintf("Content-Type '%s' is not supported; send application/json.", mt)}
		}
	}
	var src io.Reader = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(src)
		if err != nil {
			return nil, bodyReadError(err, "The request body is not valid gzip.")
		}
		defer zr.Close()
		// The inflated size is bounded too, so a small bomb cannot exhaust memory.
		src = io.LimitReader(zr, MaxBodyBytes+1)
	default:
		return nil, &BodyError{Problem: BodyUnsupportedMedia,
			Detail: fmt.Sprintf("Content-Encoding '%s' is not supported.", enc)}
	}
	b, err := io.ReadAll(src)
	if err != nil {
		return nil, bodyReadError(err, "The request body could not be read.")
	}
	if len(b) > MaxBodyBytes {
		return nil, &BodyError{Problem: BodyTooLarge, Detail: tooLarge}
	}
	return b, nil
}

const tooLarge = "The request body is larger than the 4 MiB limit."

func bodyReadError(err error, detail string) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &BodyError{Problem: BodyTooLarge, Detail: tooLarge}
	}
	return &BodyError{Problem: BodyMalformed, Detail: detail}
}

// Field is one member of a JSON object, in the order the client wrote it.
type Field struct {
	Name  string
	Value json.RawMessage
}

// Object is a decoded JSON object whose member order is kept, so that the
// first offending property of a body can be named deterministically.
type Object []Field

// Get returns the value of the first member named name.
func (o Object) Get(name string) (json.RawMessage, bool) {
	for _, f := range o {
		if f.Name == name {
			return f.Value, true
		}
	}
	return nil, false
}

// DecodeObject reads the body as one JSON object.
func DecodeObject(w http.ResponseWriter, r *http.Request) (Object, error) {
	b, err := ReadBody(w, r)
	if err != nil {
		return nil, err
	}
	return ParseObject(b)
}

// ParseObject parses b as exactly one JSON object.
func ParseObject(b []byte) (Object, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, &BodyError{Problem: BodyEmpty, Detail: "The request body is empty; a JSON object is required."}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, malformed(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, &BodyError{Problem: BodyMalformed, Detail: "The request body must be a JSON object."}
	}
	var obj Object
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, malformed(err)
		}
		name, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, malformed(err)
		}
		obj = append(obj, Field{Name: name, Value: v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, malformed(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &BodyError{Problem: BodyMalformed, Detail: "The request body must hold exactly one JSON object."}
	}
	return obj, nil
}

func malformed(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &BodyError{Problem: BodyMalformed,
			Detail: fmt.Sprintf("The request body is not valid JSON: %s at offset %d.", se.Error(), se.Offset)}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return &BodyError{Problem: BodyMalformed, Detail: "The request body is not valid JSON: unexpected end of input."}
	}
	return &BodyError{Problem: BodyMalformed, Detail: "The request body is not valid JSON."}
}
