package msgraph

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/go-chi/chi/v5"
	"io"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"groupd/internal/api/entra"
	"groupd/internal/api/httpx"
	"groupd/internal/directory"
)

func TestParseQuery(t *testing.T) {
	for _, tc := range []struct {
		raw     string
		allowed option
		sel     []string
		err     string
	}{
		{"", optList, nil, ""},
		{"foo=bar&api-version=1.6", 0, nil, ""},
		{"$select=a,%20b,,c", optSelect, []string{"a", "b", "c"}, ""},
		{"$SELECT=a", optSelect, []string{"a"}, ""},
		{"$top=5", 0, nil, "The query option '$top' is not supported on this resource."},
		{"$skiptoken=%zz", optList, nil, "The query string is not valid: '$skiptoken=%zz'."},
		{"$filter=x", optAny, nil, ""},
	} {
		got, err := parseQuery(tc.raw, tc.allowed)
		if tc.err != "" {
			var ae *apiError
			if !errors.As(err, &ae) || ae.message != tc.err {
				t.Errorf("%q: error %v, want %q", tc.raw, err, tc.err)
			}
			continue
		}
		if err != nil || fmt.Sprint(got.selRaw) != fmt.Sprint(tc.sel) {
			t.Errorf("%q: %+v, %v; want select %q", tc.raw, got, err, tc.sel)
		}
	}
	q, _ := parseQuery("$select=id&$filter=x", optSelect)
	if err := q.only(optSelect); err == nil || err.Error() != codeUnsupportedQuery+": The query option '$filter' is not supported on this resource." {
		t.Errorf("only: %v", err)
	}
}

// TestSkipTokenBinding: a token decodes only with the key, tenant, list
// and query that made it; anything else is a 400, never a panic.
func TestSkipTokenBinding(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	tn := directory.TenantID("t1")
	tok := encodeSkipToken(key, tn, "/groups?$orderby=displayName+asc", "cursor")
	if c, err := decodeSkipToken(key, tn, tok, "/groups?$orderby=displayName+asc"); err != nil || c != "cursor" {
		t.Fatalf("round trip: %q, %v", c, err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(tok)
	flipped := slices.Clone(raw)
	flipped[3] ^= 1 // a byte of the cursor
	// The same cursor with a MAC made under another key: a forgery.
	forged := encodeSkipToken(bytes.Repeat([]byte{8}, 32), tn, "/groups?$orderby=displayName+asc", "cursor")
	for _, bad := range []struct {
		tok, scope string
		tenant     directory.TenantID
	}{
		{tok, "/groups?$orderby=displayName+desc", tn},
		{tok, "/users?$orderby=displayName+asc", tn},
		{tok, "/groups?$orderby=displayName+asc", "t2"},
		{forged, "/groups?$orderby=displayName+asc", tn},
		{base64.RawURLEncoding.EncodeToString(flipped), "/groups?$orderby=displayName+asc", tn},
		{tok[:len(tok)-2] + "AA", "/groups?$orderby=displayName+asc", tn},
		{"", "/groups", tn},
		{"!!", "/groups", tn},
		{"Ag", "/groups", tn},
	} {
		if _, err := decodeSkipToken(key, bad.tenant, bad.tok, bad.scope); err == nil {
			t.Errorf("%q for %q in %s: accepted", bad.tok, bad.scope, bad.tenant)
		}
	}
}

func TestNextLinkKeepsQuery(t *testing.T) {
	got := nextLink("https://h:1/v1.0", "/groups", "$top=2&x=%20y&$skiptoken=old&$select=id", "c")
	want := "https://h:1/v1.0/groups?$top=2&x=%20y&$select=id&$skiptoken=c"
	if got != want {
		t.Errorf("nextLink %q\nwant     %q", got, want)
	}
}

func TestUnknownSegment(t *testing.T) {
	g := grammarOf(New(Config{}).(chi.Routes))
	for path, want := range map[string]string{
		"/":                          "",
		"/nope":                      "nope",
		"/groups/x/owner":            "owner",
		"/groups/x/members/$ref/y":   "y",
		"/groups/x/members/y/$ref/z": "z",
		"/users/a%20b/memberOf/x":    "x",
		"/users/a%20b":               "a b",
		"/organization/x/y":          "y",
		"/groups/x/members/y":        "y",
	} {
		if got := g.unknownSegment(path); got != want {
			t.Errorf("%s: %q, want %q", path, got, want)
		}
	}
}

func TestEscapingMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"plain", `q"b\s`, "tab\tnl\ncr\r", "\x00\x1f", "é漢字😀", "bad\xffutf8", "\u2028\u2029", "<&>"} {
		checkEscaped(t, s)
	}
}

