// Command quickstart is the README's Go example ("Using the official
// Microsoft clients"): azidentity gets a token from groupd, msgraph-sdk-go
// creates a group and lists groups with it. Against `groupd serve` with its
// default self-signed certificate, from the directory that holds
// groupd-data:
//
//	TENANT_ID=… APP_ID=… CLIENT_SECRET=… go run ./quickstart
//
// with the values `groupd app create --name NAME --role Group.ReadWrite.All`
// printed. GROUPD_URL and GROUPD_CERT override the defaults below.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	khttp "github.com/microsoft/kiota-http-go"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	msgraphauth "github.com/microsoftgraph/msgraph-sdk-go-core/authentication"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

func main() {
	groupd := envOr("GROUPD_URL", "https://localhost:9200") // no trailing slash
	certFile := envOr("GROUPD_CERT", "groupd-data/tls.crt")
	host, err := url.Parse(groupd)
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// Trust groupd's self-signed certificate.
	pemBytes, err := os.ReadFile(certFile)
	if err != nil {
		log.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pemBytes) {
		log.Fatalf("no certificate in %s", certFile)
	}
	transport := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, ForceAttemptHTTP2: true}

	// azidentity: groupd is the cloud's authority; instance discovery off
	// (it would ask Microsoft about the authority first).
	cred, err := azidentity.NewClientSecretCredential(
		os.Getenv("TENANT_ID"), os.Getenv("APP_ID"), os.Getenv("CLIENT_SECRET"),
		&azidentity.ClientSecretCredentialOptions{
			ClientOptions: azcore.ClientOptions{
				Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: groupd + "/"},
				Transport: &http.Client{Transport: transport},
			},
			DisableInstanceDiscovery: true,
		})
	if err != nil {
		log.Fatal(err)
	}

	// msgraph-sdk-go: its HTTP client and middleware over that transport,
	// tokens attached for groupd's host name only, groupd's /v1.0 as base.
	opts := msgraphsdk.GetDefaultClientOptions()
	httpClient := msgraphcore.GetDefaultClient(&opts)
	httpClient.Transport = khttp.NewCustomTransportWithParentTransport(transport,
		msgraphcore.GetDefaultMiddlewaresWithOptions(&opts)...)
	auth, err := msgraphauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(cred,
		[]string{"https://graph.microsoft.com/.default"}, []string{host.Hostname()})
	if err != nil {
		log.Fatal(err)
	}
	adapter, err := msgraphsdk.NewGraphRequestAdapterWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(auth, nil, nil, httpClient)
	if err != nil {
		log.Fatal(err)
	}
	adapter.SetBaseUrl(groupd + "/v1.0") // no trailing slash
	client := msgraphsdk.NewGraphServiceClient(adapter)

	g := models.NewGroup()
	g.SetDisplayName(ptr("Quickstart"))
	g.SetMailNickname(ptr("quickstart"))
	g.SetMailEnabled(ptr(false))
	g.SetSecurityEnabled(ptr(true))
	created, err := client.Groups().Post(ctx, g, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("created", *created.GetId())

	page, err := client.Groups().Get(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, g := range page.GetValue() {
		fmt.Println(*g.GetId(), *g.GetDisplayName())
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func ptr[T any](v T) *T { return &v }
