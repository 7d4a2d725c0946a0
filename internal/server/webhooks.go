package server

import (
	"context"

	"groupd/internal/directory"
	"groupd/internal/webhook"
)

// webhooks enables subscriptions with Graph's validation handshake.
func webhooks(cfg Config) directory.Option {
	return directory.WithWebhooks(directory.WebhookSettings{
		Validator: &webhook.Validator{Client: cfg.Webhooks.Client, Policy: cfg.webhookPolicy()},
		AllowHTTP: cfg.WebhookAllowHTTP,
	})
}

// webhookPolicy is where the handshake and the notifications may connect.
func (c Config) webhookPolicy() webhook.Policy {
	return webhook.Policy{AllowPrivate: c.WebhookAllowPrivate, AllowHosts: c.WebhookAllowHosts}
}

// startWebhooks runs the delivery worker until ctx ends or the returned
// function is called, which waits for it to release what it holds; Run
// calls it before closing the store.
func startWebhooks(ctx context.Context, svc *directory.Service, cfg Config) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	wcfg := cfg.Webhooks
	wcfg.Policy = cfg.webhookPolicy()
	go func() {
		defer close(done)
		webhook.NewWorker(svc, wcfg, cfg.Logger).Run(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}
