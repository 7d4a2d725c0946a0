package webhook

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"groupd/internal/directory"
)

// TestValidator runs the handshake against real local receivers.
func TestValidator(t *testing.T) {
	var gotQuery, gotType, gotMethod string
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotQuery, gotType, gotMethod = r.URL.RawQuery, r.Header.Get("Content-Type"), r.Method
		_, _ = io.WriteString(w, r.URL.Query().Get("validationToken"))
	}))
	defer echo.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	}))
	defer slow.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, echo.URL+"?"+r.URL.RawQuery, http.StatusTemporaryRedirect)
	}))
	defer redirect.Close()

	v := &Validator{Timeout: 200 * time.Millisecond, Policy: Policy{AllowPrivate: true}}
	ctx := context.Background()
	if err := v.Validate(ctx, echo.URL+"/hook?a=1"); err != nil {
		t.Fatalf("echoing receiver: %v", err)
	}
	if gotMethod != "POST" || gotType != "text/plain; charset=utf-8" || len(gotQuery) < len("a=1&validationToken=groupd-") {
		t.Errorf("handshake request: %s %q %q", gotMethod, gotType, gotQuery)
	}
	for _, tc := range []struct {
		url  string
		want directory.SubscriptionProblem
	}{
		{slow.URL, directory.SubValidationSlow},
		{redirect.URL, directory.SubValidationFail}, // a redirect is not an answer
		{"http://127.0.0.1:1/", directory.SubValidationFail},
	} {
		start := time.Now()
		err := v.Validate(ctx, tc.url)
		var se *directory.SubscriptionError
		if !errors.As(err, &se) || se.Problem != tc.want || !errors.Is(err, directory.ErrInvalid) {
			t.Errorf("%s: %v, want %s", tc.url, err, tc.want)
		}
		if time.Since(start) > time.Second {
			t.Errorf("%s: took %v despite the 200 ms timeout", tc.url, time.Since(start))
		}
	}
}

func TestBackoff(t *testing.T) {
	c := Config{BackoffBase: time.Second, BackoffMax: 10 * time.Second}.withDefaults()
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 8 * time.Second, 5: 10 * time.Second, 30: 10 * time.Second} {
		if got := c.Backoff(n); got != want {
			t.Errorf("Backoff(%d) = %v, want %v", n, got, want)
		}
	}
}
