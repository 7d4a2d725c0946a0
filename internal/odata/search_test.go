package odata

import (
	"reflect"
	"strings"
	"testing"
)

// Tokenize follows the examples of Graph's documentation of $search on
// directory objects.
func TestTokenize(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"hello world", []string{"hello", "world"}},
		{"HelloWorld", []string{"hello", "world"}},
		{"helloWORLD", []string{"hello", "world"}},
		{"HELLOworld", []string{"helloworld"}},
		{"HelloWORld", []string{"hello", "world"}},
		{"hello.world", []string{"hello", "world", "helloworld"}},
		{"hello123world", []string{"hello", "123", "world"}},
		{"OneVideo", []string{"one", "video"}},
		{"Contoso Marketing-Team", []string{"contoso", "marketing", "team", "marketingteam"}},
		{"a-b.c", []string{"a", "b", "c", "abc"}},
		{"a a A", []string{"a"}},
		{"Ünïcødé Straße", []string{"ünïcødé", "straße"}},
		{"x@contoso.com", []string{"x", "contoso", "com", "xcontosocom"}},
		{"  --  ", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if got := Tokenize(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Tokenize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSearchValid(t *testing.T) {
	tests := []struct {
		user bool
		in   string
		want string // canonical
	}{
		{in: `"displayName:OneVideo"`, want: `"displayName:OneVideo"`},
		{in: ` "DisplayName:OneVideo" `, want: `"displayName:OneVideo"`},
		{in: `"displayName: two words "`, want: `"displayName: two words "`},
		{in: `"description:One" AND ("displayName:Video" OR "displayName:Drive")`,
			want: `("description:One" AND ("displayName:Video" OR "displayName:Drive"))`},
		{in: `"displayName:a" OR "displayName:b" AND "description:c"`,
			want: `("displayName:a" OR ("displayName:b" AND "description:c"))`},
		{in: `("displayName:a" OR "displayName:b") OR ("displayName:c")`,
			want: `("displayName:a" OR "displayName:b" OR "displayName:c")`},
		{in: `"displayName:a"AND"displayName:b"`, want: `("displayName:a" AND "displayName:b")`},
		{in: `"mail:john"`, want: `"mail:john"`},
		{in: `"displayName:say \"hi\" \\ there"`, want: `"displayName:say \"hi\" \\ there"`},
		{in: `"displayName:a:b"`, want: `"displayName:a:b"`},
		{in: `"displayName:c:\x"`, want: `"displayName:c:\\x"`},
		{user: true, in: `"displayName:Guthr" OR "mail:Guthr"`, want: `("displayName:Guthr" OR "mail:Guthr")`},
		{user: true, in: `"userPrincipalName:adele"`, want: `"userPrincipalName:adele"`},
	}
	for _, tt := range tests {
		s := &GroupSchema
		if tt.user {
			s = &UserSchema
		}
		e, err := parseSearch(tt.in, s)
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if got := e.String(); got != tt.want {
			t.Errorf("%s\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}

	e, err := parseSearch(`"displayName:OneVideo" OR "mail:Jo"`, &GroupSchema)
	if err != nil {
		t.Fatal(err)
	}
	want := &Or{Terms: []Expr{
		&SearchTerm{Prop: "displayName", Text: "OneVideo", Mode: SearchTokens, Tokens: []string{"one", "video"}},
		&SearchTerm{Prop: "mail", Text: "Jo", Mode: SearchPrefix},
	}}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("tree: got %#v", e)
	}
	if got := strings.Join(Props(e), ","); got != "displayName,mail" {
		t.Errorf("Props = %s", got)
	}
}

func TestSearchInvalid(t *testing.T) {
	const bad, uns = CodeBadRequest, CodeUnsupportedQuery
	tests := []struct {
		in   string
		code string
		msg  string
	}{
		{`displayName:x`, bad, `Invalid $search: a clause must be in double quotes, as in "displayName:word", found 'displayName:x' at position 0 in 'displayName:x'.`},
		{`"displayName:a" and "mail:b"`, bad, "the logical operators AND and OR must be upper case and between clauses, found 'and' at position 16"},
		{`"displayName:a" Or "mail:b"`, bad, "found 'Or'"},
		{`"displayName:a" "mail:b"`, bad, `clauses must be joined by AND or OR at position 16`},
		{`("displayName:a" or "mail:b")`, bad, "must be upper case and between clauses, found 'or' at position 17"},
		{`AND "mail:b"`, bad, "must be upper case and between clauses, found 'AND' at position 0"},
		{`"displayName:a`, bad, "unterminated clause at position 0"},
		{`"displayName:a" AND`, bad, `expected a "property:text" clause at position 19`},
		{`("displayName:a"`, bad, "expected ')', AND or OR at position 16"},
		{`"displayName:a")`, bad, "unexpected ')' at position 15"},
		{`"nocolon"`, bad, `expected "property:text" but found "nocolon" at position 0`},
		{`":x"`, bad, `expected "property:text"`},
		{`"foo:x"`, bad, "Invalid $search clause: Could not find a property named 'foo' on type 'microsoft.graph.group'."},
		{`"displayName:"`, bad, `Invalid $search clause "displayName:": there is no word to search for.`},
		{`"displayName: -- "`, bad, "there is no word to search for"},
		{`"mail:"`, bad, `Invalid $search clause "mail:": there is no text to search for.`},
		{`"mailEnabled:true"`, uns, "Property 'mailEnabled' of resource 'Group' cannot be used in $search."},
		{`"proxyAddresses:smtp"`, uns, "Property 'proxyAddresses' of resource 'Group' cannot be used in $search."},
		{strings.Repeat("(", MaxDepth+1) + `"displayName:a"` + strings.Repeat(")", MaxDepth+1), uns, "nested too deeply: more than 16 levels"},
		{strings.TrimSuffix(strings.Repeat(`"displayName:a" OR `, MaxNodes), " OR "), uns, "too complex: more than 100"},
	}
	for _, tt := range tests {
		e, err := parseSearch(tt.in, &GroupSchema)
		if err == nil {
			t.Errorf("%s: got %s, want error", tt.in, e)
			continue
		}
		if err.Code != tt.code || err.Option != "$search" || !strings.Contains(err.Message, tt.msg) {
			t.Errorf("%s:\n got %s %s: %s\nwant %s: …%s…", tt.in, err.Code, err.Option, err.Message, tt.code, tt.msg)
		}
	}
	if _, err := parseSearch(strings.TrimSuffix(strings.Repeat(`"displayName:a" OR `, MaxNodes-1), " OR "), &GroupSchema); err != nil {
		t.Errorf("%d clauses: %v", MaxNodes-1, err)
	}
}
