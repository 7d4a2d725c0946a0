package odata

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// q builds query values from name, value pairs.
func q(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// wantErr checks that err is an *Error with code, option and a message
// containing msg.
func wantErr(t *testing.T, name string, err error, code, option, msg string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Errorf("%s: got %v, want %s error", name, err, code)
		return
	}
	if e.Code != code || e.Option != option || !strings.Contains(e.Message, msg) {
		t.Errorf("%s:\n got %s %q: %s\nwant %s %q: …%s…", name, e.Code, e.Option, e.Message, code, option, msg)
	}
}

const headerMissing = " is not supported because the 'ConsistencyLevel:eventual' header is missing. Refer to https://aka.ms/graph-docs/advanced-queries for more information"

// The advanced-query rules of REFERENCE.md and Graph's documentation:
// ne, not, endsWith, null comparisons, $search, $count and $filter with
// $orderby need ConsistencyLevel: eventual (and $count=true, except
// $search).
func TestAdvancedQueries(t *testing.T) {
	const uns = CodeUnsupportedQuery
	tests := []struct {
		name     string
		user     bool
		values   url.Values
		eventual bool
		segment  bool   // /$count
		code     string // "" when the query is accepted
		option   string
		msg      string
	}{
		{name: "eq works by default", values: q("$filter", "displayName eq 'a'")},
		{name: "in works by default", values: q("$filter", "mailNickname in ('a','b')")},
		{name: "startsWith works by default", values: q("$filter", "startsWith(displayName,'a')")},
		{name: "any works by default", values: q("$filter", "groupTypes/any(c:c eq 'Unified')")},
		{name: "ge on dates works by default", values: q("$filter", "createdDateTime ge 2024-01-01")},
		{name: "default ops with the header", values: q("$filter", "displayName eq 'a'"), eventual: true},

		{name: "endsWith without header", values: q("$filter", "endsWith(mail,'@contoso.com')"),
			code: uns, option: "$filter", msg: "Operator 'endsWith'" + headerMissing},
		{name: "ne without header", values: q("$filter", "displayName ne 'a'"),
			code: uns, option: "$filter", msg: "Operator 'ne'" + headerMissing},
		{name: "not without header", values: q("$filter", "not(groupTypes/any(c:c eq 'Unified'))"),
			code: uns, option: "$filter", msg: "Operator 'not'" + headerMissing},
		{name: "eq null without header", values: q("$filter", "displayName eq null"),
			code: uns, option: "$filter", msg: "Operator 'eq null'" + headerMissing},
		{name: "ne null names ne first", values: q("$filter", "mail ne null"),
			code: uns, option: "$filter", msg: "Operator 'ne'" + headerMissing},
		{name: "first advanced operator is named", values: q("$filter", "displayName eq 'a' and endsWith(mail,'x') and displayName ne 'b'"),
			code: uns, option: "$filter", msg: "Operator 'endsWith'"},
		{name: "advanced in a lambda", values: q("$filter", "proxyAddresses/any(x:endsWith(x,'.com'))"),
			code: uns, option: "$filter", msg: "Operator 'endsWith'" + headerMissing},
		{name: "in on dates is advanced", values: q("$filter", "createdDateTime in (2024-01-01)"),
			code: uns, option: "$filter", msg: "Operator 'in'" + headerMissing},
		{name: "eq on onPremisesSamAccountName is advanced", user: true, values: q("$filter", "onPremisesSamAccountName eq 'jdoe'"),
			code: uns, option: "$filter", msg: "Operator 'eq'" + headerMissing},
		{name: "header without $count", values: q("$filter", "endsWith(mail,'x')"), eventual: true,
			code: uns, option: "$filter", msg: "Operator 'endsWith' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information"},
		{name: "$count=false is no $count", values: q("$filter", "endsWith(mail,'x')", "$count", "false"), eventual: true,
			code: uns, option: "$filter", msg: "required parameters might be missing"},
		{name: "$count=true without header", values: q("$filter", "endsWith(mail,'x')", "$count", "true"),
			code: uns, option: "$count", msg: "The $count query option" + headerMissing},
		{name: "advanced with header and $count", values: q("$filter", "endsWith(mail,'x') and displayName ne 'a'", "$count", "true"), eventual: true},
		{name: "advanced on /$count", values: q("$filter", "displayName ne 'a'"), eventual: true, segment: true},

		{name: "$count=true with header", values: q("$count", "true"), eventual: true},
		{name: "$count=false without header", values: q("$count", "false")},
		{name: "/$count without header", segment: true,
			code: CodeRequestBadRequest, option: "", msg: "$count is not currently supported."},
		{name: "/$count with header", segment: true, eventual: true},

		{name: "$search without header", values: q("$search", `"displayName:sales"`),
			code: uns, option: "$search", msg: "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'"},
		{name: "$search with header, no $count needed", values: q("$search", `"displayName:sales"`), eventual: true},
		{name: "$search and $orderby with header", values: q("$search", `"displayName:sales"`, "$orderby", "displayName"), eventual: true},

		{name: "$orderby displayName by default", values: q("$orderby", "displayName")},
		{name: "$orderby userPrincipalName by default", user: true, values: q("$orderby", "userPrincipalName desc")},
		{name: "$orderby with $filter without header", values: q("$orderby", "displayName", "$filter", "displayName eq 'a'"),
			code: uns, option: "$orderby", msg: "Sorting not supported for current query"},
		{name: "$orderby with $filter and header only", values: q("$orderby", "displayName", "$filter", "displayName eq 'a'"), eventual: true,
			code: uns, option: "$orderby", msg: "Sorting not supported for current query"},
		{name: "$orderby with $filter, header and $count", values: q("$orderby", "displayName", "$filter", "displayName eq 'a'", "$count", "true"), eventual: true},
		{name: "advanced sort property without header", user: true, values: q("$orderby", "createdDateTime desc"),
			code: uns, option: "$orderby", msg: "Unsupported sort property 'createdDateTime' for 'User'."},
		{name: "advanced sort property with header and $count", user: true, values: q("$orderby", "createdDateTime desc", "$count", "true"), eventual: true},
		{name: "unsortable property even with header", values: q("$orderby", "mail", "$count", "true"), eventual: true,
			code: uns, option: "$orderby", msg: "Unsupported sort property 'mail' for 'Group'."},
	}
	for _, tt := range tests {
		s := GroupSchema
		if tt.user {
			s = UserSchema
		}
		_, err := Parse(tt.values, s, Options{Allowed: ListOptions, Eventual: tt.eventual, CountSegment: tt.segment})
		if tt.code == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		wantErr(t, tt.name, err, tt.code, tt.option, tt.msg)
	}
}

