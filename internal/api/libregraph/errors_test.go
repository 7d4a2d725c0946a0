package libregraph_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

const unknownID = "0b6a4c35-55a3-4a0e-9f2c-2c3c5e0d8a11"

type errCase struct {
	name                string
	method, path, body  string
	opts                []reqOpt
	status              int
	code, msg           string
	headerKey, headerIs string
}

// TestErrors sends every refused request against a populated directory and
// checks the LibreGraph error body, and that nothing changed afterwards
// (same visible state, no new change log rows).
func TestErrors(t *testing.T) {
	e := newEnv(t)
	w := createSeedObjects(e)
	e.want(e.do("POST", "/groups/"+w.group+"/members/$ref",
		`{"@odata.id":"`+seedBase+`/users/`+w.user1+`"}`), http.StatusNoContent, "")
	e.want(e.do("POST", "/groups/"+w.exampleUsers+"/members/$ref",
		`{"@odata.id":"`+seedBase+`/users/`+w.user3+`"}`), http.StatusNoContent, "")
	e.created(e.do("POST", "/users", `{"displayName":"Reader","onPremisesSamAccountName":"reader",`+
		`"passwordProfile":{"password":"Reader-Pass1"}}`), "users")

	ref := func(coll, id string) string { return `{"@odata.id":"` + seedBase + "/" + coll + "/" + id + `"}` }
	bind := func(ids ...string) string {
		urls := make([]string, len(ids))
		for i, id := range ids {
			urls[i] = `"` + seedBase + "/users/" + id + `"`
		}
		return `{"members@odata.bind":[` + strings.Join(urls, ",") + `]}`
	}
	many := make([]string, 21)
	for i := range many {
		many[i] = w.user2
	}
	reader := as("reader", "Reader-Pass1")
	g, eu := "/groups/"+w.group, "/groups/"+w.exampleUsers
	const (
		notFound = "not found"
		dupRef   = "One or more added object references already exist for the following modified properties: 'members'."
		basic    = `Basic realm="groupd"`
	)
	cases := []errCase{
		// Unknown or malformed ids: 404 itemNotFound.
		{name: "get unknown group", method: "GET", path: "/groups/" + unknownID, status: 404, code: "itemNotFound", msg: notFound},
		{name: "get non-guid group", method: "GET", path: "/groups/not-a-guid", status: 404, code: "itemNotFound", msg: notFound},
		{name: "expand unknown group", method: "GET", path: "/groups/" + unknownID + "?$expand=members", status: 404, code: "itemNotFound", msg: notFound},
		{name: "members of unknown group", method: "GET", path: "/groups/" + unknownID + "/members", status: 404, code: "itemNotFound", msg: notFound},
		{name: "patch unknown group", method: "PATCH", path: "/groups/" + unknownID, body: `{"displayName":"x"}`, status: 404, code: "itemNotFound", msg: notFound},
		{name: "empty patch unknown group", method: "PATCH", path: "/groups/" + unknownID, body: `{}`, status: 404, code: "itemNotFound", msg: notFound},
		{name: "delete unknown group", method: "DELETE", path: "/groups/" + unknownID, status: 404, code: "itemNotFound", msg: notFound},
		{name: "ref into unknown group", method: "POST", path: "/groups/" + unknownID + "/members/$ref", body: ref("users", w.user2), status: 404, code: "itemNotFound", msg: notFound},
		{name: "ref unknown user", method: "POST", path: g + "/members/$ref", body: ref("users", unknownID), status: 404, code: "itemNotFound", msg: notFound},
		{name: "ref non-guid user", method: "POST", path: g + "/members/$ref", body: ref("users", "einstein"), status: 404, code: "itemNotFound", msg: notFound},
		{name: "ref group id as user", method: "POST", path: g + "/members/$ref", body: ref("users", w.exampleUsers), status: 404, code: "itemNotFound", msg: notFound},
		{name: "bind with one unknown", method: "PATCH", path: g, body: bind(w.user2, unknownID), status: 404, code: "itemNotFound", msg: notFound},
		{name: "rename with unknown bind", method: "PATCH", path: g, body: `{"displayName":"Renamed","members@odata.bind":["` + seedBase + `/users/` + unknownID + `"]}`, status: 404, code: "itemNotFound", msg: notFound},
		{name: "remove non-member", method: "DELETE", path: g + "/members/" + w.user2 + "/$ref", status: 404, code: "itemNotFound", msg: notFound},
		{name: "remove unknown member", method: "DELETE", path: g + "/members/" + unknownID + "/$ref", status: 404, code: "itemNotFound", msg: notFound},
		{name: "remove from unknown group", method: "DELETE", path: "/groups/" + unknownID + "/members/" + w.user1 + "/$ref", status: 404, code: "itemNotFound", msg: notFound},
		{name: "get unknown user", method: "GET", path: "/users/" + unknownID, status: 404, code: "itemNotFound", msg: notFound},
		{name: "get unknown login", method: "GET", path: "/users/nosuch", status: 404, code: "itemNotFound", msg: notFound},
		{name: "get unknown upn", method: "GET", path: "/users/nosuch@example.org", status: 404, code: "itemNotFound", msg: notFound},
		{name: "patch unknown user", method: "PATCH", path: "/users/" + unknownID, body: `{"displayName":"x"}`, status: 404, code: "itemNotFound", msg: notFound},
		{name: "delete unknown user", method: "DELETE", path: "/users/" + unknownID, status: 404, code: "itemNotFound", msg: notFound},

		// Names taken: 409 nameAlreadyExists, case-insensitively, also on rename.
		{name: "duplicate group", method: "POST", path: "/groups", body: `{"displayName":"group"}`, status: 409, code: "nameAlreadyExists", msg: "group already exists"},
		{name: "duplicate group other case", method: "POST", path: "/groups", body: `{"displayName":"GROUP"}`, status: 409, code: "nameAlreadyExists", msg: "group already exists"},
		{name: "rename onto taken name", method: "PATCH", path: eu, body: `{"displayName":"Group"}`, status: 409, code: "nameAlreadyExists", msg: "Group name already in use"},
		{name: "duplicate user", method: "POST", path: "/users", body: `{"displayName":"x","onPremisesSamAccountName":"user1"}`, status: 409, code: "nameAlreadyExists", msg: "a user with that name already exists"},
		{name: "duplicate user other case", method: "POST", path: "/users", body: `{"displayName":"x","onPremisesSamAccountName":"USER1"}`, status: 409, code: "nameAlreadyExists", msg: "a user with that name already exists"},
		{name: "rename user onto taken name", method: "PATCH", path: "/users/user2", body: `{"onPremisesSamAccountName":"user1"}`, status: 409, code: "nameAlreadyExists", msg: "a user with that name already exists"},

		// Duplicate members: 400 (groupd decision; oCIS skips silently).
		{name: "ref existing member", method: "POST", path: g + "/members/$ref", body: ref("users", w.user1), status: 400, code: "invalidRequest", msg: dupRef},
		{name: "bind existing member", method: "PATCH", path: g, body: bind(w.user2, w.user1), status: 400, code: "invalidRequest", msg: dupRef},
		{name: "bind same user twice", method: "PATCH", path: g, body: bind(w.user2, w.user2), status: 400, code: "invalidRequest", msg: dupRef},

		// Only users are members; oCIS's messages for $ref and for bind.
		{name: "ref a group", method: "POST", path: g + "/members/$ref", body: ref("groups", w.exampleUsers), status: 400, code: "invalidRequest", msg: "Only users are allowed as group members"},
		{name: "ref a directoryObject", method: "POST", path: g + "/members/$ref", body: ref("directoryObjects", w.user2), status: 400, code: "invalidRequest", msg: "Only users are allowed as group members"},
		{name: "bind a group", method: "PATCH", path: g, body: `{"members@odata.bind":["` + seedBase + `/groups/` + w.exampleUsers + `"]}`, status: 400, code: "invalidRequest", msg: "Only user are allowed as group members"},
		{name: "ref not a url", method: "POST", path: g + "/members/$ref", body: `{"@odata.id":"nothing"}`, status: 400, code: "invalidRequest", msg: "Error parsing @odata.id url"},
		{name: "ref missing", method: "POST", path: g + "/members/$ref", body: `{}`, status: 400, code: "invalidRequest", msg: "@odata.id reference is missing"},
		{name: "bind not a list", method: "PATCH", path: g, body: `{"members@odata.bind":"` + seedBase + `/users/` + w.user2 + `"}`, status: 400, code: "invalidRequest", msg: "Error parsing member@odata.bind values"},
		{name: "bind over 20", method: "PATCH", path: g, body: bind(many...), status: 400, code: "invalidRequest", msg: "Request is limited to 20 members"},

		// Unknown keys and ids in bodies.
		{name: "group unknown key", method: "POST", path: "/groups", body: `{"displayName":"x","description":"d"}`, status: 400, code: "invalidRequest", msg: `invalid request body: json: unknown field "description"`},
		{name: "group id in body", method: "POST", path: "/groups", body: `{"id":"` + unknownID + `","displayName":"x"}`, status: 400, code: "invalidRequest", msg: "group id is a read-only attribute"},
		{name: "group patch unknown key", method: "PATCH", path: g, body: `{"foo":1}`, status: 400, code: "invalidRequest", msg: `invalid request body: json: unknown field "foo"`},
		{name: "user id in body", method: "POST", path: "/users", body: `{"id":"` + unknownID + `","displayName":"x","onPremisesSamAccountName":"x"}`, status: 400, code: "invalidRequest", msg: "user id is a read-only attribute"},
		{name: "user unknown key", method: "POST", path: "/users", body: `{"displayName":"x","onPremisesSamAccountName":"x","givenName":"X"}`, status: 400, code: "invalidRequest", msg: `invalid request body: json: unknown field "givenName"`},
		{name: "password unknown key", method: "POST", path: "/users", body: `{"displayName":"x","onPremisesSamAccountName":"x","passwordProfile":{"password":"Passw0rd!","x":true}}`, status: 400, code: "invalidRequest", msg: `invalid request body: json: unknown field "x"`},
		{name: "ref unknown key", method: "POST", path: g + "/members/$ref", body: `{"@odata.id":"` + seedBase + `/users/` + w.user2 + `","x":1}`, status: 400, code: "invalidRequest", msg: `invalid request body: json: unknown field "x"`},

		// Validation: the message names the property and what is wrong.
		{name: "group without name", method: "POST", path: "/groups", body: `{}`, status: 400, code: "invalidRequest", msg: "missing required Attribute: 'displayName'"},
		{name: "group blank name", method: "POST", path: "/groups", body: `{"displayName":"  "}`, status: 400, code: "invalidRequest", msg: "missing required Attribute: 'displayName'"},
		{name: "group name not a string", method: "POST", path: "/groups", body: `{"displayName":5}`, status: 400, code: "invalidRequest", msg: "Invalid displayName: must be a string"},
		{name: "group name too long", method: "POST", path: "/groups", body: `{"displayName":"` + strings.Repeat("x", 257) + `"}`, status: 400, code: "invalidRequest", msg: "Invalid displayName: longer than 256 characters"},
		{name: "rename to blank", method: "PATCH", path: g, body: `{"displayName":""}`, status: 400, code: "invalidRequest", msg: "missing required Attribute: 'displayName'"},
		{name: "user without account name", method: "POST", path: "/users", body: `{"displayName":"x"}`, status: 400, code: "invalidRequest", msg: "missing required Attribute: 'onPremisesSamAccountName'"},
		{name: "user without display name", method: "POST", path: "/users", body: `{"onPremisesSamAccountName":"x"}`, status: 400, code: "invalidRequest", msg: "missing required Attribute: 'displayName'"},
		{name: "user bad account name", method: "POST", path: "/users", body: `{"displayName":"x","onPremisesSamAccountName":"1x"}`, status: 400, code: "invalidRequest", msg: "Invalid onPremisesSamAccountName: contains characters that are not allowed: must start with a letter or _ and contain only letters, digits, _ . -"},
		{name: "user bad mail", method: "POST", path: "/users", body: `{"displayName":"x","onPremisesSamAccountName":"x","mail":"nope"}`, status: 400, code: "invalidRequest", msg: "Invalid mail: not a valid email address"},
		{name: "user weak password", method: "POST", path: "/users", body: `{"displayName":"x","onPremisesSamAccountName":"x","passwordProfile":{"password":"abc"}}`, status: 400, code: "invalidRequest", msg: "Invalid passwordProfile: the password must be 8 to 72 characters long and contain three of lower case letters, upper case letters, digits and symbols"},

		// Body problems found by httpx.
		{name: "malformed json", method: "POST", path: "/groups", body: `{"displayName":`, status: 400, code: "invalidRequest", msg: "invalid request body: The request body is not valid JSON*"},
		{name: "not an object", method: "POST", path: "/groups", body: `["group"]`, status: 400, code: "invalidRequest", msg: "invalid request body: The request body must be a JSON object."},
		{name: "empty body", method: "POST", path: "/groups", body: ` `, status: 400, code: "invalidRequest", msg: "invalid request body: The request body is empty; a JSON object is required."},
		{name: "form body", method: "POST", path: "/groups", body: `displayName=x`, opts: []reqOpt{header("Content-Type", "application/x-www-form-urlencoded")}, status: 415, code: "notSupported", msg: "Content-Type 'application/x-www-form-urlencoded' is not supported; send application/json."},
		{name: "multipart body", method: "POST", path: "/users", body: `--b--`, opts: []reqOpt{header("Content-Type", "multipart/form-data; boundary=b")}, status: 415, code: "notSupported", msg: "Content-Type 'multipart/form-data' is not supported; send application/json."},
		{name: "body too large", method: "POST", path: "/groups", body: `{"displayName":"` + strings.Repeat("x", 4<<20) + `"}`, status: 413, code: "invalidRequest", msg: "The request body is larger than the 4 MiB limit."},

		// Authentication and permissions.
		{name: "no credentials", method: "GET", path: "/groups", opts: []reqOpt{anonymous()}, status: 401, code: "unauthenticated", msg: "missing or invalid credentials", headerKey: "WWW-Authenticate", headerIs: basic},
		{name: "wrong password", method: "GET", path: "/groups", opts: []reqOpt{as("admin", "wrong")}, status: 401, code: "unauthenticated", msg: "missing or invalid credentials", headerKey: "WWW-Authenticate", headerIs: basic},
		{name: "unknown login", method: "POST", path: "/groups", body: `{"displayName":"x"}`, opts: []reqOpt{as("nobody", "Passw0rd!")}, status: 401, code: "unauthenticated", msg: "missing or invalid credentials", headerKey: "WWW-Authenticate", headerIs: basic},
		{name: "reader creates group", method: "POST", path: "/groups", body: `{"displayName":"x"}`, opts: []reqOpt{reader}, status: 403, code: "accessDenied", msg: "the caller is not allowed to perform this action"},
		{name: "reader renames group", method: "PATCH", path: g, body: `{"displayName":"x"}`, opts: []reqOpt{reader}, status: 403, code: "accessDenied", msg: "the caller is not allowed to perform this action"},
		{name: "reader deletes group", method: "DELETE", path: g, opts: []reqOpt{reader}, status: 403, code: "accessDenied", msg: "the caller is not allowed to perform this action"},
		{name: "reader adds member", method: "POST", path: g + "/members/$ref", body: ref("users", w.user2), opts: []reqOpt{reader}, status: 403, code: "accessDenied", msg: "the caller is not allowed to perform this action"},
		{name: "reader removes member", method: "DELETE", path: g + "/members/" + w.user1 + "/$ref", opts: []reqOpt{reader}, status: 403, code: "accessDenied", msg: "the caller is not allowed to perform this action"},
		{name: "reader creates user", method: "POST", path: "/users", body: `{"displayName":"x","onPremisesSamAccountName":"x"}`, opts: []reqOpt{reader}, status: 403, code: "accessDenied", msg: "the caller is not allowed to perform this action"},
		{name: "reader deletes user", method: "DELETE", path: "/users/" + w.user1, opts: []reqOpt{reader}, status: 403, code: "accessDenied", msg: "the caller is not allowed to perform this action"},
		{name: "self deletion", method: "DELETE", path: "/users/admin", status: 403, code: "notAllowed", msg: "self deletion forbidden"},

		// Routes: LibreGraph 404 and 405 with Allow.
		{name: "unknown route", method: "GET", path: "/nothing", status: 404, code: "itemNotFound", msg: notFound},
		{name: "unknown sub-resource", method: "GET", path: g + "/owners", status: 404, code: "itemNotFound", msg: notFound},
		{name: "mount root", method: "GET", path: "", status: 404, code: "itemNotFound", msg: notFound},
		{name: "put groups", method: "PUT", path: "/groups", body: `{}`, status: 405, code: "notAllowed", msg: "method PUT is not allowed on this resource", headerKey: "Allow", headerIs: "GET, POST"},
		{name: "delete groups", method: "DELETE", path: "/groups", status: 405, code: "notAllowed", msg: "method DELETE is not allowed on this resource", headerKey: "Allow", headerIs: "GET, POST"},
		{name: "post one group", method: "POST", path: g, body: `{}`, status: 405, code: "notAllowed", msg: "method POST is not allowed on this resource", headerKey: "Allow", headerIs: "GET, PATCH, DELETE"},
		{name: "get ref", method: "GET", path: g + "/members/$ref", status: 405, code: "notAllowed", msg: "method GET is not allowed on this resource", headerKey: "Allow", headerIs: "POST"},
		{name: "put user", method: "PUT", path: "/users/" + w.user1, body: `{}`, status: 405, code: "notAllowed", msg: "method PUT is not allowed on this resource", headerKey: "Allow", headerIs: "GET, PATCH, DELETE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.t = t
			before := e.state()
			r := e.do(c.method, c.path, c.body, c.opts...)
			e.wantError(r, c.status, c.code, c.msg)
			if c.headerKey != "" {
				if got := r.header.Get(c.headerKey); got != c.headerIs {
					t.Fatalf("%s: %q, want %q", c.headerKey, got, c.headerIs)
				}
			}
			if loc := r.header.Get("Location"); loc != "" {
				t.Fatalf("error answer redirects to %q", loc)
			}
			e.unchanged(before)
		})
	}
}

func TestReaderReads(t *testing.T) {
	e := newEnv(t)
	w := createSeedObjects(e)
	id := e.created(e.do("POST", "/users", `{"displayName":"Reader","onPremisesSamAccountName":"reader",`+
		`"mail":"reader@example.org","passwordProfile":{"password":"Reader-Pass1"}}`), "users")
	reader := as("reader", "Reader-Pass1")
	e.wantList(e.do("GET", "/groups", "", reader), groupJSON("group", w.group), groupJSON("Example Users", w.exampleUsers))
	e.want(e.do("GET", "/groups/"+w.group+"?$expand=members", "", reader), http.StatusOK,
		fmt.Sprintf(`{"displayName":"group","id":%q,"members":[]}`, w.group))
	e.wantArray(e.do("GET", "/groups/"+w.group+"/members", "", reader))
	e.want(e.do("GET", "/users/reader@example.org", "", reader), http.StatusOK,
		userJSON("Reader", id, "reader@example.org", "reader"))
	if r := e.do("GET", "/users", "", reader); r.status != http.StatusOK {
		t.Fatalf("reader lists users: %d %s", r.status, r.body)
	}
}
