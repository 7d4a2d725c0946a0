// Package azidentityexample shows that the unmodified azidentity library
// gets tokens from groupd, and that they open /v1.0. The code in this file
// is what the README's "Using the official Microsoft clients" shows; the
// test runs it against a groupd it builds and starts.
package azidentityexample

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// GraphScope asks for a token for Microsoft Graph, which groupd serves.
const GraphScope = "https://graph.microsoft.com/.default"

// TrustingTransport is an HTTP transport that trusts groupd's self-signed
// certificate (groupd-data/tls.crt by default).
func TrustingTransport(certFile string) (*http.Transport, error) {
	pemBytes, err := os.ReadFile(certFile)
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pemBytes) {
		return nil, fmt.Errorf("%s holds no PEM certificate", certFile)
	}
	return &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2: true,
	}, nil
}

// NewCredential is an azidentity ClientSecretCredential whose cloud is the
// groupd at groupdURL (https://host:port, no trailing slash). Instance
// discovery is off: it would ask Microsoft about the authority first.
func NewCredential(groupdURL string, transport *http.Transport, tenantID, clientID, secret string) (*azidentity.ClientSecretCredential, error) {
	return azidentity.NewClientSecretCredential(tenantID, clientID, secret,
		&azidentity.ClientSecretCredentialOptions{
			ClientOptions: azcore.ClientOptions{
				Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: groupdURL + "/"},
				Transport: &http.Client{Transport: transport},
			},
			DisableInstanceDiscovery: true,
		})
}

// ListGroups gets a Graph token from cred and sends GET /v1.0/groups with
// it, returning the status and the JSON body.
func ListGroups(ctx context.Context, groupdURL string, transport *http.Transport, cred azcore.TokenCredential) (int, []byte, error) {
	tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{GraphScope}})
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, groupdURL+"/v1.0/groups", nil)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	resp, err := (&http.Client{Transport: transport}).Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}
