package libregraph

import (
	"net/http"
	"strings"

	"groupd/internal/api/httpx"
)

// decodeBody reads the request body as one JSON object whose keys must be
// among allowed, read the way oCIS reads bodies: it decodes them with
// encoding/json into its LibreGraph models (services/graph/pkg/service/v0,
// StrictJSONUnmarshal and json.NewDecoder). So, unlike the shared decoder
// the other dialects use, a key matches its property case-insensitively
// and a property given twice takes its last value. An "id" is named as
// read-only (oCIS: "group id is a read-only attribute"); other keys as
// unknown fields, the way oCIS's strict decoder words it.
func decodeBody(w http.ResponseWriter, r *http.Request, kind string, allowed ...string) (httpx.Object, error) {
	obj, err := httpx.DecodeObject(w, r)
	if err != nil {
		return nil, err
	}
	return modelFields(obj, kind, allowed)
}

// modelFields returns obj with every key spelled as its allowed property,
// one member per property holding the last value given, in the order the
// properties first appeared; the first key that is no property is refused.
func modelFields(obj httpx.Object, kind string, allowed []string) (httpx.Object, error) {
	out := make(httpx.Object, 0, len(obj))
	at := make(map[string]int, len(obj))
	for _, f := range obj {
		name, ok := property(f.Name, allowed)
		if !ok {
			if kind != "" && strings.EqualFold(f.Name, "id") {
				return nil, invalidRequest("%s id is a read-only attribute", kind)
			}
			return nil, invalidRequest("invalid request body: json: unknown field %q", f.Name)
		}
		if i, seen := at[name]; seen {
			out[i].Value = f.Value
			continue
		}
		at[name] = len(out)
		out = append(out, httpx.Field{Name: name, Value: f.Value})
	}
	return out, nil
}

// property finds the allowed property key names: an exact match first,
// then one that differs only in case, as encoding/json matches fields.
func property(key string, allowed []string) (string, bool) {
	for _, a := range allowed {
		if a == key {
			return a, true
		}
	}
	for _, a := range allowed {
		if strings.EqualFold(a, key) {
			return a, true
		}
	}
	return "", false
}
