package azidentityexample

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"groupd-examples/azidentity/groupdtest"
)

// newCredential is NewCredential for the app of a test server.
func newCredential(t *testing.T, s *groupdtest.Server, tenant, clientID, secret string) *azidentity.ClientSecretCredential {
	t.Helper()
	transport, err := TrustingTransport(s.CertFile)
	if err != nil {
		t.Fatal(err)
	}
	cred, err := NewCredential(s.URL, transport, tenant, clientID, secret)
	if err != nil {
		t.Fatalf("NewClientSecretCredential: %v", err)
	}
	return cred
}

func TestClientSecretCredential(t *testing.T) {
	s := groupdtest.Start(t)
	app := s.CreateApp(t, "ci", "Group.ReadWrite.All", "User.Read.All")
	cred := newCredential(t, s, app.TenantID, app.AppID, app.ClientSecret)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{GraphScope}})
	if err != nil {
		t.Fatalf("GetToken: %v", err)
	}
	if left := time.Until(tok.ExpiresOn); left < 50*time.Minute || left > 70*time.Minute {
		t.Errorf("token expires in %v, want about 60 minutes", left)
	}

	t.Run("token is an RS256 JWT with the reference's claims", func(t *testing.T) {
		header, claims := decodeJWT(t, tok.Token)
		if header.Alg != "RS256" || header.Kid == "" {
			t.Errorf("JWT header alg=%q kid=%q, want RS256 and a kid", header.Alg, header.Kid)
		}
		if claims.Tid != app.TenantID {
			t.Errorf("tid = %q, want %q", claims.Tid, app.TenantID)
		}
		if want := s.URL + "/" + app.TenantID + "/v2.0"; claims.Iss != want {
			t.Errorf("iss = %q, want %q", claims.Iss, want)
		}
		if claims.Aud != "https://graph.microsoft.com" {
			t.Errorf("aud = %q, want https://graph.microsoft.com", claims.Aud)
		}
		if claims.AppID != app.AppID && claims.Azp != app.AppID {
			t.Errorf("appid = %q, azp = %q, want %q in one of them", claims.AppID, claims.Azp, app.AppID)
		}
		for _, r := range []string{"Group.ReadWrite.All", "User.Read.All"} {
			if !slices.Contains(claims.Roles, r) {
				t.Errorf("roles = %q, want %s in it", claims.Roles, r)
			}
		}
		if claims.Oid == "" || claims.Exp == 0 || claims.Iat == 0 || claims.Nbf == 0 {
			t.Errorf("oid/iat/nbf/exp missing in %+v", claims)
		}
	})

	t.Run("signature verifies with a key of the tenant's jwks_uri", func(t *testing.T) {
		verifyWithJWKS(t, s, app.TenantID, tok.Token)
	})

	client := s.HTTPClient()
	bearer := "Bearer " + tok.Token

	t.Run("GET /v1.0/groups", func(t *testing.T) {
		transport, err := TrustingTransport(s.CertFile)
		if err != nil {
			t.Fatal(err)
		}
		status, body, err := ListGroups(ctx, s.URL, transport, cred)
		if err != nil {
			t.Fatalf("ListGroups: %v", err)
		}
		if status != http.StatusOK {
			t.Fatalf("GET /v1.0/groups: %d %s", status, body)
		}
		var list struct {
			Value []json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(body, &list); err != nil || list.Value == nil {
			t.Fatalf("GET /v1.0/groups: body %s has no value array (%v)", body, err)
		}
	})

	t.Run("POST /v1.0/groups, then GET it", func(t *testing.T) {
		status, hdr, body := call(t, client, "POST", s.URL+"/v1.0/groups", bearer, map[string]any{
			"displayName":     "Created by azidentity",
			"mailNickname":    "created-by-azidentity",
			"mailEnabled":     false,
			"securityEnabled": true,
		})
		if status != http.StatusCreated {
			t.Fatalf("POST /v1.0/groups: %d %s", status, body)
		}
		var g struct {
			ID          string `json:"id"`
			DisplayName string `json:"displayName"`
		}
		if err := json.Unmarshal(body, &g); err != nil || g.ID == "" {
			t.Fatalf("POST /v1.0/groups: body %s has no id (%v)", body, err)
		}
		if want := s.URL + "/v1.0/groups/" + g.ID; hdr.Get("Location") != want {
			t.Errorf("Location = %q, want %q", hdr.Get("Location"), want)
		}
		status, _, body = call(t, client, "GET", s.URL+"/v1.0/groups/"+g.ID, bearer, nil)
		if status != http.StatusOK || !bytes.Contains(body, []byte(`"Created by azidentity"`)) {
			t.Fatalf("GET /v1.0/groups/%s: %d %s", g.ID, status, body)
		}
	})

	t.Run("no token or a forged one is 401 with WWW-Authenticate", func(t *testing.T) {
		forged := tok.Token[:strings.LastIndexByte(tok.Token, '.')+1] + base64.RawURLEncoding.EncodeToString([]byte("not a signature"))
		for name, auth := range map[string]string{"no token": "", "forged signature": "Bearer " + forged} {
			status, hdr, body := call(t, client, "GET", s.URL+"/v1.0/groups", auth, nil)
			if status != http.StatusUnauthorized || !strings.HasPrefix(hdr.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s: %d, WWW-Authenticate %q, body %s; want 401 with a Bearer challenge",
					name, status, hdr.Get("WWW-Authenticate"), body)
			}
			if !bytes.Contains(body, []byte("InvalidAuthenticationToken")) {
				t.Errorf("%s: body %s, want code InvalidAuthenticationToken", name, body)
			}
		}
	})

	t.Run("a read-only app may list but not create", func(t *testing.T) {
		ro := s.CreateApp(t, "reader", "Group.Read.All")
		roTok, err := newCredential(t, s, ro.TenantID, ro.AppID, ro.ClientSecret).
			GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{GraphScope}})
		if err != nil {
			t.Fatalf("GetToken: %v", err)
		}
		if status, _, body := call(t, client, "GET", s.URL+"/v1.0/groups", "Bearer "+roTok.Token, nil); status != http.StatusOK {
			t.Errorf("GET /v1.0/groups with Group.Read.All: %d %s", status, body)
		}
		status, _, body := call(t, client, "POST", s.URL+"/v1.0/groups", "Bearer "+roTok.Token, map[string]any{
			"displayName": "not allowed", "mailNickname": "not-allowed", "mailEnabled": false, "securityEnabled": true,
		})
		if status != http.StatusForbidden || !bytes.Contains(body, []byte("Authorization_RequestDenied")) {
			t.Errorf("POST /v1.0/groups with Group.Read.All: %d %s, want 403 Authorization_RequestDenied", status, body)
		}
	})

	t.Run("the tenant may be named by its verified domain", func(t *testing.T) {
		// The bootstrap tenant's domain is example.org unless --domain says
		// otherwise.
		domTok, err := newCredential(t, s, "example.org", app.AppID, app.ClientSecret).
			GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{GraphScope}})
		if err != nil {
			t.Fatalf("GetToken with tenant example.org: %v", err)
		}
		if _, claims := decodeJWT(t, domTok.Token); claims.Tid != app.TenantID {
			t.Errorf("tid = %q, want the tenant id %q", claims.Tid, app.TenantID)
		}
		if status, _, body := call(t, client, "GET", s.URL+"/v1.0/groups", "Bearer "+domTok.Token, nil); status != http.StatusOK {
			t.Errorf("GET /v1.0/groups: %d %s", status, body)
		}
	})

	t.Run("a wrong secret is refused", func(t *testing.T) {
		_, err := newCredential(t, s, app.TenantID, app.AppID, "wrong-secret").
			GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{GraphScope}})
		if err == nil || !strings.Contains(err.Error(), "invalid_client") {
			t.Errorf("GetToken with a wrong secret: %v, want an invalid_client error", err)
		}
	})
}

type jwtHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	Typ string `json:"typ"`
}

type jwtClaims struct {
	Iss   string   `json:"iss"`
	Aud   string   `json:"aud"`
	Tid   string   `json:"tid"`
	AppID string   `json:"appid"`
	Azp   string   `json:"azp"`
	Oid   string   `json:"oid"`
	Roles []string `json:"roles"`
	Iat   int64    `json:"iat"`
	Nbf   int64    `json:"nbf"`
	Exp   int64    `json:"exp"`
	Ver   string   `json:"ver"`
}

func decodeJWT(t *testing.T, token string) (jwtHeader, jwtClaims) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("access token has %d dot-separated parts, want a JWT's 3", len(parts))
	}
	var h jwtHeader
	var c jwtClaims
	for i, dst := range []any{&h, &c} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatalf("JWT part %d is not base64url: %v", i, err)
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			t.Fatalf("JWT part %d is not the JSON expected: %v\n%s", i, err, raw)
		}
	}
	return h, c
}

// verifyWithJWKS checks token's RS256 signature against the key with its kid
// published at the jwks_uri of the tenant's discovery document, the way a
// resource server would.
func verifyWithJWKS(t *testing.T, s *groupdtest.Server, tenant, token string) {
	t.Helper()
	client := s.HTTPClient()
	status, _, body := call(t, client, "GET", s.URL+"/"+tenant+"/v2.0/.well-known/openid-configuration", "", nil)
	if status != http.StatusOK {
		t.Fatalf("discovery: %d %s", status, body)
	}
	var disc struct {
		Issuer        string `json:"issuer"`
		TokenEndpoint string `json:"token_endpoint"`
		JWKSURI       string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &disc); err != nil {
		t.Fatalf("discovery body %s: %v", body, err)
	}
	if want := s.URL + "/" + tenant + "/v2.0"; disc.Issuer != want {
		t.Errorf("discovery issuer = %q, want %q", disc.Issuer, want)
	}
	if want := s.URL + "/" + tenant + "/oauth2/v2.0/token"; disc.TokenEndpoint != want {
		t.Errorf("discovery token_endpoint = %q, want %q", disc.TokenEndpoint, want)
	}
	status, _, body = call(t, client, "GET", disc.JWKSURI, "", nil)
	if status != http.StatusOK {
		t.Fatalf("GET jwks_uri %s: %d %s", disc.JWKSURI, status, body)
	}
	var jwks struct {
		Keys []struct {
			Kty string `json:"kty"`
			Kid string `json:"kid"`
			N   string `json:"n"`
			E   string `json:"e"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(body, &jwks); err != nil {
		t.Fatalf("JWKS body %s: %v", body, err)
	}
	header, _ := decodeJWT(t, token)
	for _, k := range jwks.Keys {
		if k.Kid != header.Kid {
			continue
		}
		if k.Kty != "RSA" {
			t.Fatalf("key %s has kty %q, want RSA", k.Kid, k.Kty)
		}
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil {
			t.Fatalf("key %s: n or e is not base64url", k.Kid)
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		i := strings.LastIndexByte(token, '.')
		sig, err := base64.RawURLEncoding.DecodeString(token[i+1:])
		if err != nil {
			t.Fatalf("signature is not base64url: %v", err)
		}
		sum := sha256.Sum256([]byte(token[:i]))
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
			t.Fatalf("signature does not verify with key %s: %v", k.Kid, err)
		}
		return
	}
	t.Fatalf("no key with kid %q at %s: %s", header.Kid, disc.JWKSURI, body)
}

// call sends one request with a JSON body (if any) and returns status,
// headers and body.
func call(t *testing.T, client *http.Client, method, url, auth string, body any) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, url, err)
	}
	return resp.StatusCode, resp.Header, b
}
