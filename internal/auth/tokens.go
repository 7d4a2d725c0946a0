package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"groupd/internal/directory"
)

// Audiences of access tokens (see the reference's "Decisions").
const (
	AudienceGraph    = "https://graph.microsoft.com"
	AudienceAADGraph = "https://graph.windows.net"
)

// ErrInvalidToken is any bearer token groupd does not accept. It matches
// directory.ErrUnauthorized so dialects answer 401 without more code; the
// wrapped text (for logs) says why.
var ErrInvalidToken = fmt.Errorf("invalid token: %w", directory.ErrUnauthorized)

// ErrExpiredToken is an otherwise valid token past its expiry.
var ErrExpiredToken = fmt.Errorf("expired token: %w", ErrInvalidToken)

// ErrMalformedToken is a bearer value that is no JSON Web Token at all,
// and ErrTokenAudience a token issued for another API; Graph words both
// apart from other refusals, so the dialects need to tell them.
var (
	ErrMalformedToken = fmt.Errorf("malformed token: %w", ErrInvalidToken)
	ErrTokenAudience  = fmt.Errorf("token for another audience: %w", ErrInvalidToken)
)

// Claims are the claims of a groupd access token, shaped like Entra's v2.0
// app-only tokens.
type Claims struct {
	Aud   string   `json:"aud"`
	Iss   string   `json:"iss"`
	Iat   int64    `json:"iat"`
	Nbf   int64    `json:"nbf"`
	Exp   int64    `json:"exp"`
	AppID string   `json:"appid"`
	Azp   string   `json:"azp"`
	Idtyp string   `json:"idtyp"`
	Oid   string   `json:"oid"`
	Roles []string `json:"roles,omitempty"`
	Sub   string   `json:"sub"`
	Tid   string   `json:"tid"`
	Uti   string   `json:"uti"`
	Ver   string   `json:"ver"`
}

func date(v int64) *jwt.NumericDate {
	if v == 0 {
		return nil
	}
	return jwt.NewNumericDate(time.Unix(v, 0))
}

func (c *Claims) GetExpirationTime() (*jwt.NumericDate, error) { return date(c.Exp), nil }
func (c *Claims) GetIssuedAt() (*jwt.NumericDate, error)       { return date(c.Iat), nil }
func (c *Claims) GetNotBefore() (*jwt.NumericDate, error)      { return date(c.Nbf), nil }
func (c *Claims) GetIssuer() (string, error)                   { return c.Iss, nil }
func (c *Claims) GetSubject() (string, error)                  { return c.Sub, nil }
func (c *Claims) GetAudience() (jwt.ClaimStrings, error)       { return jwt.ClaimStrings{c.Aud}, nil }

// Tokens issues and verifies access tokens with the signing keys stored in
// the directory, so that every instance on one database agrees.
type Tokens struct {
	dir    *directory.Service
	keys   keyring
	now    func() time.Time
	parser *jwt.Parser

	mu       sync.RWMutex
	verified map[string]verifiedToken
}

// verifiedToken is a token whose signature and claims were checked once:
// RSA verification costs tens of microseconds, far more than serving a
// cached group, so each token is verified once and then only its expiry,
// issuer origin and application are checked per request.
type verifiedToken struct {
	claims Claims
	exp    time.Time
	// origin is the issuer without its "/{tid}/v2.0" suffix; p is the
	// principal with its roles parsed. Both are computed once, so that a
	// request with a known token allocates nothing for authentication.
	origin string
	p      Principal
}

const maxVerified = 10000

// NewTokens returns the token service over dir.
func NewTokens(dir *directory.Service) *Tokens {
	t := &Tokens{dir: dir, keys: keyring{dir: dir}, now: time.Now, verified: map[string]verifiedToken{}}
	t.parser = jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithLeeway(ClockSkew),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithTimeFunc(func() time.Time { return t.now() }))
	return t
}

// SetClock replaces the wall clock (tests).
func (t *Tokens) SetClock(now func() time.Time) { t.now = now }

// Init loads the signing keys, creating the first one on a new directory.
func (t *Tokens) Init(ctx context.Context) error {
	_, err := t.keys.reload(ctx)
	return err
}

// JWKS returns the published key set as JSON.
func (t *Tokens) JWKS(ctx context.Context) ([]byte, error) {
	s, err := t.keys.current(ctx)
	if err != nil {
		return nil, err
	}
	return s.jwks, nil
}

// Issuer is the iss of tokens for tenant reached at origin.
func Issuer(origin string, tenant directory.TenantID) string {
	return origin + "/" + string(tenant) + "/v2.0"
}

