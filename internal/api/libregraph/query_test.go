package libregraph_test

import (
	"net/http"
	"net/url"
	"testing"
)

// TestListQueries: the options oCIS accepts on /groups and /users work,
// the others are refused in oCIS's error shape.
func TestListQueries(t *testing.T) {
	e := newEnv(t)
	alpha := e.created(e.do("POST", "/groups", `{"displayName":"Alpha Team"}`), "groups")
	beta := e.created(e.do("POST", "/groups", `{"displayName":"beta"}`), "groups")

	e.wantList(e.do("GET", "/groups?$search="+url.QueryEscape(`"tea"`), ""), groupJSON("Alpha Team", alpha))
	e.wantList(e.do("GET", "/groups?$search=BET", ""), groupJSON("beta", beta))
	e.want(e.do("GET", "/groups?$orderby="+url.QueryEscape("displayName desc"), ""), http.StatusOK,
		`{"value":[`+groupJSON("beta", beta)+`,`+groupJSON("Alpha Team", alpha)+`]}`)
	e.want(e.do("GET", "/groups?$orderby=displayName", ""), http.StatusOK,
		`{"value":[`+groupJSON("Alpha Team", alpha)+`,`+groupJSON("beta", beta)+`]}`)

	e.wantError(e.do("GET", "/groups?$filter="+url.QueryEscape("displayName eq 'x'"), ""), http.StatusBadRequest,
		"invalidRequest", "query option $filter is not supported")
	e.wantError(e.do("GET", "/groups?$orderby=id", ""), http.StatusBadRequest, "invalidRequest", "unsupported $orderby: id")
	e.wantError(e.do("GET", "/users?$search=%22%22", ""), http.StatusBadRequest, "invalidRequest", "the search term must contain a word")
	// ";" separates nothing: the option is read, and refused, whole.
	e.wantError(e.do("GET", "/groups?$filter=id;x", ""), http.StatusBadRequest, "invalidRequest", "query option $filter is not supported")
	e.wantError(e.do("GET", "/groups?$search=%zz", ""), http.StatusBadRequest, "invalidRequest",
		`the query string is not valid: invalid URL escape "%zz"`)
}
