package listsql

// SubscriptionDue is the condition on a subscriptions row that makes it
// claimable at the time placeholder now, its position below the cursor
// placeholder below: due, not leased, not expired, passed by the change
// log. The claim and the read that spares idle workers the claim's
// write (SubscriptionsDue) share it, in both engines, so that they agree.
func SubscriptionDue(now, below string) string {
	return "next_attempt_at <= " + now + " AND lease_until <= " + now + " AND expires_at > " + now +
		" AND position < " + below
}
