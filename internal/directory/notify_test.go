package directory

import (
	"encoding/json"
	"testing"
	"time"
)

// TestNotificationResourceData: the hand-written resource data is what
// encoding/json makes of the same map, byte for byte.
func TestNotificationResourceData(t *testing.T) {
	sub := Subscription{ID: "s", TenantID: "t<1>", Resource: "groups", ChangeTypes: []string{ChangeCreated, ChangeUpdated, ChangeDeleted}}
	at := time.Now()
	for _, c := range []Change{
		{TenantID: "t<1>", ObjectID: "g1", ObjectKind: KindGroup, Op: OpCreated, At: at},
		{TenantID: "t<1>", ObjectID: "g1", ObjectKind: KindGroup, Op: OpMemberAdded, RelatedID: "u&1", At: at},
		{TenantID: "t<1>", ObjectID: "g1", ObjectKind: KindGroup, Op: OpMemberRemoved, RelatedID: "u2", At: at},
		{TenantID: "t<1>", ObjectID: "u3", ObjectKind: KindUser, Op: OpDeleted, At: at},
	} {
		set, typ := "Groups", "#Microsoft.Graph.Group"
		if c.ObjectKind == KindUser {
			set, typ = "Users", "#Microsoft.Graph.User"
		}
		data := map[string]any{"@odata.type": typ, "@odata.id": set + "/" + string(c.ObjectID), "id": c.ObjectID, "organizationId": c.TenantID}
		if c.Op == OpMemberAdded {
			data["members@delta"] = []any{map[string]any{"id": c.RelatedID}}
		}
		if c.Op == OpMemberRemoved {
			data["members@delta"] = []any{map[string]any{"id": c.RelatedID, "@removed": "deleted"}}
		}
		want, err := json.Marshal(data)
		if err != nil {
			t.Fatal(err)
		}
		got := notificationOf(sub, c, subscriptionChangeType(c.Op), c.Op == OpMemberAdded || c.Op == OpMemberRemoved)
		if got.ResourceData != string(want) {
			t.Errorf("%s:\n got %s\nwant %s", c.Op, got.ResourceData, want)
		}
	}
}
