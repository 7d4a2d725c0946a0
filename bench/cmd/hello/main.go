// Command hello is the ceiling groupd is measured against: a Go net/http
// server that answers every request with the same JSON body, by default one
// the size of a Microsoft Graph group entity. The load generator passes the
// body groupd itself returned (-body), so both servers send the same bytes.
//
// It prints "hello listening on http://ADDR" first and stops on SIGINT or
// SIGTERM, or by itself after -max-life.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

// groupBody is a group as Microsoft Graph returns it, with every property.
const groupBody = `{"@odata.context":"http://127.0.0.1/v1.0/$metadata#groups/$entity",` +
	`"id":"45b7d2e7-b882-4a80-ba97-10b7a63b8fa4","deletedDateTime":null,"classification":null,` +
	`"createdDateTime":"2024-05-01T10:00:00Z","creationOptions":[],"description":"The group read by the load generator",` +
	`"displayName":"Bench group","expirationDateTime":null,"groupTypes":[],"isAssignableToRole":null,"mail":null,` +
	`"mailEnabled":false,"mailNickname":"bench-group","membershipRule":null,"membershipRuleProcessingState":null,` +
	`"onPremisesDomainName":null,"onPremisesLastSyncDateTime":null,"onPremisesNetBiosName":null,` +
	`"onPremisesSamAccountName":null,"onPremisesSecurityIdentifier":null,"onPremisesSyncEnabled":null,` +
	`"preferredDataLocation":null,"preferredLanguage":null,"proxyAddresses":[],"renewedDateTime":"2024-05-01T10:00:00Z",` +
	`"resourceBehaviorOptions":[],"resourceProvisioningOptions":[],"securityEnabled":true,` +
	`"securityIdentifier":"S-1-12-1-1169675239-1249948290-3071317946-2760653222","theme":null,"visibility":null,` +
	`"onPremisesProvisioningErrors":[],"serviceProvisioningErrors":[]}`

func main() {
	listen := flag.String("listen", "127.0.0.1:8080", "address to listen on")
	bodyFile := flag.String("body", "", "file whose content is the response body (default: a built-in group)")
	maxLife := flag.Duration("max-life", 15*time.Minute, "stop by itself after this long")
	flag.Parse()

	body := []byte(groupBody)
	if *bodyFile != "" {
		var err error
		if body, err = os.ReadFile(*bodyFile); err != nil {
			log.Fatal(err)
		}
	}
	length := strconv.Itoa(len(body))
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hdr := w.Header()
		hdr["Content-Type"] = []string{"application/json"}
		hdr["Content-Length"] = []string{length}
		_, _ = w.Write(body)
	})

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("hello listening on http://%s\n", ln.Addr())
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *maxLife)
	defer cancel()
	go func() {
		<-ctx.Done()
		shut, done := context.WithTimeout(context.Background(), 5*time.Second)
		defer done()
		_ = srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
