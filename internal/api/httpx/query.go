package httpx

import (
	"net/url"
	"strings"
)

// ParseQuery reads a query string as url.ParseQuery does, except that
// only "&" separates parameters: OData writes ";" between the options
// nested in $expand (manager($levels=max;$select=id)), and clients send it
// unescaped, where url.ParseQuery refuses the whole string (and
// URL.Query drops the parameter).
func ParseQuery(raw string) (url.Values, error) {
	values := url.Values{}
	var first error
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err == nil {
			v, err = url.QueryUnescape(v)
		}
		if err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		values[key] = append(values[key], v)
	}
	return values, first
}
