package msgraph

import (
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// contentType is what Microsoft Graph answers JSON with. The slice is shared
// by every response; net/http never modifies header values.
var contentType = []string{"application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"}

// odataVersion goes with every JSON body, as Graph sends it on entities,
// collections, errors and $batch answers (and inside $batch on each
// response): OData clients read the protocol version from it.
var odataVersion = []string{"4.0"}

// enc writes JSON in a fixed member order into a reusable buffer, so that
// entities come out in Graph's property order without reflection. Keys are
// compile-time property names and are written unescaped; values are escaped.
type enc struct {
	b     []byte
	comma bool // a value was written at this level; the next one needs a comma
}

var encPool = sync.Pool{New: func() any { return &enc{b: make([]byte, 0, 4096)} }}

// maxPooled keeps one huge page from pinning its buffer in the pool.
const maxPooled = 1 << 20

func getEnc() *enc {
	e := encPool.Get().(*enc)
	e.b, e.comma = e.b[:0], false
	return e
}

func putEnc(e *enc) {
	if cap(e.b) <= maxPooled {
		encPool.Put(e)
	}
}

// send writes e as the whole body with status and returns e to the pool.
func send(w http.ResponseWriter, status int, e *enc) {
	h := w.Header()
	h["Content-Type"] = contentType
	h["OData-Version"] = odataVersion
	h["Content-Length"] = []string{strconv.Itoa(len(e.b))}
	w.WriteHeader(status)
	_, _ = w.Write(e.b) // a failed write means the client went away
	putEnc(e)
}

func (e *enc) sep() {
	if e.comma {
		e.b = append(e.b, ',')
	}
}

func (e *enc) key(k string) {
	e.sep()
	e.b = append(e.b, '"')
	e.b = append(e.b, k...)
	e.b = append(e.b, '"', ':')
	e.comma = false
}

// keyEscaped is key for a name not fixed at compile time (a header's).
func (e *enc) keyEscaped(k string) {
	e.sep()
	e.b = append(e.b, '"')
	e.b = appendEscaped(e.b, k)
	e.b = append(e.b, '"', ':')
	e.comma = false
}

func (e *enc) beginObject() { e.sep(); e.b = append(e.b, '{'); e.comma = false }
func (e *enc) endObject()   { e.b = append(e.b, '}'); e.comma = true }
func (e *enc) beginArray()  { e.sep(); e.b = append(e.b, '['); e.comma = false }
func (e *enc) endArray()    { e.b = append(e.b, ']'); e.comma = true }

// raw writes a literal JSON value such as null or [].
func (e *enc) raw(v string) { e.sep(); e.b = append(e.b, v...); e.comma = true }

func (e *enc) str(s string) {
	e.sep()
	e.b = append(e.b, '"')
	e.b = appendEscaped(e.b, s)
	e.b = append(e.b, '"')
	e.comma = true
}

// strOrNull writes an unset (empty) string as null, as Graph does.
func (e *enc) strOrNull(s string) {
	if s == "" {
		e.raw("null")
		return
	}
	e.str(s)
}

func (e *enc) boolean(v bool) {
	if v {
		e.raw("true")
	} else {
		e.raw("false")
	}
}

// timeFormat is how Graph writes DateTimeOffset values of directory objects.
const timeFormat = "2006-01-02T15:04:05Z"

func (e *enc) time(t time.Time) {
	if t.IsZero() {
		e.raw("null")
		return
	}
	e.sep()
	e.b = append(e.b, '"')
	e.b = t.UTC().AppendFormat(e.b, timeFormat)
	e.b = append(e.b, '"')
	e.comma = true
}

func (e *enc) timePtr(t *time.Time) {
	if t == nil {
		e.raw("null")
		return
	}
	e.time(*t)
}

// strs writes a string collection; nil is an empty collection, never null.
func (e *enc) strs(list []string) {
	e.beginArray()
	for _, s := range list {
		e.str(s)
	}
	e.endArray()
}

// strParts writes the concatenation of parts as one JSON string.
func (e *enc) strParts(parts ...string) {
	e.sep()
	e.b = append(e.b, '"')
	for _, p := range parts {
		e.b = appendEscaped(e.b, p)
	}
	e.b = append(e.b, '"')
	e.comma = true
}

const hexDigits = "0123456789abcdef"

// appendEscaped appends s JSON-escaped (without quotes). Invalid UTF-8
// becomes U+FFFD and U+2028/U+2029 are escaped, as encoding/json does, so
// that the output is valid JSON and safe inside JavaScript.
func appendEscaped(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(b, s[start:]...)
}

// metadataContext writes "@odata.context": <base>/$metadata#<set><proj>[/$entity].
func (e *enc) metadataContext(base, set, proj string, entity bool) {
	e.key("@odata.context")
	suffix := ""
	if entity {
		suffix = "/$entity"
	}
	e.strParts(base, "/$metadata#", set, proj, suffix)
}
