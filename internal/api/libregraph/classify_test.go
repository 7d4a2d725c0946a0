package libregraph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"groupd/internal/directory"
)

// TestWriteErrorUnexpected covers the answers no request against a healthy
// store can provoke: unexpected errors, an unavailable store and panics.
func TestWriteErrorUnexpected(t *testing.T) {
	var logs bytes.Buffer
	a := &api{log: slog.New(slog.NewTextHandler(&logs, nil))}
	cases := []struct {
		err        error
		status     int
		code, msg  string
		retryAfter string
	}{
		{errors.New("disk I/O error: /var/lib/secret.db"), 500, "generalException", "an internal error occurred", ""},
		{fmt.Errorf("read groups: %w", directory.ErrUnavailable), 503, "serviceNotAvailable",
			"the directory is temporarily unavailable, please retry later", "5"},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		a.writeError(rec, httptest.NewRequest("GET", "/groups", nil), c.err)
		var doc struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if rec.Code != c.status || doc.Error.Code != c.code || doc.Error.Message != c.msg {
			t.Errorf("%v: %d %s", c.err, rec.Code, rec.Body)
		}
		if got := rec.Header().Get("Retry-After"); got != c.retryAfter {
			t.Errorf("%v: Retry-After %q", c.err, got)
		}
		if strings.Contains(rec.Body.String(), "secret") {
			t.Errorf("internal text leaked: %s", rec.Body)
		}
	}
	if !strings.Contains(logs.String(), "secret.db") {
		t.Errorf("internal error not logged: %s", logs.String())
	}

	rec := httptest.NewRecorder()
	a.recoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })).
		ServeHTTP(rec, httptest.NewRequest("GET", "/groups", nil))
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), `"code":"generalException"`) || strings.Contains(rec.Body.String(), "boom") {
		t.Errorf("panic answer: %d %s", rec.Code, rec.Body)
	}
}
