package aadgraph

import (
	"fmt"
	"net/http"
	"testing"

	"groupd/internal/auth"
	"groupd/internal/directory"
)

func TestMapError(t *testing.T) {
	for _, c := range []struct {
		err    error
		status int
		code   string
		msg    string
		retry  string
	}{
		{fmt.Errorf("read: %w", directory.ErrUnavailable), http.StatusServiceUnavailable, "Request_ThrottledTemporarily",
			"The request has been throttled temporarily. Please try again later.", "5"},
		{auth.ErrExpiredToken, http.StatusUnauthorized, "Authentication_ExpiredToken",
			"Your access token has expired. Please renew it before submitting the request.", ""},
		{auth.ErrNoCredentials, http.StatusUnauthorized, "Authentication_MissingOrMalformed", "Access Token missing or malformed.", ""},
		{&directory.ResultSizeLimitError{Limit: MaxMemberGroups}, http.StatusBadRequest, "Directory_ResultSizeLimitExceeded",
			"The request cannot be fulfilled because the result size limit of 2046 has been exceeded.", ""},
		{&directory.ForbiddenError{Action: "x"}, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.", ""},
		{&directory.ConflictError{Property: "mailNickname", Value: "x"}, http.StatusBadRequest, "Request_BadRequest",
			"Another object with the same value for property mailNickname already exists.", ""},
		{&directory.RuleError{Rule: directory.RuleCycle}, http.StatusBadRequest, "Request_BadRequest",
			"Adding this member would create a membership cycle.", ""},
	} {
		e, ok := mapError(c.err)
		if !ok || e.status != c.status || e.code != c.code || e.msg != c.msg || e.header[1] != c.retry {
			t.Errorf("%v: %+v %v", c.err, e, ok)
		}
	}
	if _, ok := mapError(fmt.Errorf("disk on fire")); ok {
		t.Error("an internal error was mapped")
	}
}

func TestTenantShaped(t *testing.T) {
	for seg, want := range map[string]bool{
		"myorganization": true, "MyOrganization": true, "0b9f5a7e-2b7a-4d3a-9d55-2b1d4d1f0c11": true,
		"example.org": true, "contoso.onmicrosoft.com": true, "a-b.example": true,
		"": false, "nope": false, "v1.0": false, "v1.0x": false, "healthz": false, "graph": false,
		"api": false, "discovery": false, "x..org": false, "example.o1": false,
	} {
		if got := TenantShaped(seg); got != want {
			t.Errorf("TenantShaped(%q) = %v", seg, got)
		}
	}
}
