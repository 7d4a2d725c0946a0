package sqlite

import (
	"context"
	"testing"
)

// TestWebhookOutboxMigration: a database with an outbox from before
// per-subscription positions keeps every undelivered notification: the
// subscription starts before the oldest change of its oldest queued
// notification, one with nothing queued where the dispatcher had got to,
// and the dispatcher's position no longer holds the change log back.
func TestWebhookOutboxMigration(t *testing.T) {
	ctx := context.Background()
	db, p, exec := migratedTo(t, func(path string) string { return path }, 61)
	for i := int64(1); i <= 5; i++ {
		exec(`INSERT INTO changes (tenant_id, object_id, object_kind, op, at) VALUES ('t', 'g', 'group', 'updated', ?1)`, i*1000)
	}
	sub := func(id string) {
		exec(`INSERT INTO subscriptions (id, tenant_id, resource, change_types, notification_url, creator_kind,
	creator_id, expires_at, created_at) VALUES (?1, 't', 'groups', 'updated', 'https://r.example', 'app', 'a', 9000000, 0)`, id)
	}
	sub("queued")
	sub("idle")
	// Changes 1 and 2 were delivered; 3 and 4 are queued; the dispatcher
	// has read up to 4.
	exec(`INSERT INTO webhook_outbox (subscription_id, change_type, resource, resource_data, created_at)
	VALUES ('queued', 'updated', 'Groups/g', '{}', 3000), ('queued', 'updated', 'Groups/g', '{}', 4000)`)
	exec(`INSERT INTO change_positions (name, cursor) VALUES ('webhooks', 4), ('audit', 5)`)
	// Up to 101 only: 140 moves the audit position out of the file.
	if _, err := p.UpTo(ctx, 101); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]int64{"queued": 2, "idle": 4} {
		var pos int64
		if err := db.QueryRowContext(ctx, `SELECT position FROM subscriptions WHERE id = ?1`, id).Scan(&pos); err != nil {
			t.Fatal(err)
		}
		if pos != want {
			t.Errorf("%s: position %d, want %d", id, pos, want)
		}
	}
	var names []string
	rows, err := db.QueryContext(ctx, `SELECT name FROM change_positions ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	rows.Close()
	if len(names) != 1 || names[0] != "audit" {
		t.Errorf("change positions after the migration: %v, want only audit", names)
	}
	var outbox int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name = 'webhook_outbox'`).Scan(&outbox); err != nil || outbox != 0 {
		t.Errorf("webhook_outbox still there (%d, %v)", outbox, err)
	}
}
