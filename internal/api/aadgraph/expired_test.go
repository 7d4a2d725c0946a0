package aadgraph_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestExpiredToken signs a real token's claims again, two hours in the
// past, with the server's own key: only its lifetime is wrong.
func TestExpiredToken(t *testing.T) {
	e := newEnv(t)
	tok := e.token(e.tenant, true, aadResource, "Group.Read.All")
	claims := jwt.MapClaims{}
	parsed, _, err := jwt.NewParser().ParseUnverified(tok, claims)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := e.dir.SigningKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var signer any
	for _, k := range keys {
		if k.ID == parsed.Header["kid"] {
			block, _ := pem.Decode([]byte(k.PEM))
			if signer, err = x509.ParsePKCS8PrivateKey(block.Bytes); err != nil {
				t.Fatal(err)
			}
		}
	}
	if signer == nil {
		t.Fatal("signing key not found")
	}
	past := time.Now().Add(-2 * time.Hour).Unix()
	claims["iat"], claims["nbf"], claims["exp"] = past, past, past+3600
	again := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	again.Header["kid"] = parsed.Header["kid"]
	expired, err := again.SignedString(signer)
	if err != nil {
		t.Fatal(err)
	}
	r := e.aad("GET", "/groups", nil, bearer(expired))
	r.wantError(t, http.StatusUnauthorized, "Authentication_ExpiredToken",
		"Your access token has expired. Please renew it before submitting the request.")
	r.wantChallenge(t)
	e.aad("GET", "/groups", nil, bearer(tok)).want(t, http.StatusOK)
}
