package webhook

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"groupd/internal/directory"
)

// ValidationTimeout is how long a receiver has to answer the handshake,
// as in Microsoft Graph.
const ValidationTimeout = 10 * time.Second

// Validator performs Graph's validation handshake: POST
// <url>?validationToken=<token> must answer 200 with the token as the body.
type Validator struct {
	// Client sends the handshake (default: NewClient(Policy)). A Client
	// given here is used as it is: Policy does not apply to it.
	Client  *http.Client
	Policy  Policy
	Timeout time.Duration // 0: ValidationTimeout

	once sync.Once
	def  *http.Client
}

var _ directory.EndpointValidator = (*Validator)(nil)

// Validate returns a *directory.SubscriptionError when the receiver fails
// the handshake, with the Problem SubAddressNotAllowed when the URL's host
// is at an address the Policy refuses (no connection is opened then).
func (v *Validator) Validate(ctx context.Context, notificationURL string) error {
	timeout := v.Timeout
	if timeout <= 0 {
		timeout = ValidationTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	token := "groupd-" + base64.RawURLEncoding.EncodeToString(b)
	u, err := url.Parse(notificationURL)
	if err != nil {
		return &directory.SubscriptionError{Problem: directory.SubBadURL, Value: notificationURL}
	}
	q := u.Query()
	q.Set("validationToken", token)
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), nil)
	if err != nil {
		return &directory.SubscriptionError{Problem: directory.SubBadURL, Value: notificationURL}
	}
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	res, err := v.client().Do(req)
	if err != nil {
		if errors.Is(err, ErrAddressNotAllowed) {
			return &directory.SubscriptionError{Problem: SubAddressNotAllowed, Value: notificationURL}
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return &directory.SubscriptionError{Problem: directory.SubValidationSlow, Value: notificationURL}
		}
		return &directory.SubscriptionError{Problem: directory.SubValidationFail, Value: notificationURL}
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 4096))
	if err != nil {
		return &directory.SubscriptionError{Problem: directory.SubValidationFail, Value: notificationURL}
	}
	if res.StatusCode != http.StatusOK {
		return &directory.SubscriptionError{Problem: directory.SubValidationFail, Value: notificationURL}
	}
	if string(body) != token {
		return &directory.SubscriptionError{Problem: directory.SubValidationMatch, Value: notificationURL}
	}
	return nil
}

func (v *Validator) client() *http.Client {
	if v.Client != nil {
		return v.Client
	}
	v.once.Do(func() { v.def = NewClient(v.Policy) })
	return v.def
}
