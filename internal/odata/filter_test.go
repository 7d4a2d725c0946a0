package odata

import (
	"strings"
	"testing"
)

// Filters that parse, with the canonical form of their tree. The filter is
// checked against the group schema unless user is set; the advanced-query
// rules are Parse's and are tested in options_test.go.
func TestFilterValid(t *testing.T) {
	tests := []struct {
		user bool
		in   string
		want string
	}{
		// Comparisons and literals.
		{in: "displayName eq 'Sales'", want: "displayName eq 'Sales'"},
		{in: "DisplayName EQ 'Sales'", want: "displayName eq 'Sales'"},
		{in: "  displayName \t eq\n'Sales'  ", want: "displayName eq 'Sales'"},
		{in: "displayName eq 'O''Brien'", want: "displayName eq 'O''Brien'"},
		{in: "displayName eq ''", want: "displayName eq ''"},
		{in: "displayName eq ''''", want: "displayName eq ''''"},
		{in: "displayName eq 'a and b or (c) not'", want: "displayName eq 'a and b or (c) not'"},
		{in: "displayName eq 'Ünïcødé 名前'", want: "displayName eq 'Ünïcødé 名前'"},
		{in: "displayName ne 'a'", want: "displayName ne 'a'"},
		{in: "displayName ge 'a'", want: "displayName ge 'a'"},
		{in: "displayName le 'z'", want: "displayName le 'z'"},
		{in: "displayName eq null", want: "displayName eq null"},
		{in: "displayName ne NULL", want: "displayName ne null"},
		{in: "mail eq 'sales@contoso.com'", want: "mail eq 'sales@contoso.com'"},
		{in: "mailNickname ge 'm' and mailNickname le 'n'", want: "(mailNickname ge 'm' and mailNickname le 'n')"},
		{in: "mailEnabled eq true", want: "mailEnabled eq true"},
		{in: "mailEnabled eq FALSE", want: "mailEnabled eq false"},
		{in: "securityEnabled ne false", want: "securityEnabled ne false"},
		{in: "classification eq 'High'", want: "classification eq 'High'"},
		{in: "visibility eq 'Private'", want: "visibility eq 'Private'"},
		{in: "createdDateTime ge 2024-01-01T00:00:00Z", want: "createdDateTime ge 2024-01-01T00:00:00Z"},
		{in: "createdDateTime le 2024-01-01", want: "createdDateTime le 2024-01-01T00:00:00Z"},
		{in: "createdDateTime gt 2024-06-30T12:00:00.5+02:00", want: "createdDateTime gt 2024-06-30T10:00:00.5Z"},
		{in: "createdDateTime lt 2024-06-30T12:00Z", want: "createdDateTime lt 2024-06-30T12:00:00Z"},
		{in: "createdDateTime eq 2024-02-29T23:59:59.1234567-01:00", want: "createdDateTime eq 2024-03-01T00:59:59.1234567Z"},
		{in: "id eq '0123ABCD-0123-4567-89ab-0123456789AB'", want: "id eq '0123abcd-0123-4567-89ab-0123456789ab'"},
		{in: "id eq 0123abcd-0123-4567-89ab-0123456789ab", want: "id eq '0123abcd-0123-4567-89ab-0123456789ab'"},
		{in: "id ne 'ffffffff-ffff-ffff-ffff-ffffffffffff'", want: "id ne 'ffffffff-ffff-ffff-ffff-ffffffffffff'"},

		// in.
		{in: "displayName in ('a','b','c')", want: "displayName in ('a','b','c')"},
		{in: "displayName IN ( 'a' , 'b' )", want: "displayName in ('a','b')"},
		{in: "displayName in ('only')", want: "displayName in ('only')"},
		{in: "securityEnabled in (true,false)", want: "securityEnabled in (true,false)"},
		{in: "visibility in ('Public','Private')", want: "visibility in ('Public','Private')"},
		{in: "createdDateTime in (2024-01-01,2024-01-02)", want: "createdDateTime in (2024-01-01T00:00:00Z,2024-01-02T00:00:00Z)"},
		{in: "id in ('0123ABCD-0123-4567-89ab-0123456789ab', a0000000-0000-0000-0000-000000000000)",
			want: "id in ('0123abcd-0123-4567-89ab-0123456789ab','a0000000-0000-0000-0000-000000000000')"},
		{in: "mail in (" + strings.Repeat("'m',", 14) + "'m')", want: "mail in (" + strings.Repeat("'m',", 14) + "'m')"},

		// Functions.
		{in: "startsWith(displayName,'Sa')", want: "startsWith(displayName,'Sa')"},
		{in: "startswith(displayName, 'Sa')", want: "startsWith(displayName,'Sa')"},
		{in: "STARTSWITH( mail , 'a' )", want: "startsWith(mail,'a')"},
		{in: "startsWith(displayName,'')", want: "startsWith(displayName,'')"},
		{in: "endsWith(mail,'@contoso.com')", want: "endsWith(mail,'@contoso.com')"},
		{in: "endswith(mail,'''')", want: "endsWith(mail,'''')"},

		// Lambdas.
		{in: "groupTypes/any(c:c eq 'Unified')", want: "groupTypes/any(x:x eq 'Unified')"},
		{in: "groupTypes/any( c : c eq 'Unified' )", want: "groupTypes/any(x:x eq 'Unified')"},
		{in: "GroupTypes/ANY(c:c EQ 'Unified')", want: "groupTypes/any(x:x eq 'Unified')"},
		{in: "groupTypes/any(displayName:displayName eq 'Unified')", want: "groupTypes/any(x:x eq 'Unified')"},
		{in: "groupTypes/any(c:c in ('Unified','DynamicMembership'))", want: "groupTypes/any(x:x in ('Unified','DynamicMembership'))"},
		{in: "proxyAddresses/any(x:startsWith(x,'smtp:'))", want: "proxyAddresses/any(x:startsWith(x,'smtp:'))"},
		{in: "proxyAddresses/any(p:endsWith(p,'contoso.com'))", want: "proxyAddresses/any(x:endsWith(x,'contoso.com'))"},
		{in: "proxyAddresses/any(p:p eq 'SMTP:a@b.c' or p eq 'smtp:d@e.f')", want: "proxyAddresses/any(x:(x eq 'SMTP:a@b.c' or x eq 'smtp:d@e.f'))"},
		{in: "proxyAddresses/any(p:not(p eq 'x'))", want: "proxyAddresses/any(x:not(x eq 'x'))"},

		// not.
		{in: "not(groupTypes/any(c:c eq 'Unified'))", want: "not(groupTypes/any(x:x eq 'Unified'))"},
		{in: "NOT startsWith(displayName,'Conf')", want: "not(startsWith(displayName,'Conf'))"},
		{in: "not displayName eq 'a'", want: "not(displayName eq 'a')"},
		{in: "not (displayName eq 'a' or mail eq 'b')", want: "not(displayName eq 'a' or mail eq 'b')"},
		{in: "not not mailEnabled eq true", want: "not(not(mailEnabled eq true))"},
		{in: "not displayName in ('a') and mail eq 'b'", want: "(not(displayName in ('a')) and mail eq 'b')"},

		// Precedence, grouping, flattening.
		{in: "displayName eq 'a' or mail eq 'b' and mailNickname eq 'c'",
			want: "(displayName eq 'a' or (mail eq 'b' and mailNickname eq 'c'))"},
		{in: "displayName eq 'a' and mail eq 'b' or mailNickname eq 'c'",
			want: "((displayName eq 'a' and mail eq 'b') or mailNickname eq 'c')"},
		{in: "displayName eq 'a' AND mail eq 'b' OR mailNickname eq 'c'",
			want: "((displayName eq 'a' and mail eq 'b') or mailNickname eq 'c')"},
		{in: "(displayName eq 'a' or mail eq 'b') and mailNickname eq 'c'",
			want: "((displayName eq 'a' or mail eq 'b') and mailNickname eq 'c')"},
		{in: "displayName eq 'a' and (mail eq 'b' and (mailNickname eq 'c'))",
			want: "(displayName eq 'a' and mail eq 'b' and mailNickname eq 'c')"},
		{in: "(displayName eq 'a' or mail eq 'b') or (mailNickname eq 'c' or classification eq 'd')",
			want: "(displayName eq 'a' or mail eq 'b' or mailNickname eq 'c' or classification eq 'd')"},
		{in: "((((displayName eq 'a'))))", want: "displayName eq 'a'"},
		{in: "(groupTypes/any(c:c eq 'Unified') or (mailEnabled eq false and securityEnabled eq true)) and startswith(displayName, 'marketing')",
			want: "((groupTypes/any(x:x eq 'Unified') or (mailEnabled eq false and securityEnabled eq true)) and startsWith(displayName,'marketing'))"},
		{in: strings.Repeat("(", MaxDepth) + "displayName eq 'a'" + strings.Repeat(")", MaxDepth), want: "displayName eq 'a'"},

		// Users.
		{user: true, in: "userPrincipalName eq 'a@contoso.com'", want: "userPrincipalName eq 'a@contoso.com'"},
		{user: true, in: "endsWith(userPrincipalName,'#EXT#@contoso.com')", want: "endsWith(userPrincipalName,'#EXT#@contoso.com')"},
		{user: true, in: "accountEnabled eq false", want: "accountEnabled eq false"},
		{user: true, in: "onPremisesSamAccountName eq 'jdoe'", want: "onPremisesSamAccountName eq 'jdoe'"},
		{user: true, in: "givenName eq 'A' and surname eq 'B'", want: "(givenName eq 'A' and surname eq 'B')"},
		{user: true, in: "department in ('Sales','HR') or jobTitle eq null", want: "(department in ('Sales','HR') or jobTitle eq null)"},
		{user: true, in: "startsWith(jobTitle,'Eng')", want: "startsWith(jobTitle,'Eng')"},
		{user: true, in: "otherMails/any(m:m eq 'x@y.z')", want: "otherMails/any(x:x eq 'x@y.z')"},
		{user: true, in: "mail eq 'a@b.c' or otherMails/any(m:startsWith(m,'a@'))", want: "(mail eq 'a@b.c' or otherMails/any(x:startsWith(x,'a@')))"},
		{user: true, in: "createdDateTime ge 2024-01-01T00:00:00Z and createdDateTime lt 2025-01-01T00:00:00Z",
			want: "(createdDateTime ge 2024-01-01T00:00:00Z and createdDateTime lt 2025-01-01T00:00:00Z)"},
		{user: true, in: "id eq 'A0000000-0000-0000-0000-00000000000F'", want: "id eq 'a0000000-0000-0000-0000-00000000000f'"},
	}
	for _, tt := range tests {
		s := &GroupSchema
		if tt.user {
			s = &UserSchema
		}
		e, _, err := parseFilter(tt.in, s)
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if got := e.String(); got != tt.want {
			t.Errorf("%q\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}

// Filters that are refused, with the code and a part of the message.
func TestFilterInvalid(t *testing.T) {
	const (
		bad = CodeBadRequest
		uns = CodeUnsupportedQuery
		req = CodeRequestBadRequest
	)
	many := func(n int) string { // n comparisons joined by and
		return strings.TrimSuffix(strings.Repeat("displayName eq 'a' and ", n), " and ")
	}
	tests := []struct {
		user bool
		in   string
		code string
		msg  string
	}{
		// Syntax.
		{in: "displayName", code: bad, msg: "Invalid filter clause: expected a comparison operator at position 11 in 'displayName'."},
		{in: "displayName eq", code: bad, msg: "Invalid filter clause: expected a literal at position 14 in 'displayName eq'."},
		{in: "displayName eq 'a", code: bad, msg: "unterminated string literal at position 15 in 'displayName eq 'a'."},
		{in: "displayName eq 'a' and", code: bad, msg: "expected an expression at position 22"},
		{in: "(displayName eq 'a'", code: bad, msg: "expected ')' or an operator at position 19"},
		{in: "displayName eq 'a')", code: bad, msg: "unexpected ')' at position 18"},
		{in: "displayName eq 'a' mail eq 'b'", code: bad, msg: "unexpected 'mail' at position 19"},
		{in: "displayName == 'a'", code: bad, msg: "character '=' is not valid at position 12"},
		{in: "displayName eq \"a\"", code: bad, msg: "character '\"' is not valid at position 15"},
		{in: "displayName eq @p", code: bad, msg: "character '@' is not valid at position 15"},
		{in: "displayName eq 'a' && mail eq 'b'", code: bad, msg: "character '&' is not valid at position 19"},
		{in: "displayName eq 'é' ==", code: bad, msg: "character '=' is not valid at position 19"},
		{in: "$it eq 'a'", code: bad, msg: "character '$' is not valid at position 0"},
		{in: "displayName eq 1.5", code: bad, msg: "invalid or unsupported number '1.5' at position 15"},
		{in: "displayName eq 99999999999999999999", code: bad, msg: "invalid or unsupported number '99999999999999999999'"},
		{in: "createdDateTime ge 2024-13-01", code: bad, msg: "invalid date-time literal '2024-13-01' at position 19"},
		{in: "createdDateTime ge 2024-01-01T25:00:00Z", code: bad, msg: "invalid date-time literal '2024-01-01T25:00:00Z'"},
		{in: "createdDateTime ge 2024-01-01T00:00:00 01:00", code: bad, msg: "invalid date-time literal '2024-01-01T00:00:00' (a time needs Z or an offset; send '+' as %2B in a URL) at position 19"},
		{in: "displayName eq 'a'and mail eq 'b' or id eq 0123abcd-0123-4567-89ab-0123456789abx", code: bad, msg: "invalid or unsupported number '0123abcd'"},
		{in: "displayName ge 'a' eq 'b'", code: bad, msg: "unexpected 'eq' at position 19"},
		{in: "startsWith(displayName 'a')", code: bad, msg: "expected ',' but found ''a'' at position 23"},
		{in: "startsWith(displayName,'a'", code: bad, msg: "expected ')' at position 26"},
		{in: "startsWith('a',displayName)", code: bad, msg: "expected a property name but found ''a''"},
		{in: "startsWith(displayName,'a') eq true", code: bad, msg: "unexpected 'eq' at position 28"},
		{in: "displayName in 'a'", code: bad, msg: "expected '(' but found ''a''"},
		{in: "displayName in ()", code: bad, msg: "expected a literal but found ')'"},
		{in: "displayName in ('a' 'b')", code: bad, msg: "expected ',' or ')' but found ''b''"},
		{in: "displayName in ('a',)", code: bad, msg: "expected a literal but found ')'"},
		{in: "displayName eq mail", code: bad, msg: "expected a literal but found 'mail'"},
		{in: "groupTypes/any(c c eq 'x')", code: bad, msg: "expected ':' but found 'c'"},
		{in: "groupTypes/any(c:c eq 'x'", code: bad, msg: "expected ')' or an operator at position 25"},
		{in: "groupTypes/foo(c:c eq 'x')", code: bad, msg: "expected any but found 'foo'"},
		{in: "groupTypes/any(c:c/x eq 'y')", code: bad, msg: "unexpected '/' after the lambda variable"},
		{in: "not", code: bad, msg: "expected an expression at position 3 in 'not'."},
		{in: "()", code: bad, msg: "expected an expression but found ')' at position 1"},

		// Unknown names.
		{in: "foo eq 'a'", code: bad, msg: "Invalid filter clause: Could not find a property named 'foo' on type 'microsoft.graph.group'."},
		{user: true, in: "foo eq 1", code: bad, msg: "Could not find a property named 'foo' on type 'microsoft.graph.user'."},
		{user: true, in: "groupTypes/any(c:c eq 'Unified')", code: bad, msg: "Could not find a property named 'groupTypes' on type 'microsoft.graph.user'."},
		{in: "contains(displayName,'a')", code: uns, msg: "The function 'contains' is not supported in $filter."},
		{in: "tolower(displayName) eq 'a'", code: uns, msg: "The function 'tolower' is not supported in $filter."},
		{in: "foo(displayName,'a')", code: bad, msg: "Invalid filter clause: An unknown function with name 'foo' was found."},

		// Types.
		{in: "mailEnabled eq 'true'", code: bad, msg: "Invalid filter clause: A binary operator with incompatible types was detected. Found operand types 'Edm.Boolean' and 'Edm.String' for operator kind 'Equal'."},
		{in: "displayName eq 1", code: bad, msg: "Found operand types 'Edm.String' and 'Edm.Int64' for operator kind 'Equal'."},
		{in: "displayName ne true", code: bad, msg: "Found operand types 'Edm.String' and 'Edm.Boolean' for operator kind 'NotEqual'."},
		{in: "createdDateTime ge '2024-01-01'", code: bad, msg: "Found operand types 'Edm.DateTimeOffset' and 'Edm.String' for operator kind 'GreaterThanOrEqual'."},
		{in: "createdDateTime lt true", code: bad, msg: "operator kind 'LessThan'"},
		{in: "displayName in ('a', 1)", code: bad, msg: "Found operand types 'Edm.String' and 'Edm.Int64' for operator kind 'In'."},
		{in: "displayName eq 0123abcd-0123-4567-89ab-0123456789ab", code: bad, msg: "Found operand types 'Edm.String' and 'Edm.Guid'"},
		{in: "groupTypes/any(c:c eq true)", code: bad, msg: "Found operand types 'Edm.String' and 'Edm.Boolean'"},
		{in: "startsWith(mailEnabled,'a')", code: bad, msg: "No function signature for the function with name 'startsWith' matches the specified arguments."},
		{in: "endsWith(mail,1)", code: bad, msg: "No function signature for the function with name 'endsWith'"},
		{in: "securityEnabled/any(x:x eq 'a')", code: bad, msg: "any() applies to collections and 'securityEnabled' is not a collection."},
		{in: "id eq 'not-a-guid'", code: req, msg: "Invalid object identifier 'not-a-guid'."},
		{in: "id in ('0123abcd-0123-4567-89ab-0123456789ab','x')", code: req, msg: "Invalid object identifier 'x'."},

		// Valid syntax the service does not run.
		{in: "description eq 'x'", code: uns, msg: "Unsupported or invalid query filter clause specified for property 'description' of resource 'Group'."},
		{in: "renewedDateTime ge 2024-01-01", code: uns, msg: "property 'renewedDateTime' of resource 'Group'"},
		{in: "startsWith(visibility,'P')", code: uns, msg: "property 'visibility' of resource 'Group'"},
		{in: "endsWith(displayName,'s')", code: uns, msg: "property 'displayName' of resource 'Group'"},
		{in: "mailEnabled ge true", code: uns, msg: "property 'mailEnabled' of resource 'Group'"},
		{in: "groupTypes eq 'Unified'", code: uns, msg: "property 'groupTypes' of resource 'Group'"},
		{in: "startsWith(groupTypes,'U')", code: uns, msg: "property 'groupTypes' of resource 'Group'"},
		{in: "groupTypes/any(c:startsWith(c,'U'))", code: uns, msg: "property 'groupTypes' of resource 'Group'"},
		{in: "onPremisesProvisioningErrors eq 'x'", code: uns, msg: "property 'onPremisesProvisioningErrors' of resource 'Group'"},
		{in: "displayName gt null", code: uns, msg: "property 'displayName' of resource 'Group'"},
		{in: "visibility eq null", code: uns, msg: "property 'visibility' of resource 'Group'"},
		{in: "displayName in ('a', null)", code: uns, msg: "property 'displayName' of resource 'Group'"},
		{in: "groupTypes/any(c:c eq null)", code: uns, msg: "property 'groupTypes' of resource 'Group'"},
		{user: true, in: "mobilePhone eq '1'", code: uns, msg: "property 'mobilePhone' of resource 'User'"},
		{user: true, in: "proxyAddresses/any(x:x eq 'a')", code: uns, msg: "property 'proxyAddresses' of resource 'User'"},
		{user: true, in: "not(mobilePhone eq 'a')", code: uns, msg: "property 'mobilePhone' of resource 'User'"},
		{in: "groupTypes/all(c:c eq 'Unified')", code: uns, msg: "The lambda operator 'all' is not supported"},
		{in: "groupTypes/any()", code: uns, msg: "any() without a lambda expression is not supported"},
		{in: "groupTypes/any(c:displayName eq 'x')", code: uns, msg: "Only the lambda variable 'c' can be used inside groupTypes/any(), found 'displayName'."},
		{in: "'Sales' eq displayName", code: uns, msg: "Unsupported filter clause at position 0 in ''Sales' eq displayName': a comparison must have a property on its left and a literal on its right."},
		{in: "true", code: uns, msg: "Unsupported filter clause at position 0"},
		{in: "displayName eq 'a' and null eq displayName", code: uns, msg: "Unsupported filter clause at position 23"},

		// Limits.
		{in: "mail in (" + strings.Repeat("'m',", 15) + "'m')", code: uns, msg: "Too many child clauses specified in search filter expression containing 'OR' operators: 16. Max allowed: 15."},
		{in: strings.Repeat("(", MaxDepth+1) + "displayName eq 'a'" + strings.Repeat(")", MaxDepth+1), code: uns, msg: "nested too deeply: more than 16 levels"},
		{in: strings.Repeat("not ", MaxDepth+1) + "displayName eq 'a'", code: uns, msg: "nested too deeply"},
		{in: many(MaxNodes), code: uns, msg: "too complex: more than 100 operators and operands"},
	}
	for _, tt := range tests {
		s := &GroupSchema
		if tt.user {
			s = &UserSchema
		}
		e, _, err := parseFilter(tt.in, s)
		if err == nil {
			t.Errorf("%q: got %s, want error %q", tt.in, e, tt.msg)
			continue
		}
		if err.Code != tt.code || !strings.Contains(err.Message, tt.msg) || err.Option != "$filter" {
			t.Errorf("%q:\n got %s %s: %s\nwant %s $filter: …%s…", tt.in, err.Code, err.Option, err.Message, tt.code, tt.msg)
		}
	}
	// The largest filter within the node limit: MaxNodes-1 comparisons and
	// their and.
	if _, _, err := parseFilter(many(MaxNodes-1), &GroupSchema); err != nil {
		t.Errorf("%d comparisons: %v", MaxNodes-1, err)
	}
}

// The tree itself, not only its text: what a store compiles.
func TestFilterTree(t *testing.T) {
	e, _, err := parseFilter("proxyAddresses/any(p:startsWith(p,'smtp:')) and not(id in ('0123abcd-0123-4567-89ab-0123456789ab')) and createdDateTime ge 2024-01-01", &GroupSchema)
	if err != nil {
		t.Fatal(err)
	}
	and, ok := e.(*And)
	if !ok || len(and.Terms) != 3 {
		t.Fatalf("got %#v", e)
	}
	anyNode, ok := and.Terms[0].(*Any)
	if !ok || anyNode.Prop != "proxyAddresses" || anyNode.Var != "p" {
		t.Fatalf("term 0: %#v", and.Terms[0])
	}
	if f, ok := anyNode.Body.(*Func); !ok || f.Op != OpStartsWith || f.Prop != "proxyAddresses" || f.Value != (Literal{Kind: LitString, Str: "smtp:"}) {
		t.Errorf("lambda body: %#v", anyNode.Body)
	}
	not, ok := and.Terms[1].(*Not)
	if !ok {
		t.Fatalf("term 1: %#v", and.Terms[1])
	}
	if in, ok := not.Expr.(*In); !ok || in.Prop != "id" || len(in.Values) != 1 || in.Values[0].Kind != LitGUID || in.Values[0].Value() != "0123abcd-0123-4567-89ab-0123456789ab" {
		t.Errorf("not operand: %#v", not.Expr)
	}
	cmp, ok := and.Terms[2].(*Compare)
	if !ok || cmp.Prop != "createdDateTime" || cmp.Op != OpGe || cmp.Value.Kind != LitDateTime ||
		cmp.Value.Time.Format("2006-01-02T15:04:05Z07:00") != "2024-01-01T00:00:00Z" {
		t.Errorf("term 2: %#v", and.Terms[2])
	}
	if got, want := strings.Join(Props(e), ","), "proxyAddresses,id,createdDateTime"; got != want {
		t.Errorf("Props = %s, want %s", got, want)
	}
	var kinds []string
	Walk(e, func(n Expr) bool {
		switch n.(type) {
		case *And:
			kinds = append(kinds, "and")
		case *Any:
			kinds = append(kinds, "any")
			return false // skip the body
		case *Not:
			kinds = append(kinds, "not")
		case *In:
			kinds = append(kinds, "in")
		case *Compare:
			kinds = append(kinds, "cmp")
		case *Func:
			kinds = append(kinds, "func")
		}
		return true
	})
	if got, want := strings.Join(kinds, " "), "and any not in cmp"; got != want {
		t.Errorf("Walk order = %s, want %s", got, want)
	}
}

func TestLiteralValue(t *testing.T) {
	tests := []struct {
		lit  Literal
		want any
	}{
		{Literal{Kind: LitNull}, nil},
		{Literal{Kind: LitString, Str: "a"}, "a"},
		{Literal{Kind: LitGUID, Str: "g"}, "g"},
		{Literal{Kind: LitBool, Bool: true}, true},
		{Literal{Kind: LitInt, Int: -3}, int64(-3)},
	}
	for _, tt := range tests {
		if got := tt.lit.Value(); got != tt.want {
			t.Errorf("%v.Value() = %#v, want %#v", tt.lit, got, tt.want)
		}
	}
	if got := (Literal{Kind: LitInt, Int: -3}).String(); got != "-3" {
		t.Errorf("String() = %s", got)
	}
}
