// Package jsonx appends JSON values to a byte slice, for encoders on hot
// paths that know their shape and would otherwise pay for reflection and
// a map or struct per value.
package jsonx

import "encoding/json"

// AppendString appends s as a JSON string, byte for byte as
// encoding/json writes it.
func AppendString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s) // a string always encodes
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}
