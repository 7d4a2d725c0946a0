package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"groupd/internal/directory"
	"groupd/internal/jsonx"
)

// Body is the JSON a receiver gets for these notifications, each as
// Microsoft Graph sends it: subscriptionId, subscriptionExpirationDateTime,
// changeType, resource, resourceData (the domain's JSON object, as it is),
// clientState (null when unset) and tenantId. It is written by hand, with
// what all items share encoded once: a backlog goes out in batches of up
// to Config.Batch notifications, and encoding/json cost more per
// notification than reading its change.
func Body(s directory.Subscription, notes []directory.Notification) []byte {
	head := jsonx.AppendString([]byte(`{"subscriptionId":`), string(s.ID))
	head = append(head, `,"subscriptionExpirationDateTime":`...)
	head = jsonx.AppendString(head, s.ExpiresAt.UTC().Format(expiryFormat))
	tail := []byte(`,"clientState":null`)
	if s.ClientState != "" {
		tail = jsonx.AppendString([]byte(`,"clientState":`), s.ClientState)
	}
	tail = append(tail, `,"tenantId":`...)
	tail = jsonx.AppendString(tail, string(s.TenantID))
	tail = append(tail, '}')
	size := 16
	for _, n := range notes {
		size += len(head) + len(tail) + len(n.Resource) + len(n.ResourceData) + 64
	}
	b := make([]byte, 0, size)
	b = append(b, `{"value":[`...)
	for i, n := range notes {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, head...)
		b = append(b, `,"changeType":`...)
		b = jsonx.AppendString(b, n.ChangeType)
		b = append(b, `,"resource":`...)
		b = jsonx.AppendString(b, n.Resource)
		b = append(b, `,"resourceData":`...)
		b = append(b, n.ResourceData...)
		b = append(b, tail...)
	}
	return append(b, "]}"...)
}

// expiryFormat is how Microsoft Graph writes a subscription's expiry in
// notifications: seven fractional digits, always.
const expiryFormat = "2006-01-02T15:04:05.0000000Z"

func (w *Worker) post(ctx context.Context, s directory.Subscription, notes []directory.Notification) error {
	body := Body(s, notes)
	ctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.NotificationURL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	res, err := w.cfg.Client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("receiver answered %d", res.StatusCode)
	}
	return nil
}

// lifecycle tells the subscription's lifecycle URL about an event, once and
// best effort: the subscription it concerns is gone, so there is nothing
// to retry for.
func (w *Worker) lifecycle(ctx context.Context, s directory.Subscription, event string) {
	var cs *string
	if s.ClientState != "" {
		cs = &s.ClientState
	}
	body, err := json.Marshal(map[string]any{"value": []any{map[string]any{
		"subscriptionId": s.ID, "subscriptionExpirationDateTime": s.ExpiresAt.UTC().Format(expiryFormat),
		"tenantId": s.TenantID, "clientState": cs, "lifecycleEvent": event,
	}}})
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.LifecycleURL, bytes.NewReader(body))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	res, err := w.cfg.Client.Do(req)
	if err != nil {
		w.log.Info("webhooks: lifecycle notification not delivered", "subscription", s.ID, "err", err)
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
}
