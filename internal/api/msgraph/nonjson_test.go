package msgraph_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestNonJSONBody: a write whose Content-Type is not JSON is 415, whatever
// the type (a form, text/plain, octet-stream, an unparsable one); JSON by
// any suffix and no Content-Type at all are read as JSON.
func TestNonJSONBody(t *testing.T) {
	e := newEnv(t)
	gid := e.secGroup("TypedBody")
	for _, ct := range []string{"text/plain", "text/plain; charset=utf-8", "application/octet-stream", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"} {
		mt, _, _ := strings.Cut(ct, ";")
		e.do("POST", "/groups", `{"displayName":"x"}`, header("Content-Type", ct)).wantError(t, http.StatusUnsupportedMediaType,
			"UnsupportedMediaType", "Content-Type '"+mt+"' is not supported; send application/json.")
		e.do("PATCH", "/groups/"+gid, `{"description":"x"}`, header("Content-Type", ct)).wantError(t, http.StatusUnsupportedMediaType,
			"UnsupportedMediaType", "Content-Type '"+mt+"' is not supported; send application/json.")
	}
	e.do("PATCH", "/groups/"+gid, `{"description":"x"}`, header("Content-Type", "nonsense;;")).wantError(t, http.StatusUnsupportedMediaType,
		"UnsupportedMediaType", "Content-Type 'nonsense;;' is not supported; send application/json.")
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "application/merge-patch+json", ""} {
		e.do("PATCH", "/groups/"+gid, `{"description":"json"}`, header("Content-Type", ct)).want(t, http.StatusNoContent)
	}
	// A body-less write keeps working whatever it is labelled.
	uid := e.user("plain")
	e.do("POST", "/groups/"+gid+"/members/$ref", map[string]any{"@odata.id": e.base + "/users/" + uid}).want(t, http.StatusNoContent)
	e.do("DELETE", "/groups/"+gid+"/members/"+uid+"/$ref", nil, header("Content-Type", "text/plain")).want(t, http.StatusNoContent)
}
