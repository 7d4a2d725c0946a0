package oauth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// signingKey returns the server's active signing key and its kid.
func (e *env) signingKey(t *testing.T) (*rsa.PrivateKey, string) {
	t.Helper()
	keys, err := e.dir.SigningKeys(context.Background())
	if err != nil || len(keys) == 0 {
		t.Fatalf("signing keys: %v", err)
	}
	block, _ := pem.Decode([]byte(keys[0].PEM))
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(*rsa.PrivateKey), keys[0].ID
}

func sign(t *testing.T, method jwt.SigningMethod, key any, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestTokenRejections forges tokens that differ from a valid one in one
// respect each; every one must get 401 with the Graph challenge.
func TestTokenRejections(t *testing.T) {
	e := newEnv(t)
	a := e.app(e.tenant.ID, "Group.Read.All")
	good := claimsOf(t, e.token(a))
	key, kid := e.signingKey(t)
	with := func(changes map[string]any) jwt.MapClaims {
		c := jwt.MapClaims{}
		for k, v := range good {
			c[k] = v
		}
		for k, v := range changes {
			c[k] = v
		}
		return c
	}
	now := time.Now().Unix()
	pubDER, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	otherKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	b64 := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	otherTenantApp := e.app(e.other.ID, "Group.Read.All")

	// A forged copy of the good token signed properly is accepted: the
	// cases below fail for their one difference only.
	if r := e.call(http.MethodGet, "/v1.0/groups", sign(t, jwt.SigningMethodRS256, key, kid, with(nil)), ""); r.code != 200 {
		t.Fatalf("control token refused: %d %s", r.code, r.body)
	}
	if r := e.call(http.MethodGet, "/v1.0/groups", sign(t, jwt.SigningMethodRS256, key, kid,
		with(map[string]any{"exp": now - 30})), ""); r.code != 200 {
		t.Errorf("token expired within the clock skew refused: %d", r.code)
	}
	cases := map[string]string{
		"alg none":           b64(map[string]string{"alg": "none", "typ": "JWT", "kid": kid}) + "." + b64(good) + ".",
		"HS256 with public":  sign(t, jwt.SigningMethodHS256, pubPEM, kid, with(nil)),
		"unknown kid":        sign(t, jwt.SigningMethodRS256, otherKey, "not-a-key", with(nil)),
		"kid of another key": sign(t, jwt.SigningMethodRS256, otherKey, kid, with(nil)),
		"wrong issuer origin": sign(t, jwt.SigningMethodRS256, key, kid,
			with(map[string]any{"iss": "https://login.example/" + string(e.tenant.ID) + "/v2.0"})),
		"issuer of other tenant": sign(t, jwt.SigningMethodRS256, key, kid,
			with(map[string]any{"iss": e.url + "/" + string(e.other.ID) + "/v2.0"})),
		"wrong audience": sign(t, jwt.SigningMethodRS256, key, kid, with(map[string]any{"aud": "api://something"})),
		"expired":        sign(t, jwt.SigningMethodRS256, key, kid, with(map[string]any{"exp": now - 300, "iat": now - 4000, "nbf": now - 4000})),
		"not yet valid":  sign(t, jwt.SigningMethodRS256, key, kid, with(map[string]any{"nbf": now + 600, "iat": now + 600})),
		"app of another tenant": sign(t, jwt.SigningMethodRS256, key, kid,
			with(map[string]any{"tid": string(e.other.ID), "iss": e.url + "/" + string(e.other.ID) + "/v2.0"})),
		"other tenant's app in this tenant": sign(t, jwt.SigningMethodRS256, key, kid,
			with(map[string]any{"appid": otherTenantApp.id, "azp": otherTenantApp.id})),
		"garbage": "abc.def.ghi",
	}
	for name, tok := range cases {
		for _, p := range []string{"/v1.0/groups", "/graph/v1.0/groups"} {
			r := e.call(http.MethodGet, p, tok, "")
			if r.code != http.StatusUnauthorized {
				t.Errorf("%s on %s: %d %s", name, p, r.code, r.body)
			}
		}
	}
	r := e.call(http.MethodGet, "/v1.0/groups", cases["expired"], "")
	if ch := r.h.Get("WWW-Authenticate"); !strings.HasPrefix(ch, `Bearer realm="", authorization_uri="`) || !strings.Contains(ch, `error="invalid_token"`) {
		t.Errorf("challenge on /v1.0: %q", ch)
	}
	if !strings.Contains(string(r.body), "InvalidAuthenticationToken") || !strings.Contains(string(r.body), "expired") {
		t.Errorf("expired body: %s", r.body)
	}
	if ch := e.call(http.MethodGet, "/graph/v1.0/groups", "bad", "").h.Get("WWW-Authenticate"); ch != `Basic realm="groupd"` {
		t.Errorf("challenge on /graph/v1.0: %q", ch)
	}
}

// TestTokenOfChangedApp: disabling or deleting an app stops its tokens at
// once (the write goes through the same directory service).
func TestTokenOfChangedApp(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.app(e.tenant.ID, "Group.Read.All")
	tok := e.token(a)
	if r := e.call(http.MethodGet, "/v1.0/groups", tok, ""); r.code != 200 {
		t.Fatalf("fresh token: %d", r.code)
	}
	if _, err := e.dir.SetEnabled(ctx, e.tenant.ID, a.id, false); err != nil {
		t.Fatal(err)
	}
	if r := e.call(http.MethodGet, "/v1.0/groups", tok, ""); r.code != http.StatusUnauthorized {
		t.Errorf("token of a disabled app: %d", r.code)
	}
	if _, err := e.dir.SetEnabled(ctx, e.tenant.ID, a.id, true); err != nil {
		t.Fatal(err)
	}
	if r := e.call(http.MethodGet, "/v1.0/groups", tok, ""); r.code != 200 {
		t.Errorf("token of a re-enabled app: %d", r.code)
	}
	if err := e.dir.DeleteApplication(ctx, e.tenant.ID, a.id); err != nil {
		t.Fatal(err)
	}
	if r := e.call(http.MethodGet, "/v1.0/groups", tok, ""); r.code != http.StatusUnauthorized {
		t.Errorf("token of a deleted app: %d", r.code)
	}
}

// TestKeyRotation: after a rotation new tokens name the new key, old
// tokens keep working, and the JWKS publishes both.
func TestKeyRotation(t *testing.T) {
	e := newEnv(t)
	a := e.app(e.tenant.ID, "Group.Read.All")
	old := e.token(a)
	_, oldKid := e.signingKey(t)
	k, err := e.dir.RotateSigningKeys(context.Background(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// A token signed by the new key makes the verifier reload its keys.
	key, kid := e.signingKey(t)
	if kid != k.ID || kid == oldKid {
		t.Fatalf("active kid %s, rotated to %s, old %s", kid, k.ID, oldKid)
	}
	fresh := e.token(a)
	if h, _ := base64.RawURLEncoding.DecodeString(strings.Split(fresh, ".")[0]); !strings.Contains(string(h), kid) {
		t.Errorf("token issued after rotation has header %s, want kid %s", h, kid)
	}
	forged := sign(t, jwt.SigningMethodRS256, key, kid, jwt.MapClaims(claimsOf(t, old)))
	for name, tok := range map[string]string{"old": old, "new": fresh, "forged with new key": forged} {
		if r := e.call(http.MethodGet, "/v1.0/groups", tok, ""); r.code != 200 {
			t.Errorf("%s token after rotation: %d %s", name, r.code, r.body)
		}
	}
	r := e.call(http.MethodGet, "/"+string(e.tenant.ID)+"/discovery/v2.0/keys", "", "")
	var set struct {
		Keys []struct{ Kid, Kty, Alg, Use, N, E string }
	}
	if err := json.Unmarshal(r.body, &set); err != nil || len(set.Keys) != 2 {
		t.Fatalf("JWKS after rotation: %s", r.body)
	}
	kids := set.Keys[0].Kid + " " + set.Keys[1].Kid
	if !strings.Contains(kids, oldKid) || !strings.Contains(kids, kid) || set.Keys[0].Kty != "RSA" || set.Keys[0].N == "" {
		t.Errorf("JWKS keys %+v", set.Keys)
	}
}