func TestOptionErrors(t *testing.T) {
	const bad, uns = CodeBadRequest, CodeUnsupportedQuery
	tests := []struct {
		name    string
		values  url.Values
		allowed Option
		code    string
		option  string
		msg     string
	}{
		{"unknown option", q("$foo", "1"), ListOptions, bad, "$foo", "The query parameter '$foo' is not supported."},
		{"$format", q("$format", "json"), ListOptions, bad, "$format", "The query parameter '$format' is not supported."},
		{"$skip", q("$skip", "10"), ListOptions, uns, "$skip", "'$skip' is not supported by the service."},
		{"$SKIP", q("$SKIP", "10"), EntityOptions, uns, "$SKIP", "'$skip' is not supported by the service."},
		{"$orderby on one object", q("$orderby", "displayName"), EntityOptions, uns, "$orderby", "The query option '$orderby' is not supported on this resource."},
		{"$top on /$count", q("$top", "5"), CountOptions, uns, "$top", "The query option '$top' is not supported on this resource."},
		{"repeated", q("$filter", "displayName eq 'a'", "$filter", "displayName eq 'b'"), ListOptions, bad, "$filter", "Query option '$filter' was specified more than once, but it must be specified at most once."},
		{"repeated in other case", q("$top", "1", "$TOP", "2"), ListOptions, bad, "$top", "specified more than once"},
		{"too long", q("$filter", "displayName eq '"+strings.Repeat("a", MaxOptionLength)+"'"), ListOptions, uns, "$filter", "The value of '$filter' is too long: 4113 characters, at most 4096."},
		{"$top 0", q("$top", "0"), ListOptions, bad, "$top", "Invalid page size specified: '0'. Must be between 1 and 999 inclusive."},
		{"$top 1000", q("$top", "1000"), ListOptions, bad, "$top", "Invalid page size specified: '1000'."},
		{"$top -1", q("$top", "-1"), ListOptions, bad, "$top", "'-1'"},
		{"$top abc", q("$top", "abc"), ListOptions, bad, "$top", "'abc'"},
		{"$top empty", q("$top", ""), ListOptions, bad, "$top", "''"},
		{"$top 1.5", q("$top", "1.5"), ListOptions, bad, "$top", "'1.5'"},
		{"$top huge", q("$top", "99999999999999999999999"), ListOptions, bad, "$top", "Must be between 1 and 999"},
		{"$top +5", q("$top", "+5"), ListOptions, bad, "$top", "'+5'"},
		{"$count yes", q("$count", "yes"), ListOptions, bad, "$count", "Invalid value 'yes' for the $count query option: expected 'true' or 'false'."},
		{"$skiptoken empty", q("$skiptoken", ""), ListOptions, bad, "$skiptoken", "The $skiptoken value is empty."},
		{"filter error names its option", q("$top", "5", "$filter", "displayName eq"), ListOptions, bad, "$filter", "expected a literal"},
		{"$top is checked before $filter", q("$top", "0", "$filter", "displayName eq"), ListOptions, bad, "$top", "Invalid page size"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.values, GroupSchema, Options{Allowed: tt.allowed, Eventual: true})
		wantErr(t, tt.name, err, tt.code, tt.option, tt.msg)
	}
}

