package webhook

import (
	"encoding/json"
	"testing"
	"time"

	"groupd/internal/directory"
)

// TestBodyMatchesEncodingJSON: the hand-written body is what encoding/json
// makes of the same notifications, byte for byte.
func TestBodyMatchesEncodingJSON(t *testing.T) {
	type item struct {
		SubscriptionID                 string          `json:"subscriptionId"`
		SubscriptionExpirationDateTime string          `json:"subscriptionExpirationDateTime"`
		ChangeType                     string          `json:"changeType"`
		Resource                       string          `json:"resource"`
		ResourceData                   json.RawMessage `json:"resourceData"`
		ClientState                    *string         `json:"clientState"`
		TenantID                       string          `json:"tenantId"`
	}
	want := func(s directory.Subscription, notes []directory.Notification) string {
		out := struct {
			Value []item `json:"value"`
		}{Value: []item{}}
		var cs *string
		if s.ClientState != "" {
			cs = &s.ClientState
		}
		for _, n := range notes {
			out.Value = append(out.Value, item{string(s.ID), s.ExpiresAt.UTC().Format("2006-01-02T15:04:05.0000000Z"),
				n.ChangeType, n.Resource, json.RawMessage(n.ResourceData), cs, string(s.TenantID)})
		}
		b, err := json.Marshal(out)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	notes := []directory.Notification{
		{ChangeType: "updated", Resource: "Groups/g1", ResourceData: `{"@odata.id":"Groups/g1","id":"g1","members@delta":[{"id":"u1"}]}`},
		{ChangeType: "deleted", Resource: "Users/u<2>", ResourceData: `{"id":"u\u003c2\u003e"}`},
	}
	exp := time.Date(2026, 12, 6, 7, 30, 0, 123456700, time.FixedZone("x", 3600))
	for _, s := range []directory.Subscription{
		{ID: "s1", TenantID: "t1", ExpiresAt: exp},
		{ID: "s2", TenantID: "t2", ExpiresAt: exp, ClientState: `se"cr\et & <é>`},
	} {
		for _, ns := range [][]directory.Notification{nil, notes[:1], notes} {
			got := Body(s, ns)
			if w := want(s, ns); string(got) != w {
				t.Errorf("Body:\n got %s\nwant %s", got, w)
			}
		}
	}
}
