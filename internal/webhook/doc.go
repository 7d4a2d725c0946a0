// Package webhook delivers Microsoft Graph change notifications: the
// validation handshake with a notification URL when a subscription is
// made, and the worker that reads each subscription's notifications from
// the change log after its position (directory.Service.PendingNotifications)
// and POSTs them to the receiver, retrying with exponential backoff and
// dropping a subscription whose receiver keeps failing. The position moves
// only when the receiver acknowledges, and it is in the database, so a
// restart sends again what was not acknowledged.
package webhook