func TestParseOptions(t *testing.T) {
	got, err := Parse(q(
		"$FILTER", "displayName eq 'a'",
		"$top", "25",
		"$skiptoken", "abc-_=",
		"$count", "TRUE",
		"$select", "DISPLAYNAME, id ,displayName,,",
		"$expand", "Members($select=id,userPrincipalName,groupTypes)",
		"api-version", "1.6", // not an OData option: ignored
		"filter", "garbage", // idem
	), GroupSchema, Options{Allowed: ListOptions, Eventual: true})
	if err != nil {
		t.Fatal(err)
	}
	want := &Query{
		Filter:    &Compare{Prop: "displayName", Op: OpEq, Value: Literal{Kind: LitString, Str: "a"}},
		Top:       25,
		SkipToken: "abc-_=",
		Count:     true,
		Select:    []string{"displayName", "id"},
		Expand:    &Expand{Relationship: "members", Select: []string{"id", "userPrincipalName", "groupTypes"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}

	empty, err := Parse(nil, GroupSchema, Options{})
	if err != nil || !reflect.DeepEqual(empty, &Query{Top: DefaultTop}) {
		t.Errorf("no options: %+v, %v", empty, err)
	}
	blank, err := Parse(q("$filter", " ", "$search", "", "$orderby", "", "$select", "", "$expand", ""), GroupSchema, Options{Allowed: ListOptions})
	if err != nil || !reflect.DeepEqual(blank, &Query{Top: DefaultTop}) {
		t.Errorf("blank options: %+v, %v", blank, err)
	}
	for _, top := range []string{"1", "999", "0100"} {
		if _, err := Parse(q("$top", top), UserSchema, Options{Allowed: ListOptions}); err != nil {
			t.Errorf("$top=%s: %v", top, err)
		}
	}
}

func TestSelectExpand(t *testing.T) {
	const bad, uns = CodeBadRequest, CodeUnsupportedQuery
	valid := []struct {
		user   bool
		values url.Values
		sel    []string
		expand *Expand
	}{
		{values: q("$select", "id,displayName"), sel: []string{"id", "displayName"}},
		{values: q("$select", "serviceProvisioningErrors,unseenCount,proxyAddresses"), sel: []string{"serviceProvisioningErrors", "unseenCount", "proxyAddresses"}},
		{user: true, values: q("$select", "businessPhones,passwordProfile,onPremisesSamAccountName"), sel: []string{"businessPhones", "passwordProfile", "onPremisesSamAccountName"}},
		{values: q("$expand", "members"), expand: &Expand{Relationship: "members"}},
		{values: q("$expand", " owners ( $select = id , displayName ) "), expand: &Expand{Relationship: "owners", Select: []string{"id", "displayName"}}},
		{values: q("$expand", "memberOf($select=groupTypes;)"), expand: &Expand{Relationship: "memberOf", Select: []string{"groupTypes"}}},
		{values: q("$expand", "members()"), expand: &Expand{Relationship: "members"}},
		{user: true, values: q("$expand", "manager($levels=max;$select=id,displayName)"), expand: &Expand{Relationship: "manager", Select: []string{"id", "displayName"}, Levels: MaxLevels}},
		{user: true, values: q("$expand", "manager( $levels = 3 )"), expand: &Expand{Relationship: "manager", Levels: 3}},
		{user: true, values: q("$expand", "memberof($select=displayName)", "$select", "id"), sel: []string{"id"}, expand: &Expand{Relationship: "memberOf", Select: []string{"displayName"}}},
	}
	for _, tt := range valid {
		s := GroupSchema
		if tt.user {
			s = UserSchema
		}
		got, err := Parse(tt.values, s, Options{Allowed: ListOptions})
		if err != nil {
			t.Errorf("%v: %v", tt.values, err)
			continue
		}
		if !reflect.DeepEqual(got.Select, tt.sel) || !reflect.DeepEqual(got.Expand, tt.expand) {
			t.Errorf("%v: got %v %+v, want %v %+v", tt.values, got.Select, got.Expand, tt.sel, tt.expand)
		}
	}

	invalid := []struct {
		user   bool
		values url.Values
		code   string
		option string
		msg    string
	}{
		{values: q("$select", "foo"), code: bad, option: "$select", msg: "Parsing OData Select and Expand failed: Could not find a property named 'foo' on type 'microsoft.graph.group'."},
		{user: true, values: q("$select", "id,groupTypes"), code: bad, option: "$select", msg: "Could not find a property named 'groupTypes' on type 'microsoft.graph.user'."},
		{values: q("$select", "members"), code: bad, option: "$select", msg: "Could not find a property named 'members'"},
		{values: q("$select", "*"), code: bad, option: "$select", msg: "Could not find a property named '*'"},
		{values: q("$expand", "foo"), code: bad, option: "$expand", msg: "Parsing OData Select and Expand failed: Could not find a property named 'foo' on type 'microsoft.graph.group'."},
		{user: true, values: q("$expand", "members"), code: bad, option: "$expand", msg: "Could not find a property named 'members' on type 'microsoft.graph.user'."},
		{values: q("$expand", "displayName"), code: bad, option: "$expand", msg: "Property 'displayName' on type 'microsoft.graph.group' is not a navigation property or complex property. Only navigation properties can be expanded."},
		{values: q("$expand", "members,owners"), code: uns, option: "$expand", msg: "Only one relationship can be expanded in a request: 'members,owners'."},
		{values: q("$expand", "members($select=id;$top=5)"), code: uns, option: "$expand", msg: "The query option '$top' is not supported inside $expand of 'members'; only $select is."},
		{values: q("$expand", "members($levels=2)"), code: uns, option: "$expand", msg: "The query option '$levels' is not supported inside $expand of 'members'; only $select is."},
		{user: true, values: q("$expand", "manager($top=2)"), code: uns, option: "$expand", msg: "The query option '$top' is not supported inside $expand of 'manager'; only $select or $levels is."},
		{user: true, values: q("$expand", "manager($levels=0)"), code: bad, option: "$expand", msg: "Invalid value '0' for $levels: expected 'max' or a number from 1 to 1000."},
		{user: true, values: q("$expand", "manager($levels=1001)"), code: bad, option: "$expand", msg: "Invalid value '1001' for $levels"},
		{user: true, values: q("$expand", "manager($levels=some)"), code: bad, option: "$expand", msg: "Invalid value 'some' for $levels"},
		{user: true, values: q("$expand", "manager($levels=2;$levels=3)"), code: bad, option: "$expand", msg: "Query option '$levels' was specified more than once in $expand"},
		{values: q("$expand", "members($filter=id eq 'x')"), code: uns, option: "$expand", msg: "'$filter' is not supported inside $expand"},
		{values: q("$expand", "members($select=id;$select=mail)"), code: bad, option: "$expand", msg: "specified more than once in $expand"},
		{values: q("$expand", "members(id)"), code: bad, option: "$expand", msg: "'id' is not a query option."},
		{values: q("$expand", "members($select=foo)"), code: bad, option: "$expand", msg: "Could not find a property named 'foo' on type 'microsoft.graph.directoryObject'."},
		{values: q("$expand", "owners($select=groupTypes)"), code: bad, option: "$expand", msg: "Could not find a property named 'groupTypes' on type 'microsoft.graph.directoryObject'."},
		{values: q("$expand", "members("), code: bad, option: "$expand", msg: "unbalanced parentheses in 'members('."},
		{values: q("$expand", "members))("), code: bad, option: "$expand", msg: "unbalanced parentheses"},
		{values: q("$expand", "members($select=id)x"), code: bad, option: "$expand", msg: "unexpected text after ')'"},
		{values: q("$orderby", "foo"), code: bad, option: "$orderby", msg: "Could not find a property named 'foo' on type 'microsoft.graph.group'."},
		{values: q("$orderby", "displayName up"), code: bad, option: "$orderby", msg: "Invalid $orderby: expected 'asc' or 'desc' after 'displayName' in 'displayName up'."},
		{values: q("$orderby", "displayName asc desc"), code: bad, option: "$orderby", msg: "expected 'asc' or 'desc'"},
		{values: q("$orderby", "displayName,mail"), code: uns, option: "$orderby", msg: "Sorting by more than one property is not supported: 'displayName,mail'."},
	}
	for _, tt := range invalid {
		s := GroupSchema
		if tt.user {
			s = UserSchema
		}
		_, err := Parse(tt.values, s, Options{Allowed: ListOptions, Eventual: true})
		wantErr(t, tt.values.Encode(), err, tt.code, tt.option, tt.msg)
	}

	for in, want := range map[string]OrderItem{
		"displayName":          {Prop: "displayName"},
		"DisplayName ASC":      {Prop: "displayName"},
		"displayName desc":     {Prop: "displayName", Desc: true},
		" displayName  DESC ,": {Prop: "displayName", Desc: true},
	} {
		got, err := Parse(q("$orderby", in), GroupSchema, Options{Allowed: ListOptions})
		if err != nil || len(got.OrderBy) != 1 || got.OrderBy[0] != want {
			t.Errorf("$orderby=%q: %+v, %v", in, got, err)
		}
	}
}

// Canonical is equal for equal queries, different for different ones, and
// parses back to itself.
func TestCanonical(t *testing.T) {
	opts := Options{Allowed: ListOptions, Eventual: true}
	canon := func(v url.Values) string {
		t.Helper()
		v.Set("$count", "true")
		qq, err := Parse(v, GroupSchema, opts)
		if err != nil {
			t.Fatalf("%v: %v", v, err)
		}
		return qq.Canonical()
	}
	a := canon(q("$filter", "displayName eq 'a' and groupTypes/any(c:c eq 'Unified')", "$orderby", "displayName", "$search", `"displayName:x"`))
	b := canon(q("$FILTER", " ( DisplayName EQ 'a' )AND GROUPTYPES/any(t : t eq 'Unified') ", "$orderby", "DISPLAYNAME ASC",
		"$search", `("DisplayName:x")`, "$select", "id", "$top", "5", "$expand", "members", "$skiptoken", "t"))
	if a != b {
		t.Errorf("equal queries differ:\n%s\n%s", a, b)
	}
	want := url.Values{
		"$filter":  {"(displayName eq 'a' and groupTypes/any(x:x eq 'Unified'))"},
		"$orderby": {"displayName asc"},
		"$search":  {`"displayName:x"`},
	}.Encode()
	if a != want {
		t.Errorf("Canonical = %s\nwant        %s", a, want)
	}
	back, err := url.ParseQuery(a)
	if err != nil || canon(back) != a {
		t.Errorf("Canonical does not parse back to itself: %s (%v)", a, err)
	}
	for _, other := range []url.Values{
		q("$filter", "displayName eq 'A' and groupTypes/any(c:c eq 'Unified')", "$orderby", "displayName", "$search", `"displayName:x"`),
		q("$filter", "displayName eq 'a' and groupTypes/any(c:c eq 'Unified')", "$orderby", "displayName desc", "$search", `"displayName:x"`),
		q("$filter", "displayName eq 'a' and groupTypes/any(c:c eq 'Unified')", "$orderby", "displayName"),
		q("$filter", "displayName eq 'a'", "$orderby", "displayName", "$search", `"displayName:x"`),
	} {
		if c := canon(other); c == a {
			t.Errorf("different query %v has the same Canonical %s", other, c)
		}
	}
	if c := canon(url.Values{}); c != "" {
		t.Errorf("empty query: Canonical = %q", c)
	}
	// A literal that looks like another option stays inside the filter.
	tricky := canon(q("$filter", `displayName eq '&$orderby=displayName'`))
	if tricky == canon(q("$filter", "displayName eq ''", "$orderby", "displayName")) {
		t.Error("a literal forged another option")
	}
}

func TestEventualConsistency(t *testing.T) {
	for h, want := range map[string]bool{"eventual": true, " Eventual ": true, "EVENTUAL": true, "": false, "strong": false, "eventually": false} {
		if got := EventualConsistency(h); got != want {
			t.Errorf("EventualConsistency(%q) = %v", h, got)
		}
	}
}
