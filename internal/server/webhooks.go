package server

import (
	"context"

	"groupd/internal/directory"
	"groupd/internal/webhook"
)

// webhooks enables subscriptions with Graph's validation handshake.
func webhooks(cfg Config) directory.Option {
	return directory.WithWebhooks(directory.WebhookSettings{
		Validator: &webhook.Validator{Client: cfg.Webhooks.Client},
		AllowHTTP: cfg.WebhookAllowHTTP,
	})
}

// startWebhooks runs the delivery worker until ctx ends or the returned
// function is called, which waits for it to release what it holds; Run
// calls it before closing the store.
func startWebhooks(ctx context.Context, svc *directory.Service, cfg Config) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		webhook.NewWorker(svc, cfg.Webhooks, cfg.Logger).Run(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}
