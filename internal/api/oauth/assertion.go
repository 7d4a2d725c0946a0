package oauth

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/golang-jwt/jwt/v5"

	"groupd/internal/api/httpx"
	"groupd/internal/auth"
	"groupd/internal/directory"
)

// assertionParser accepts what MSAL signs assertions with: RS256 with an
// x5t header, or PS256 with x5t#S256 (newer MSAL versions).
var assertionParser = jwt.NewParser(jwt.WithValidMethods([]string{"RS256", "PS256"}),
	jwt.WithLeeway(auth.ClockSkew), jwt.WithExpirationRequired())

// verifyAssertion checks a client assertion (RFC 7523): signed by the key of
// one of app's registered, unexpired certificates (named by its x5t or
// x5t#S256 thumbprint), iss and sub the client id, aud this tenant's token
// endpoint as the client reached it.
func verifyAssertion(r *http.Request, t directory.Tenant, app directory.Application, raw string) error {
	var claims jwt.RegisteredClaims
	_, err := assertionParser.ParseWithClaims(raw, &claims, func(tok *jwt.Token) (any, error) {
		x5t, _ := tok.Header["x5t"].(string)
		s256, _ := tok.Header["x5t#S256"].(string)
		now := time.Now()
		for _, c := range app.Certificates {
			if now.After(c.ExpiresAt) {
				continue
			}
			cert, err := parseCert(c.PEM)
			if err != nil {
				return nil, err
			}
			sum := sha256.Sum256(cert.Raw)
			if (x5t != "" && x5t == c.Thumbprint) || (s256 != "" && s256 == base64.RawURLEncoding.EncodeToString(sum[:])) {
				if pk, ok := cert.PublicKey.(*rsa.PublicKey); ok {
					return pk, nil
				}
				return nil, errors.New("certificate key is not RSA")
			}
		}
		return nil, errors.New("no registered certificate matches the assertion's thumbprint")
	})
	if err != nil {
		return err
	}
	if !strings.EqualFold(claims.Issuer, app.AppID) || !strings.EqualFold(claims.Subject, app.AppID) {
		return fmt.Errorf("iss %q / sub %q are not the client id", claims.Issuer, claims.Subject)
	}
	origin := httpx.Origin(r)
	want := []string{r.URL.Path, "/" + string(t.ID) + "/oauth2/v2.0/token", "/" + string(t.ID) + "/oauth2/token"}
	if key := chi.URLParam(r, "tenant"); key != "" {
		want = append(want, "/"+key+"/oauth2/v2.0/token")
	}
	for _, aud := range claims.Audience {
		if p, ok := strings.CutPrefix(aud, origin); ok && slices.Contains(want, p) {
			return nil
		}
	}
	return fmt.Errorf("audience %v is not this token endpoint", []string(claims.Audience))
}

func parseCert(p string) (*x509.Certificate, error) {
	block, _ := pem.Decode([]byte(p))
	if block == nil {
		return nil, errors.New("stored certificate is not PEM")
	}
	return x509.ParseCertificate(block.Bytes)
}