// Issue signs an app-only access token for app, issued by origin, for aud.
func (t *Tokens) Issue(ctx context.Context, origin string, app directory.Application, aud string) (string, time.Time, error) {
	s, err := t.keys.current(ctx)
	if err != nil {
		return "", time.Time{}, err
	}
	now := t.now()
	exp := now.Add(TokenLifetime)
	roles := make([]string, len(app.Roles))
	for i, r := range app.Roles {
		roles[i] = string(r)
	}
	c := &Claims{
		Aud: aud, Iss: Issuer(origin, app.TenantID), Iat: now.Unix(), Nbf: now.Unix(), Exp: exp.Unix(),
		AppID: app.AppID, Azp: app.AppID, Idtyp: "app", Oid: string(app.ServicePrincipalID),
		Roles: roles, Sub: string(app.ServicePrincipalID), Tid: string(app.TenantID),
		Uti: strings.ReplaceAll(uuid.NewString(), "-", ""), Ver: "2.0",
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	tok.Header["kid"] = s.signerID
	raw, err := tok.SignedString(s.signer)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign token: %w", err)
	}
	return raw, time.Unix(exp.Unix(), 0), nil
}

// Want says what the request a token comes with requires of it.
type Want struct {
	// Origin is the origin the request reached (httpx.Origin): the token's
	// issuer must be this origin plus its own tenant.
	Origin string
	// Audiences accepted by the dialect.
	Audiences []string
	// Tenant, when set, is the tenant the request addresses; a token of
	// another tenant is invalid.
	Tenant directory.TenantID
}

// Verify checks a bearer token and returns its principal. Every refusal
// wraps ErrInvalidToken (ErrExpiredToken for expiry); store trouble is
// returned as is.
func (t *Tokens) Verify(ctx context.Context, raw string, want Want) (Principal, error) {
	t.mu.RLock()
	v, hit := t.verified[raw]
	t.mu.RUnlock()
	now := t.now()
	if hit {
		if now.After(v.exp.Add(ClockSkew)) {
			return Principal{}, ErrExpiredToken
		}
	} else {
		var err error
		if v, err = t.verify(ctx, raw); err != nil {
			return Principal{}, err
		}
		t.mu.Lock()
		if len(t.verified) >= maxVerified {
			clear(t.verified) // bounded without bookkeeping; re-verifying is correct, only slower
		}
		t.verified[raw] = v
		t.mu.Unlock()
	}
	c := &v.claims
	tenant := v.p.TenantID
	if v.origin != want.Origin {
		return Principal{}, fmt.Errorf("%w: issuer %q not of this origin", ErrInvalidToken, c.Iss)
	}
	if want.Tenant != "" && want.Tenant != tenant {
		return Principal{}, fmt.Errorf("%w: token of another tenant", ErrInvalidToken)
	}
	okAud := false
	for _, a := range want.Audiences {
		okAud = okAud || c.Aud == a
	}
	if !okAud {
		return Principal{}, fmt.Errorf("%w: audience %q", ErrTokenAudience, c.Aud)
	}
	app, err := t.dir.ActiveApplication(ctx, tenant, c.AppID)
	if errors.Is(err, directory.ErrUnauthorized) {
		return Principal{}, fmt.Errorf("%w: application deleted or disabled", ErrInvalidToken)
	}
	if err != nil {
		return Principal{}, err
	}
	if string(app.ServicePrincipalID) != c.Oid {
		return Principal{}, fmt.Errorf("%w: service principal mismatch", ErrInvalidToken)
	}
	p := v.p
	p.Name = app.DisplayName
	return p, nil
}

func (t *Tokens) verify(ctx context.Context, raw string) (verifiedToken, error) {
	var c Claims
	_, err := t.parser.ParseWithClaims(raw, &c, func(tok *jwt.Token) (any, error) {
		kid, _ := tok.Header["kid"].(string)
		return t.keys.publicKey(ctx, kid)
	})
	if errors.Is(err, jwt.ErrTokenExpired) {
		return verifiedToken{}, ErrExpiredToken
	}
	if errors.Is(err, jwt.ErrTokenMalformed) {
		return verifiedToken{}, fmt.Errorf("%w: %v", ErrMalformedToken, err)
	}
	if err != nil {
		var ve interface{ Unwrap() []error }
		if errors.As(err, &ve) {
			for _, e := range ve.Unwrap() {
				if errors.Is(e, directory.ErrUnavailable) {
					return verifiedToken{}, e
				}
			}
		}
		return verifiedToken{}, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	if c.Ver != "2.0" || c.Tid == "" || c.AppID == "" || c.Nbf == 0 {
		return verifiedToken{}, fmt.Errorf("%w: missing claims", ErrInvalidToken)
	}
	// The issuer must name the token's own tenant; which origin it names
	// is checked per request against the origin that request reached.
	origin, ok := strings.CutSuffix(c.Iss, "/"+c.Tid+"/v2.0")
	if !ok {
		return verifiedToken{}, fmt.Errorf("%w: issuer %q does not name tenant %s", ErrInvalidToken, c.Iss, c.Tid)
	}
	// Permissions come from the token, as in Entra: a change of roles
	// applies to tokens issued afterwards.
	roles := make([]directory.Permission, 0, len(c.Roles))
	for _, r := range c.Roles {
		if p, ok := directory.ParsePermission(r); ok {
			roles = append(roles, p)
		}
	}
	p := Principal{TenantID: directory.TenantID(c.Tid), Kind: directory.ActorApp, ID: c.Oid, AppID: c.AppID, Roles: roles}
	return verifiedToken{claims: c, exp: time.Unix(c.Exp, 0), origin: origin, p: p}, nil
}
