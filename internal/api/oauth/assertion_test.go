package oauth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// newCert makes a self-signed certificate like the ones operators register.
func newCert(t *testing.T) (*rsa.PrivateKey, []byte) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "client"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return key, der
}

func assertion(t *testing.T, method jwt.SigningMethod, key *rsa.PrivateKey, der []byte, s256 bool, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if s256 {
		sum := sha256.Sum256(der)
		tok.Header["x5t#S256"] = base64.RawURLEncoding.EncodeToString(sum[:])
	} else {
		sum := sha1.Sum(der)
		tok.Header["x5t"] = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestClientAssertion: a JWT signed with a registered certificate's key
// authenticates the client (RS256 with x5t as MSAL signs, PS256 with
// x5t#S256 as newer MSAL does); anything else is invalid_client.
func TestClientAssertion(t *testing.T) {
	e := newEnv(t)
	a := e.app(e.tenant.ID, "Group.Read.All")
	key, der := newCert(t)
	if _, err := e.dir.AddCertificate(context.Background(), e.tenant.ID, a.id,
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})); err != nil {
		t.Fatal(err)
	}
	strangerKey, strangerDER := newCert(t)
	endpoint := e.url + "/" + string(e.tenant.ID) + "/oauth2/v2.0/token"
	claims := func(change map[string]any) jwt.MapClaims {
		now := time.Now().Unix()
		c := jwt.MapClaims{"aud": endpoint, "iss": a.id, "sub": a.id, "jti": uuid.NewString(),
			"nbf": now, "iat": now, "exp": now + 600}
		for k, v := range change {
			c[k] = v
		}
		return c
	}
	try := func(path, raw string) *resp {
		return e.post(path, url.Values{"grant_type": {"client_credentials"}, "client_id": {a.id},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion":      {raw}, "scope": {"https://graph.microsoft.com/.default"}})
	}
	tid := "/" + string(e.tenant.ID) + "/oauth2/v2.0/token"
	good := map[string]string{
		"RS256 x5t":      assertion(t, jwt.SigningMethodRS256, key, der, false, claims(nil)),
		"PS256 x5t#S256": assertion(t, jwt.SigningMethodPS256, key, der, true, claims(nil)),
	}
	for name, raw := range good {
		r := try(tid, raw)
		if r.code != http.StatusOK {
			t.Errorf("%s: %d %s", name, r.code, r.body)
			continue
		}
		if c := e.call(http.MethodGet, "/v1.0/groups", r.json(t)["access_token"].(string), ""); c.code != 200 {
			t.Errorf("%s token on /v1.0/groups: %d", name, c.code)
		}
	}
	// The audience may name the tenant as the client wrote it.
	byDomain := assertion(t, jwt.SigningMethodRS256, key, der, false,
		claims(map[string]any{"aud": e.url + "/example.org/oauth2/v2.0/token"}))
	if r := try("/example.org/oauth2/v2.0/token", byDomain); r.code != http.StatusOK {
		t.Errorf("assertion for the domain endpoint: %d %s", r.code, r.body)
	}
	bad := map[string]string{
		"unregistered certificate":           assertion(t, jwt.SigningMethodRS256, strangerKey, strangerDER, false, claims(nil)),
		"thumbprint of ours, key of another": assertion(t, jwt.SigningMethodRS256, strangerKey, der, false, claims(nil)),
		"wrong audience":                     assertion(t, jwt.SigningMethodRS256, key, der, false, claims(map[string]any{"aud": "https://login.microsoftonline.com/x/oauth2/v2.0/token"})),
		"other issuer":                       assertion(t, jwt.SigningMethodRS256, key, der, false, claims(map[string]any{"iss": uuid.NewString()})),
		"expired":                            assertion(t, jwt.SigningMethodRS256, key, der, false, claims(map[string]any{"exp": time.Now().Unix() - 600})),
		"HS256": func() string {
			s, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims(nil)).SignedString(der)
			return s
		}(),
		"not a JWT": "abc",
	}
	for name, raw := range bad {
		// Five failures in a row would slow the client down; a success
		// in between clears the record.
		r := try(tid, raw)
		if ok := try(tid, good["RS256 x5t"]); ok.code != http.StatusOK {
			t.Errorf("good assertion after %s: %d", name, ok.code)
		}
		if b := r.json(t); r.code != http.StatusUnauthorized || b["error"] != "invalid_client" {
			t.Errorf("%s: %d %s", name, r.code, r.body)
		}
	}
}

// TestThrottleFailedLogins: after five failures for one client from one
// address, attempts wait (429 with Retry-After), even with the right
// secret; other clients are not affected; after the wait it works again.
func TestThrottleFailedLogins(t *testing.T) {
	e := newEnv(t)
	a := e.app(e.tenant.ID, "Group.Read.All")
	b := e.app(e.tenant.ID, "Group.Read.All")
	path := "/" + string(e.tenant.ID) + "/oauth2/v2.0/token"
	wrong := secretForm(a, "https://graph.microsoft.com/.default")
	wrong.Set("client_secret", "guess")
	for i := 0; i < 5; i++ {
		if r := e.post(path, wrong); r.code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d %s", i+1, r.code, r.body)
		}
	}
	r := e.post(path, secretForm(a, "https://graph.microsoft.com/.default"))
	if r.code != http.StatusTooManyRequests || r.h.Get("Retry-After") == "" {
		t.Fatalf("after 5 failures: %d %s (Retry-After %q)", r.code, r.body, r.h.Get("Retry-After"))
	}
	if r := e.post(path, secretForm(b, "https://graph.microsoft.com/.default")); r.code != http.StatusOK {
		t.Errorf("another client was slowed down: %d", r.code)
	}
	time.Sleep(1100 * time.Millisecond)
	if r := e.post(path, secretForm(a, "https://graph.microsoft.com/.default")); r.code != http.StatusOK {
		t.Errorf("after the wait: %d %s", r.code, r.body)
	}
}
