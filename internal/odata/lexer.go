package odata

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

type tokKind uint8

const (
	tEOF tokKind = iota
	tIdent
	tString   // '...' with '' escapes; val is the decoded text
	tInt      // lit holds the value
	tDateTime // 2024-01-01T00:00:00Z or a date 2024-01-01 (midnight UTC)
	tGUID     // unquoted GUID; val is lower case
	tLParen
	tRParen
	tComma
	tColon
	tSlash
)

// token is one lexeme; pos is its byte offset in the source.
type token struct {
	kind tokKind
	pos  int
	text string // as written
	val  string // tString, tGUID: the value
	lit  Literal
}

// lexer splits a $filter into tokens. It never looks back, so the work is
// linear in the input.
type lexer struct {
	src string
	pos int
}

// lexError is a malformed lexeme: message and byte offset.
type lexError struct {
	msg string
	pos int
}

func isSpace(c byte) bool      { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool { return c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z') }
func isIdentPart(c byte) bool  { return isIdentStart(c) || isDigit(c) }
func isHex(c byte) bool        { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f') }

func (l *lexer) next() (token, *lexError) {
	for l.pos < len(l.src) && isSpace(l.src[l.pos]) {
		l.pos++
	}
	start := l.pos
	if start >= len(l.src) {
		return token{kind: tEOF, pos: start}, nil
	}
	c := l.src[start]
	if k := punctuation(c); k != tEOF {
		l.pos++
		return token{kind: k, pos: start, text: l.src[start:l.pos]}, nil
	}
	switch {
	case c == '\'':
		return l.string(start)
	case isGUIDAt(l.src, start):
		l.pos = start + 36
		t := l.src[start:l.pos]
		return token{kind: tGUID, pos: start, text: t, val: strings.ToLower(t)}, nil
	case isDigit(c) || (c == '-' && start+1 < len(l.src) && isDigit(l.src[start+1])):
		return l.number(start)
	case isIdentStart(c):
		for l.pos < len(l.src) && isIdentPart(l.src[l.pos]) {
			l.pos++
		}
		return token{kind: tIdent, pos: start, text: l.src[start:l.pos]}, nil
	}
	r, _ := utf8.DecodeRuneInString(l.src[start:])
	return token{}, &lexError{msg: "character '" + string(r) + "' is not valid", pos: start}
}

func punctuation(c byte) tokKind {
	switch c {
	case '(':
		return tLParen
	case ')':
		return tRParen
	case ',':
		return tComma
	case ':':
		return tColon
	case '/':
		return tSlash
	}
	return tEOF
}

func (l *lexer) string(start int) (token, *lexError) {
	var b strings.Builder
	i := start + 1
	for i < len(l.src) {
		c := l.src[i]
		if c != '\'' {
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 < len(l.src) && l.src[i+1] == '\'' { // '' is an escaped quote
			b.WriteByte('\'')
			i += 2
			continue
		}
		l.pos = i + 1
		return token{kind: tString, pos: start, text: l.src[start:l.pos], val: b.String()}, nil
	}
	return token{}, &lexError{msg: "unterminated string literal", pos: start}
}

// number lexes an integer, a date or a date-time; decimals and exponents
// are lexed whole so that the error names them.
func (l *lexer) number(start int) (token, *lexError) {
	if isDateAt(l.src, start) {
		i := start
		for i < len(l.src) && strings.IndexByte("0123456789-:.TZ+", l.src[i]) >= 0 {
			i++
		}
		l.pos = i
		text := l.src[start:i]
		t, ok := parseDateTime(text)
		if !ok {
			msg := "invalid date-time literal '" + quote(text) + "'"
			if t := strings.IndexByte(text, 'T'); t >= 0 && !strings.ContainsAny(text[t:], "Z+-") {
				msg += " (a time needs Z or an offset; send '+' as %2B in a URL)"
			}
			return token{}, &lexError{msg: msg, pos: start}
		}
		return token{kind: tDateTime, pos: start, text: text, lit: Literal{Kind: LitDateTime, Time: t}}, nil
	}
	i := start + 1
	for i < len(l.src) && (isIdentPart(l.src[i]) || l.src[i] == '.' ||
		((l.src[i] == '+' || l.src[i] == '-') && (l.src[i-1] == 'e' || l.src[i-1] == 'E'))) {
		i++
	}
	l.pos = i
	text := l.src[start:i]
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return token{}, &lexError{msg: "invalid or unsupported number '" + quote(text) + "'", pos: start}
	}
	return token{kind: tInt, pos: start, text: text, lit: Literal{Kind: LitInt, Int: n}}, nil
}

// isDateAt reports whether s[i:] starts with yyyy-mm-dd.
func isDateAt(s string, i int) bool {
	if len(s)-i < 10 {
		return false
	}
	for j := 0; j < 10; j++ {
		c := s[i+j]
		if (j == 4 || j == 7) != (c == '-') || (j != 4 && j != 7 && !isDigit(c)) {
			return false
		}
	}
	return true
}

// isGUIDAt reports whether s[i:] starts with a GUID (8-4-4-4-12 hex digits)
// that is not followed by more of a name or number.
func isGUIDAt(s string, i int) bool {
	if len(s)-i < 36 {
		return false
	}
	for j := 0; j < 36; j++ {
		c := s[i+j]
		if dash := j == 8 || j == 13 || j == 18 || j == 23; dash != (c == '-') || (!dash && !isHex(c)) {
			return false
		}
	}
	return len(s)-i == 36 || !(isIdentPart(s[i+36]) || s[i+36] == '-')
}

// parseGUID returns s in lower case if it is exactly a GUID.
func parseGUID(s string) (string, bool) {
	if len(s) != 36 || !isGUIDAt(s, 0) {
		return "", false
	}
	return strings.ToLower(s), true
}

// parseDateTime accepts an OData DateTimeOffset (seconds and fraction
// optional, Z or an offset) or a date, read as midnight UTC.
func parseDateTime(s string) (time.Time, bool) {
	layouts := []string{"2006-01-02", time.RFC3339Nano, "2006-01-02T15:04Z07:00"}
	for _, layout := range layouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
