package odata

import (
	"strings"
	"unicode"
)

// SearchMode says how a SearchTerm matches.
type SearchMode uint8

// Search modes.
const (
	// SearchTokens: token-prefix search. The object matches when every
	// token of Tokens is a prefix of at least one token of
	// Tokenize(property value), in any order. Both sides are lower case, so
	// matching ignores case.
	SearchTokens SearchMode = iota + 1
	// SearchPrefix: the property value starts with Text, ignoring case,
	// like startsWith in $filter. Graph searches this way on properties it
	// does not tokenize.
	SearchPrefix
)

// SearchTerm is one "property:text" clause of $search. Prop is a
// non-collection string property in canonical casing; Text is the clause's
// text with escapes removed; Tokens (SearchTokens only) is Tokenize(Text),
// never empty.
type SearchTerm struct {
	Prop   string
	Text   string
	Mode   SearchMode
	Tokens []string
}

// Tokenize splits s into lower-case search tokens the way Microsoft Graph
// tokenizes directory objects for $search: at white space, at symbols, at a
// change from a lower-case to an upper-case letter ("HelloWorld" -> hello,
// world; "HELLOworld" -> helloworld) and between letters and digits
// ("hello123world" -> hello, 123, world). Words separated only by symbols
// also yield their concatenation ("hello-world" -> hello, world,
// helloworld). Tokens are distinct, in order of first appearance. A store
// indexes Tokenize of each searchable value and matches SearchTokens terms
// against it, so both sides use this one function.
func Tokenize(s string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(t string) {
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, chunk := range strings.Fields(s) {
		var parts []string
		var cur []rune
		flush := func() {
			if len(cur) > 0 {
				parts = append(parts, strings.ToLower(string(cur)))
				cur = cur[:0]
			}
		}
		const none, letter, digit = 0, 1, 2
		kind, prevLower, symbols := none, false, false
		for _, r := range chunk {
			switch {
			case unicode.IsLetter(r):
				if kind == digit || (kind == letter && prevLower && unicode.IsUpper(r)) {
					flush()
				}
				cur = append(cur, r)
				kind, prevLower = letter, unicode.IsLower(r)
			case unicode.IsDigit(r):
				if kind == letter {
					flush()
				}
				cur = append(cur, r)
				kind = digit
			default:
				flush()
				kind, symbols = none, true
			}
		}
		flush()
		for _, t := range parts {
			add(t)
		}
		if symbols && len(parts) > 1 {
			add(strings.Join(parts, ""))
		}
	}
	return out
}

// The $search grammar, as Graph documents it for directory objects:
//
//	search = or
//	or     = and *( "OR" and )
//	and    = term *( "AND" term )
//	term   = "(" or ")" / clause
//	clause = DQUOTE property ":" text DQUOTE   ; \" and \\ escape inside
//
// AND and OR must be upper case and outside the quotes.
type searchParser struct {
	src      string
	pos      int
	s        *Schema
	nodes    int
	depth    int
	maxNodes int
	maxDepth int
}

func parseSearch(src string, s *Schema) (Expr, *Error) {
	p := &searchParser{src: src, s: s, maxNodes: MaxNodes, maxDepth: MaxDepth}
	return p.parse()
}

func (p *searchParser) parse() (Expr, *Error) {
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.skip(); p.pos < len(p.src) {
		return nil, p.stray("the end")
	}
	return e, nil
}

func (p *searchParser) skip() {
	for p.pos < len(p.src) && isSpace(p.src[p.pos]) {
		p.pos++
	}
}

// keyword consumes kw (AND or OR) if it comes next as a whole word.
func (p *searchParser) keyword(kw string) bool {
	p.skip()
	rest := p.src[p.pos:]
	if !strings.HasPrefix(rest, kw) || (len(rest) > len(kw) && isIdentPart(rest[len(kw)])) {
		return false
	}
	p.pos += len(kw)
	return true
}

func (p *searchParser) or() (Expr, *Error) {
	return p.junction("OR", p.and, func(t []Expr) Expr { return &Or{Terms: t} })
}

func (p *searchParser) and() (Expr, *Error) {
	return p.junction("AND", p.term, func(t []Expr) Expr { return &And{Terms: t} })
}

func (p *searchParser) junction(kw string, operand func() (Expr, *Error), mk func([]Expr) Expr) (Expr, *Error) {
	first, err := operand()
	if err != nil {
		return nil, err
	}
	terms := flatten(nil, first, strings.ToLower(kw))
	for p.keyword(kw) {
		t, err := operand()
		if err != nil {
			return nil, err
		}
		terms = flatten(terms, t, strings.ToLower(kw))
	}
	if len(terms) == 1 {
		return first, nil
	}
	if err := p.node(); err != nil {
		return nil, err
	}
	return mk(terms), nil
}

func (p *searchParser) term() (Expr, *Error) {
	p.skip()
	switch {
	case p.pos >= len(p.src):
		return nil, p.syntax("expected a \"property:text\" clause")
	case p.src[p.pos] == '(':
		p.pos++
		if p.depth++; p.depth > p.maxDepth {
			return nil, unsupported("$search", "The search expression is nested too deeply: more than %d levels.", p.maxDepth)
		}
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		p.depth--
		if p.skip(); p.pos >= len(p.src) || p.src[p.pos] != ')' {
			return nil, p.stray("')', AND or OR")
		}
		p.pos++
		return e, nil
	case p.src[p.pos] == '"':
		return p.clause()
	}
	if word := p.word(); !isSearchOperator(word) {
		return nil, p.syntax("a clause must be in double quotes, as in \"displayName:word\", found '" + quote(word) + "'")
	}
	return nil, p.stray("")
}

// word is the bare word at p.pos.
func (p *searchParser) word() string {
	w := p.src[p.pos:]
	if i := strings.IndexAny(w, " \t\r\n()\""); i >= 0 {
		w = w[:i]
	}
	return w
}

func isSearchOperator(w string) bool {
	w = strings.ToUpper(w)
	return w == "AND" || w == "OR"
}

// stray explains what stands at p.pos where expected was expected.
func (p *searchParser) stray(expected string) *Error {
	switch {
	case p.pos >= len(p.src):
		return p.syntax("expected " + expected)
	case isSearchOperator(p.word()):
		return p.syntax("the logical operators AND and OR must be upper case and between clauses, found '" + p.word() + "'")
	case p.src[p.pos] == '"':
		return p.syntax("clauses must be joined by AND or OR")
	}
	return p.syntax("unexpected '" + quote(p.src[p.pos:]) + "'")
}

// clause parses "property:text" from the opening quote.
func (p *searchParser) clause() (Expr, *Error) {
	start := p.pos
	var b strings.Builder
	i := p.pos + 1
	for ; i < len(p.src) && p.src[i] != '"'; i++ {
		if p.src[i] == '\\' && i+1 < len(p.src) && (p.src[i+1] == '"' || p.src[i+1] == '\\') {
			i++
		}
		b.WriteByte(p.src[i])
	}
	if i >= len(p.src) {
		return nil, p.syntaxAt(start, "unterminated clause")
	}
	p.pos = i + 1
	raw := b.String()
	name, text, ok := strings.Cut(raw, ":")
	if !ok || strings.TrimSpace(name) == "" {
		return nil, p.syntaxAt(start, "expected \"property:text\" but found \""+quote(raw)+"\"")
	}
	if err := p.node(); err != nil {
		return nil, err
	}
	prop, found := p.s.Lookup(strings.TrimSpace(name))
	switch {
	case !found:
		return nil, errNotFound("$search", "Invalid $search clause: ", quote(name), p.s)
	case prop.Searchable:
		tokens := Tokenize(text)
		if len(tokens) == 0 {
			return nil, badRequest("$search", "Invalid $search clause \"%s\": there is no word to search for.", quote(raw))
		}
		return &SearchTerm{Prop: prop.Name, Text: text, Mode: SearchTokens, Tokens: tokens}, nil
	case prop.Type == TypeString && prop.Filter.Allows(OpStartsWith):
		if text == "" {
			return nil, badRequest("$search", "Invalid $search clause \"%s\": there is no text to search for.", quote(raw))
		}
		return &SearchTerm{Prop: prop.Name, Text: text, Mode: SearchPrefix}, nil
	}
	return nil, unsupported("$search", "Property '%s' of resource '%s' cannot be used in $search.", prop.Name, p.s.Resource)
}

func (p *searchParser) node() *Error {
	if p.nodes++; p.nodes > p.maxNodes {
		return unsupported("$search", "The search expression is too complex: more than %d clauses and operators.", p.maxNodes)
	}
	return nil
}

func (p *searchParser) syntax(what string) *Error { return p.syntaxAt(p.pos, what) }

func (p *searchParser) syntaxAt(pos int, what string) *Error {
	return badRequest("$search", "Invalid $search: %s at position %d in '%s'.", what, runePos(p.src, pos), p.src)
}
