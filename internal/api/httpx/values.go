package httpx

import (
	"bytes"
	"encoding/json"
)

// IsNull reports whether a raw JSON value is null.
func IsNull(v json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(v), []byte("null")) }

// String decodes a JSON string; ok is false for any other JSON type.
func String(v json.RawMessage) (s string, ok bool) {
	return s, json.Unmarshal(v, &s) == nil && !IsNull(v)
}

// Bool decodes a JSON boolean; ok is false for any other JSON type.
func Bool(v json.RawMessage) (b bool, ok bool) {
	return b, json.Unmarshal(v, &b) == nil && !IsNull(v)
}

// Strings decodes a JSON array of strings; ok is false otherwise.
func Strings(v json.RawMessage) (list []string, ok bool) {
	if IsNull(v) || json.Unmarshal(v, &list) != nil {
		return nil, false
	}
	if list == nil {
		list = []string{}
	}
	return list, true
}
