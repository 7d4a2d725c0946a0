package httpx

import (
	"iter"
	"net/url"
	"strings"
)

// Query strings are split at "&" only: OData writes ";" between the
// options nested in $expand (manager($levels=max;$select=id)), and
// clients send it unescaped, where url.ParseQuery refuses the whole
// string (and URL.Query drops the parameter).

// QueryPair is one parameter of a query string.
type QueryPair struct {
	Raw, RawKey string // as written: "k=v", "k"
	Key, Value  string // decoded
	Err         error  // set when the key or the value does not decode
}

// SplitQuery yields the parameters of raw in their order, empty ones
// left out, without collecting them first.
func SplitQuery(raw string) iter.Seq[QueryPair] {
	return func(yield func(QueryPair) bool) {
		for raw != "" {
			var pair string
			pair, raw, _ = strings.Cut(raw, "&")
			if pair == "" {
				continue
			}
			k, v, _ := strings.Cut(pair, "=")
			p := QueryPair{Raw: pair, RawKey: k}
			p.Key, p.Err = url.QueryUnescape(k)
			if p.Err == nil {
				p.Value, p.Err = url.QueryUnescape(v)
			}
			if !yield(p) {
				return
			}
		}
	}
}

// ParseQuery reads a query string as url.ParseQuery does, splitting at
// "&" only. A pair that does not decode is left out, and the first such
// error returned.
func ParseQuery(raw string) (url.Values, error) {
	values := url.Values{}
	var first error
	for p := range SplitQuery(raw) {
		if p.Err != nil {
			if first == nil {
				first = p.Err
			}
			continue
		}
		values[p.Key] = append(values[p.Key], p.Value)
	}
	return values, first
}