func checkEscaped(t *testing.T, s string) {
	got := string(appendEscaped(nil, s))
	var back string
	if err := json.Unmarshal([]byte(`"`+got+`"`), &back); err != nil {
		t.Fatalf("%q escapes to invalid JSON %q: %v", s, got, err)
	}
	want, _ := json.Marshal(s) // encoding/json also maps invalid UTF-8 to U+FFFD
	var round string
	_ = json.Unmarshal(want, &round)
	if back != round {
		t.Errorf("%q: decodes to %q, encoding/json to %q", s, back, round)
	}
}

func FuzzAppendEscaped(f *testing.F) {
	f.Add("a\"b\\c\n\x01é\xff\u2028")
	f.Fuzz(checkEscaped)
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"$top=2&$skiptoken=abc", "$select=a,b&$expand=members", "%24top=%31", "$x=&&=&$top"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := parseQuery(raw, optList|optExpand)
		if err == nil {
			_ = q.only(optSelect)
		}
	})
}

func FuzzGroupBody(f *testing.F) {
	f.Add([]byte(`{"displayName":"x","members@odata.bind":["https://h/v1.0/users/0a1b2c3d-0000-4000-8000-000000000001"]}`))
	f.Add([]byte(`{"groupTypes":null,"visibility":null,"id":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		obj, err := httpx.ParseObject(b)
		if err != nil {
			return
		}
		_, _, _, _ = groupBody(obj)
		_, _ = userBody(obj)
	})
}

func TestErrorMapping(t *testing.T) {
	a := &api{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, tc := range []struct {
		err    error
		status int
		code   string
		msg    string
		header string
	}{
		{directory.ErrUnavailable, 503, "ServiceUnavailable", "The service is temporarily unavailable. Retry the request later.", "5"},
		{fmt.Errorf("wrapped: %w", &directory.ForbiddenError{Action: "x"}), 403, "Authorization_RequestDenied", entra.Denied, ""},
		{&directory.LimitError{What: "things", Limit: 7}, 400, "Request_BadRequest", "At most 7 things are allowed.", ""},
		{&directory.RuleError{Rule: "someNewRule"}, 400, "Request_BadRequest", "The change breaks a membership rule.", ""},
		{&directory.ValidationError{Property: "p", Reason: directory.ReasonInvalidValue, Detail: "the value is odd"}, 400,
			"Request_BadRequest", "Property p has an invalid value. The value is odd.", ""},
		{errors.New("disk on fire at /var/lib/x"), 500, "InternalServerError", "An internal error occurred. Quote request-id  when reporting it.", ""},
	} {
		w := httptest.NewRecorder()
		a.writeError(w, httptest.NewRequest("GET", "/groups", nil), tc.err, "Group")
		var body struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		if w.Code != tc.status || body.Error.Code != tc.code || body.Error.Message != tc.msg || w.Header().Get("Retry-After") != tc.header {
			t.Errorf("%v: %d %+v Retry-After %q", tc.err, w.Code, body.Error, w.Header().Get("Retry-After"))
		}
		if strings.Contains(w.Body.String(), "disk on fire") {
			t.Error("internal error text reached the client")
		}
	}
	if len(groupProps) < groupDefaults || groupProps[groupDefaults-1].name != "serviceProvisioningErrors" ||
		userProps[userDefaults-1].name != "id" {
		t.Error("default property sets are miscounted")
	}
}
